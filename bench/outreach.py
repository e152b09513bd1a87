"""Outreach at several sizes of demo data: queueing a message, delivering, reading, reminders.

    timeout -k 60 50m .venv/bin/python bench/outreach.py                  # 10,000 and 100,000
    timeout -k 60 3h .venv/bin/python bench/outreach.py --customers 1000000

For each ``--customers`` size, a scratch database of its own, ``bench_outreach_<pid>_<hex>``
(bench/_scratch.py; ``--db NAME``: that one, which must hold no customers yet, ``{size}`` in NAME
standing for each size), is seeded with the demo generator as of today: unlike the other benchmarks,
not a fixed day, since what is measured (the day's appointments, reminders of the next 24 hours)
goes by the clock, so the data must surround the moment of the run; its choices are all seeded. The
stores' quiet hours are switched off, as in the tests, so the figures do not depend on the hour of
the run (that rule is arithmetic, no query). On top of what the demo
writes, the bench adds months of outreach: two messages per reachable customer (consent for a channel
and an address for it; e-mail preferred) over the last 30 days, mostly sent, one in five a shared
look (one SQL insert); 30 appointments per store per day over 30 days (15 past, 15 to come; 45 min,
each associate's first free slots from 08:00, 0-3 products, a tenth cancelled, past ones reminded);
1-3 looks of 3-6 products and 2-6 wishlist items for one reachable customer in 20. Appointments are
for customers who share their profile (associates book whom they see). Then:

1. ``queue_message`` (outreach, her channel, a default template rendered for her, by an associate of
   her home store) to ``--queue`` random reachable customers, one transaction per call as from the
   card. The hand-over to Celery on commit is swapped for a mock, so nothing is sent. Calls the cap
   refuses are counted, not timed. Queries: SQL statements on the warm-up calls (CaptureQueriesContext,
   less the BEGIN and COMMIT of the call's own transaction).
2. ``send_due`` draining ``--deliver`` queued messages (bulk_create) with Django's locmem e-mail
   backend, the locmem SMS backend, and ``HttpSmsBackend`` against a fake provider: an HTTP server
   in a thread of this process (it shares the GIL with the sender). ms are per ``deliver``; queries
   are counted by a ``connection.execute_wrapper`` (the debug query log keeps only 9,000).
3. ``card_outreach`` for the customer with most outreach (repeated) and for random reachable ones;
   ``store_day`` and My day's lists (``build_my_day``) today, for an associate of the store with most
   customers.
4. ``queue_due_reminders`` once, with every reminder of the next 24 hours still to queue.

Not a test: pytest does not collect it.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from _environment import describe  # noqa: E402
from _outreach_data import BODY, OutreachData, fake_provider  # noqa: E402
from _scratch import (  # noqa: E402
    add_database_options,
    check_database_option,
    database_for,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from common import sms  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.generate import seed  # noqa: E402
from outreach import delivery, messaging, tasks  # noqa: E402
from outreach.appointments import queue_due_reminders  # noqa: E402
from outreach.card import card_outreach  # noqa: E402
from outreach.models import Appointment, Message, Use  # noqa: E402
from outreach.selectors import store_day  # noqa: E402
from stores.models import Store  # noqa: E402
from tablet.my_day import build_my_day  # noqa: E402

WARM = 20
LOCMEM = {
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend", "OPTIONS": {}}},
    "SMS_BACKEND": "common.sms.LocmemSmsBackend",
}
BUSIEST = """SELECT customer_id, count(*) FROM (
        SELECT customer_id FROM outreach_look UNION ALL SELECT customer_id FROM outreach_wishlistitem
        UNION ALL SELECT customer_id FROM outreach_appointment WHERE status = 'booked' AND ends_at >= now()
        UNION ALL SELECT customer_id FROM outreach_message WHERE status IN ('queued', 'retrying')) x
    GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"""


def row(size: int, operation: str, ms: list[float], queries: str, context: str, per_s: float = 0) -> None:
    mean, p95 = statistics.fmean(ms), statistics.quantiles(ms, n=100, method="inclusive")[94]
    print(
        f"| {size:,} | {operation} | {len(ms):,} | {per_s or 1000 / mean:,.0f} | {mean:.2f} "
        f"| {statistics.median(ms):.2f} | {p95:.2f} | {queries} | {context} |",
        flush=True,
    )


def statements(captured: CaptureQueriesContext) -> int:
    """SQL statements, without the BEGIN and COMMIT Django's query log adds (as execute_wrapper sees)."""
    return sum(q["sql"] not in ("BEGIN", "COMMIT", "ROLLBACK") for q in captured.captured_queries)


def span(counts: list[int]) -> str:
    return f"{min(counts)}" + (f"-{max(counts)}" if max(counts) > min(counts) else "")


def measure(calls: list[Callable[[], Any]], warm: int = 3) -> tuple[list[float], str]:
    """ms of each call after the first ``warm`` ones, whose queries are counted."""
    queries = []
    for call in calls[:warm]:
        with CaptureQueriesContext(connection) as captured:
            call()
        queries.append(statements(captured))
    ms = []
    for call in calls[warm:]:
        started = time.perf_counter()
        call()
        ms.append((time.perf_counter() - started) * 1000)
    return ms, span(queries)


def counting(counter: list[int]) -> Callable[..., Any]:
    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counter[0] += 1
        return execute(sql, params, many, context)

    return wrapper


class Bench(OutreachData):
    """The measurements, on the data ``OutreachData`` adds to the demo."""

    def queueing(self) -> None:
        ids = self.rng.sample(self.reachable, min(WARM + self.args.queue, len(self.reachable)))
        calls = []
        for customer in Customer.objects.in_bulk(ids).values():
            store = self.stores[customer.home_store_id]
            by = self.users[self.rng.choice(self.staff[store.pk])]
            template = messaging.template_choices(customer=customer, store=store)[0]
            values = messaging.merge_values(customer=customer, store=store, by=by)
            subject, body = messaging.render_template(template, values)
            calls.append({"by": by, "customer": customer, "store": store, "use": Use.OUTREACH,
                          "channel": self.channels[customer.pk][0], "subject": subject, "body": body,
                          "template": template})  # fmt: skip
        in_table, ms, queries, blocked = Message.objects.count(), [], [], 0
        for n, kwargs in enumerate(calls):
            try:
                if n < WARM:
                    with CaptureQueriesContext(connection) as captured:
                        messaging.queue_message(**kwargs)
                    queries.append(statements(captured))
                else:
                    started = time.perf_counter()
                    messaging.queue_message(**kwargs)
                    ms.append((time.perf_counter() - started) * 1000)
            except messaging.MessageBlocked:
                blocked += 1
        context = f"{in_table:,} messages in the table; {blocked} of {len(calls)} refused by the cap"
        row(self.size, "queue_message", ms, span(queries), context)

    def drain(self, overrides: dict[str, Any]) -> tuple[list[float], int, float, dict[str, int]]:
        ms, counter, totals, real = [], [0], {}, delivery.deliver

        def timed(pk: int) -> delivery.Outcome:
            started = time.perf_counter()
            try:
                return real(pk)
            finally:
                ms.append((time.perf_counter() - started) * 1000)

        with (
            override_settings(**overrides),
            mock.patch.object(delivery, "deliver", timed),
            connection.execute_wrapper(counting(counter)),
        ):
            started = time.perf_counter()
            while counts := delivery.send_due():
                for status, n in counts.items():
                    totals[status] = totals.get(status, 0) + n
            elapsed = time.perf_counter() - started
        return ms, counter[0], elapsed, totals

    def delivering(self) -> None:
        self.drain(LOCMEM)  # warm-up: what the queueing above left waiting
        server, received = fake_provider()
        url = f"http://127.0.0.1:{server.server_address[1]}/messages"
        http = {"SMS_BACKEND": "common.sms.HttpSmsBackend", "SMS_HTTP_URL": url, "SMS_HTTP_TOKEN": "b"}
        runs = (("e-mail, locmem", "email", LOCMEM, lambda: len(mail.outbox)),
                ("SMS, locmem", "sms", LOCMEM, lambda: len(sms.outbox)),
                ("SMS, HTTP fake provider", "sms", http, lambda: len(received)))  # fmt: skip
        try:
            for label, channel, overrides, arrived in runs:
                mail.outbox, sms.outbox[:] = [], []
                pool, k = [c for c in self.reachable if channel in self.channels[c]], self.args.deliver
                chosen = self.rng.sample(pool, k) if len(pool) >= k else self.rng.choices(pool, k=k)
                now, subject = timezone.now(), "New in for you" if channel == "email" else ""
                Message.objects.bulk_create(
                    [Message(customer_id=c, store_id=self.store_of[c], use=Use.OUTREACH, channel=channel,
                             sent_by_id=self.rng.choice(self.staff[self.store_of[c]]), subject=subject,
                             body=BODY, send_after=now - timedelta(seconds=1), created_at=now)
                     for c in chosen],
                    batch_size=2000,
                )  # fmt: skip
                ms, queries, elapsed, totals = self.drain(overrides)
                outcome = ", ".join(f"{n:,} {status}" for status, n in sorted(totals.items()))
                context = f"{outcome}, {arrived():,} arrived; {Message.objects.count():,} in the table"
                row(self.size, f"send_due: {label}", ms, f"{queries / k:.1f}", context, per_s=k / elapsed)
        finally:
            server.shutdown()
            server.server_close()
            mail.outbox, sms.outbox[:] = [], []

    def reading(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(BUSIEST)
            busiest, rows = cursor.fetchone()
        customer = Customer.objects.get(pk=busiest)
        ms, queries = measure([lambda: card_outreach(customer)] * (3 + self.args.repeat))
        row(self.size, "card_outreach, busiest customer", ms, queries, f"{rows} rows of outreach")
        others = Customer.objects.in_bulk(self.rng.sample(self.reachable, min(220, len(self.reachable))))
        ms, queries = measure([lambda c=c: card_outreach(c) for c in others.values()], warm=20)
        row(self.size, "card_outreach, random reachable", ms, queries, "one call each")

        home = Customer.objects.active().values("home_store").annotate(n=Count("pk")).order_by("-n")[0]
        store = self.stores[home["home_store"]]
        user = User.objects.get(username=f"associate.{store.code}.1")
        today = timezone.now().astimezone(ZoneInfo(store.timezone)).date()
        slots = store_day(user, store, today)
        ms, queries = measure([lambda: store_day(user, store, today)] * (3 + self.args.repeat))
        context = f"{store.code} ({home['n']:,} home customers), {len(slots)} booked today"
        row(self.size, "store_day", ms, queries, f"{context}, {sum(not s.visible for s in slots)} hidden")
        mine = build_my_day(user, store=store).appointments
        ms, queries = measure([lambda: build_my_day(user, store=store)] * (3 + self.args.repeat))
        row(self.size, "build_my_day", ms, queries, f"{user.username}, {len(mine)} appointments today")

    def reminders(self) -> None:
        now, counter = timezone.now(), [0]
        hour, day = now + timedelta(hours=1), now + timedelta(days=1)
        due = Appointment.objects.filter(status="booked", reminder_queued_at__isnull=True, starts_at__gt=hour)
        due = due.filter(starts_at__lte=day).exclude(notify_by="").count()
        with connection.execute_wrapper(counting(counter)):
            started = time.perf_counter()
            queued = queue_due_reminders()
            elapsed = time.perf_counter() - started
        context = f"{queued} of {due} due queued in {elapsed:.2f} s (one run; ms are the mean)"
        per, n = [elapsed * 1000 / max(due, 1)] * 2, max(due, 1)
        row(self.size, "queue_due_reminders", per, f"{counter[0] / n:.1f}", context, per_s=due / elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queue", type=int, default=1000, help="queue_message calls timed")
    parser.add_argument("--deliver", type=int, default=2000, help="messages drained per backend")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each read")
    parser.add_argument("--seed", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, args.customers)
    exit_cleanly_on_sigterm()
    print(describe())
    print(f"cores: {os.cpu_count()} (this process, PostgreSQL and the fake provider share them)\n")
    print("| demo customers | operation | n | per second | ms mean | ms p50 | ms p95 | queries | context |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    data: list[tuple[int, float, dict[str, int]]] = []
    for size in args.customers:
        with scratch_database("bench_outreach", name=database_for(args.db, size), keep=args.keep) as name:
            if Customer.objects.exists():
                raise SystemExit(f"{name} holds customers already: the benchmark seeds its own.")
            started = time.perf_counter()
            seed(customers=size, seed=args.seed, today=timezone.localdate())
            Store.objects.update(quiet_hours_start=clock(0), quiet_hours_end=clock(0))
            bench = Bench(size, args)
            counts = bench.fill()
            data.append((size, time.perf_counter() - started, counts))
            with mock.patch.object(tasks.deliver, "delay"):  # queued, never handed to Celery
                bench.queueing()
                bench.delivering()
                bench.reading()
                bench.reminders()
    print("\n| demo customers | seed + fill | " + " | ".join(data[0][2]) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in data[0][2]) + " |")
    for size, seconds, counts in data:
        print(f"| {size:,} | {seconds:.0f} s | " + " | ".join(f"{n:,}" for n in counts.values()) + " |")


if __name__ == "__main__":
    main()
