"""The store dashboard's figures at several sizes of demo data.

    timeout -k 60 60m .venv/bin/python bench/dashboard.py                  # 100,000 and 1,000,000
    .venv/bin/python bench/dashboard.py --customers 10000
    .venv/bin/python bench/dashboard.py --customers 100000 --keep          # keep the seeded database
    .venv/bin/python bench/dashboard.py --customers 100000 --db NAME       # measure it again, no re-seed

For each ``--customers`` size, a scratch database of its own (``bench_dashboard_<pid>_<hex>``, see
bench/_scratch.py; ``--db``: that one, seeded only if empty) is seeded with the demo generator as of
``--today`` (a fixed day, so every run counts the same rows), its year of card feedback included
(``demo/generate/feedback.py``).

Before: the live figures the page computed until issue 22 (``managers.figures.figures``, still there
for comparison) for the busiest store and for the whole chain, over the 30 days and the 365 days up
to that day, with the number of queries: the second of two runs (warm).

Now: the rollups are built for the year before ``--today`` (timed) with a snapshot of its eve, and
the page is timed as a manager opens it (Django's test client: view, rollups, today's live slice,
template, charts) with the clock at 15:00 on ``--today`` (``django.utils.timezone.now`` moved to
that day; time runs on from there), so the period's last day is today and is computed live, as at
a till during opening hours. For each view, *cold*: the first request after the database connection
is closed and the compiled templates dropped (what a new worker process starts without: PostgreSQL's
session caches, the prepared statements, the templates; the server's shared buffers and the page
cache stay as they are, as this benchmark never restarts the server); then *warm*: the median and
spread of five more. Not a test: pytest does not collect it.
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host

import django

django.setup()

from _environment import describe  # noqa: E402
from _scratch import (  # noqa: E402
    add_database_options,
    check_database_option,
    database_for,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.generate import seed  # noqa: E402
from managers import rollups  # noqa: E402
from managers.figures import Period, figures  # noqa: E402
from sales.models import Order  # noqa: E402
from stores.models import Store  # noqa: E402

RUNS = 5  # requests timed after the first, for the median and spread
AT = clock(15)  # the time of day on --today the page is opened at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date(2026, 11, 30),
        help="the demo's today, and the periods'",
    )
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, args.customers)
    exit_cleanly_on_sigterm()
    print(describe())
    today = args.today
    end = datetime.combine(today + timedelta(days=1), clock.min, tzinfo=timezone.get_current_timezone())
    views: list[tuple[int, float, int, list[int]]] = []
    for size in args.customers:
        with scratch_database("bench_dashboard", name=database_for(args.db, size), keep=args.keep):
            if not Customer.objects.exists():  # a database named with --db may be seeded already
                seed(customers=size, seed=7, today=today)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            busiest = (
                Order.objects.filter(store__isnull=False)
                .values("store")
                .annotate(n=Count("pk"))
                .order_by("-n")[0]
            )["store"]
            chain = list(Store.objects.values_list("pk", flat=True))
            print(f"\nBefore: the live figures at {size:,} demo customers (the second of two runs)\n")
            print(
                "| demo customers | stores | period | figures | queries | identified buyers | pairs shown "
                "| after outreach |"
            )
            print("| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
            built = time.perf_counter()
            rollups.rebuild(today - timedelta(days=366), today)
            rollups.snapshot(today - timedelta(days=1))
            views.append((size, time.perf_counter() - built, busiest, chain))
            for label, stores in (("busiest", [busiest]), (f"all {len(chain)}", chain)):
                for days in (30, 365):
                    period = Period(start=end - timedelta(days=days), end=end, window_days=14)
                    for _ in range(2):
                        with CaptureQueriesContext(connection) as queries:
                            started = time.perf_counter()
                            result = figures(stores, period)
                            warm = time.perf_counter() - started
                    print(
                        f"| {size:,} | {label} | {days} days | {warm * 1000:,.0f} ms "
                        f"| {len(queries.captured_queries)} | {result.visitors:,} | {result.shown:,} "
                        f"| {result.outreach_orders:,} |",
                        flush=True,
                    )
            whole_requests(size, views[-1], today)


def whole_requests(size: int, view: tuple[int, float, int, list[int]], today: date) -> None:
    """The page as a manager opens it (view, rollups, today's live slice, template, charts), through
    Django's test client, at 15:00 on ``today``: cold, then the median and spread of RUNS more."""
    _, seconds, busiest, chain = view
    print(
        f"\nNow: rollups for the year of {size:,} demo customers before {today} built in "
        f"{seconds:.1f} s (and a snapshot); the page at {AT:%H:%M} on {today}, today computed live\n"
    )
    print("| demo customers | stores | period | cold | warm (median) | warm spread | queries |")
    print("| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    browser = Client()
    browser.force_login(User.objects.get(username="admin"))
    code = Store.objects.get(pk=busiest).code
    with clock_at(datetime.combine(today, AT, tzinfo=timezone.get_current_timezone())):
        for label, store in (("busiest", code), (f"all {len(chain)}", "all")):
            for days in (30, 365):
                url = f"/dashboard/?store={store}&start={today - timedelta(days=days - 1)}&end={today}"
                times = []
                _cold()
                for _ in range(1 + RUNS):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = browser.get(url)
                        times.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.content[:500]
                    assert b"up to the minute" in response.content, "today is not computed live"
                cold, warm = times[0], sorted(times[1:])
                print(
                    f"| {size:,} | {label} | {days} days | {cold * 1000:,.0f} ms "
                    f"| {statistics.median(warm) * 1000:,.0f} ms "
                    f"| {warm[0] * 1000:,.0f}–{warm[-1] * 1000:,.0f} ms | {len(queries.captured_queries)} |",
                    flush=True,
                )


@contextlib.contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """``django.utils.timezone.now`` starting at ``moment`` and running on (the app reads the time
    through it, ``localdate`` included)."""
    real = timezone.now
    offset = moment - real()
    timezone.now = lambda: real() + offset  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real  # type: ignore[assignment]


def _cold() -> None:
    """What a new worker process starts without: its database connection (PostgreSQL's session
    caches and the prepared statements go with it) and its compiled templates."""
    connection.close()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:  # type: ignore[attr-defined]
            if hasattr(loader, "reset"):
                loader.reset()


if __name__ == "__main__":
    main()
