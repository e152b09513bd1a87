"""The nightly occasions: every rule over every customer, at 100k and 1M demo customers, and My day's
queries with the occasions on it.

    timeout -k 60 60m .venv/bin/python bench/occasions.py                      # 100000 1000000
    .venv/bin/python bench/occasions.py --sizes 100000 --db bench_occasions_{size} --keep

Each size runs in a scratch database of its own (bench/_scratch.py; ``--db NAME``: that one, seeded
only if it has no customers yet), seeded with ``demo.generate.seed`` for a fixed day and
``VACUUM ANALYZE``d; the products' purchase cycles (what "time for a new one" reads) are settled
once by the suggestions' fit if the database has none, timed apart.

Then, for the demo's day at 09:00: the occasions and the day's runs are deleted and
``occasions.generate.nightly`` runs (set-based, a statement per rule per 100,000 customer ids), as
the nightly task does, on one process; printed: its seconds and what each rule made. A second run
the same day shows what a rerun costs (every rule finished: nothing to do), and a third, with the
day's runs forgotten, what running every rule again over occasions already made costs (all of
them found, none made twice). Then, the occasions table analysed (as autovacuum does
after the night's inserts: planned on the statistics of an empty table, My day's queue took 0.3 s
at 1M), My day of one London associate (its queries and time), and a campaign over every store's
clients, split by an administrator (``occasions.campaigns.launch``), and one from an uploaded list of
100,000 client numbers with 2% of rows it cannot use (``occasions.campaign_lists``): read, matched
and reported, then split; and the dashboard's two occasion queries for the whole chain.
Not a test: pytest does not collect it.
"""

import argparse
import io
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

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
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.generate import seed  # noqa: E402
from occasions import campaigns, generate, results  # noqa: E402
from occasions.campaign_lists import ClientList, IdKind, ListReport  # noqa: E402
from occasions.models import Campaign, Occasion, OccasionRun  # noqa: E402
from stores.models import Store  # noqa: E402
from suggestions import refresh  # noqa: E402
from suggestions.models import ProductCycle  # noqa: E402

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ASSOCIATE = "associate.london.1"


def _timed(run):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def my_day_queries() -> tuple[int, float, int]:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=ASSOCIATE))
    client.get("/")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get("/")
        took = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"My day answered {response.status_code}")
    return len(queries.captured_queries), 1000 * took, response.content.decode().count('class="occasion"')


def bench_campaign() -> tuple[campaigns.Split, float]:
    """A chain-wide campaign (every store, no segment, by e-mail) split by an administrator."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first() or User.objects.create(
        username="bench.admin", role=Role.ADMIN
    )
    Campaign.objects.all().delete()
    campaign = campaigns.create_draft(
        by=admin, name="Bench", stores=list(Store.objects.filter(is_active=True)),
        segment=campaigns.Segment(), template=None, channel="email", starts_on=DAY, ends_on=DAY,
    )  # fmt: skip
    return _timed(lambda: campaigns.launch(by=admin, campaign=campaign, version=campaign.version))


LISTED = 100_000


def bench_list() -> tuple[ListReport, float, campaigns.Split, float]:
    """A chain-wide campaign from an uploaded list: up to LISTED client numbers (the first profiles
    by id), with one in a hundred rows a number nobody has and one in a hundred not a number."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    assert admin is not None  # bench_campaign made one
    numbers = [str(n) for n in Customer.objects.order_by("pk").values_list("public_id", flat=True)[:LISTED]]
    rows = []
    for n, number in enumerate(numbers):
        rows.append(number)
        if n % 100 == 0:
            rows += [str(uuid.uuid4()), f"row {n}"]
    data = ("client\n" + "\n".join(rows) + "\n").encode()
    Campaign.objects.all().delete()
    campaign, took = _timed(
        lambda: campaigns.create_draft(
            by=admin, name="Bench list", stores=list(Store.objects.filter(is_active=True)),
            segment=campaigns.Segment(), template=None, channel="email", starts_on=DAY, ends_on=DAY,
            client_list=ClientList(io.BytesIO(data), IdKind.PUBLIC),
        )
    )  # fmt: skip
    report = ListReport(**{k: campaign.list_report[k] for k in ("rows", "matched", "counts")})
    split, split_took = _timed(
        lambda: campaigns.launch(by=admin, campaign=campaign, version=campaign.version)
    )
    return report, took, split, split_took


def bench_dashboard() -> tuple[float, float, int]:
    """The dashboard's occasions per associate and campaign results for the whole chain, over the
    30 days to the demo's day (ms each, and the occasions counted)."""
    stores = list(Store.objects.values_list("pk", flat=True))
    first = DAY - timedelta(days=29)
    rows, owners_took = _timed(lambda: results.due_and_done(stores, first, DAY))
    _, campaigns_took = _timed(
        lambda: results.campaign_results(stores, first, DAY, window_days=14, hers=None)
    )
    return 1000 * owners_took, 1000 * campaigns_took, sum(r.due for r in rows)


def bench_one(size: int, args: argparse.Namespace) -> None:
    with scratch_database("bench_occasions", name=database_for(args.db, size), keep=args.keep):
        if not Customer.objects.exists():
            _, took = _timed(lambda: seed(customers=size, seed=args.seed, today=DAY))
            print(f"  seeded {size:,} customers in {took:.0f} s", flush=True)
        if not ProductCycle.objects.exists():
            _, took = _timed(lambda: refresh.fit_model(NOW))
            print(f"  the purchase cycles settled by the suggestions' fit in {took:.0f} s", flush=True)
        Occasion.objects.all().delete()
        OccasionRun.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        made, first = _timed(lambda: generate.nightly(now=NOW))
        _, again = _timed(lambda: generate.nightly(now=NOW))
        OccasionRun.objects.all().delete()
        remade, rerun = _timed(lambda: generate.nightly(now=NOW))
        with connection.cursor() as cursor:  # what autovacuum does soon after a night's inserts
            cursor.execute("ANALYZE occasions_occasion")
        queries, ms, shown = my_day_queries()
        split, split_took = bench_campaign()
        report, list_took, list_split, list_split_took = bench_list()
        owners_ms, campaigns_ms, counted = bench_dashboard()
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in made.items() if kind != "expired")
        print(
            f"| {size:,} | {first:.1f} s | {sum(v for k, v in made.items() if k != 'expired'):,} | "
            f"{again:.2f} s | {rerun:.1f} s ({sum(v for k, v in remade.items() if k != 'expired')} made) | "
            f"{queries} queries, {ms:.0f} ms, {shown} occasions | {split_took:.1f} s ({split.included:,} in, "
            f"{split.not_agreed + split.no_address:,} left out) | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
        print(f"  made: {kinds}", flush=True)
        print(
            f"  a list of {report.rows:,} rows: read and matched in {list_took:.1f} s ({report.matched:,} "
            f"matched; not used: {report.counts}); split in {list_split_took:.1f} s "
            f"({list_split.included:,} in, {list_split.not_agreed + list_split.no_address:,} left out)",
            flush=True,
        )
        print(
            f"  the dashboard, whole chain, 30 days: occasions per associate {owners_ms:.0f} ms "
            f"({counted:,} occasions), campaign results {campaigns_ms:.0f} ms",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=42)
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, args.sizes)
    exit_cleanly_on_sigterm()
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver", "localhost"]
    print(describe())
    print(
        "| demo customers | nightly run | occasions made | run again (finished) | every rule again "
        "| My day (one associate) | a chain-wide campaign split | load average |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for size in args.sizes:
        bench_one(size, args)


if __name__ == "__main__":
    main()
