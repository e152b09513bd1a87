"""Outreach at several sizes of demo data: queueing a message, delivering, reading, reminders.

    timeout -k 60 50m .venv/bin/python bench/outreach.py                  # 10,000 and 100,000
    timeout -k 60 3h .venv/bin/python bench/outreach.py --customers 1000000

For each ``--customers`` size, a scratch database ``bench_outreach`` (bench/_scratch.py) is seeded
with the demo generator; the stores' quiet hours are switched off, as in the tests, so the figures do
not depend on the hour of the run (that rule is arithmetic, no query). On top of what the demo
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
   ``store_day`` and ``todays_appointments`` today, for an associate of the store with most customers.
4. ``queue_due_reminders`` once, with every reminder of the next 24 hours still to queue.

Not a test: pytest does not collect it.
"""

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from _scratch import exit_cleanly_on_sigterm, scratch_database  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from catalog.models import Product  # noqa: E402
from clienteling import sms  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.generate import seed  # noqa: E402
from outreach import delivery, messaging, tasks  # noqa: E402
from outreach.appointments import queue_due_reminders  # noqa: E402
from outreach.models import Appointment, Look, LookItem, Message, Use, WishlistItem  # noqa: E402
from outreach.selectors import card_outreach, store_day, todays_appointments  # noqa: E402
from stores.models import Store  # noqa: E402

WARM = 20
LOCMEM = {
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend", "OPTIONS": {}}},
    "SMS_BACKEND": "clienteling.sms.LocmemSmsBackend",
}
BODY = "Hello, the new season is in and I have put a few pieces aside for you. Come and see them?"
# Each channel each active customer with a home store can be reached on.
REACH = """CREATE TEMP TABLE reach AS
    SELECT c.id AS customer_id, c.home_store_id AS store_id, v.channel FROM customers_customer c
    CROSS JOIN (VALUES ('email', 'contact_email', 'email'), ('sms', 'contact_sms', 'phone')) v(channel, p, k)
    WHERE c.merged_into_id IS NULL AND c.erased_at IS NULL AND c.home_store_id IS NOT NULL
      AND EXISTS (SELECT FROM consent_consentstate s WHERE s.customer_id = c.id AND s.purpose_id = v.p
                  AND s.granted)
      AND EXISTS (SELECT FROM customers_customeridentifier i WHERE i.customer_id = c.id AND i.kind = v.k)"""
# Two messages per reachable customer on her preferred channel, over the last 30 days.
BACKLOG = """WITH staff AS (
        SELECT m.store_id, array_agg(u.id ORDER BY u.id) AS ids FROM accounts_storemembership m
        JOIN accounts_user u ON u.id = m.user_id AND u.role = 'associate' GROUP BY m.store_id)
    INSERT INTO outreach_message (public_id, customer_id, store_id, sent_by_id, use, channel, subject, body,
        status, send_after, attempts, last_error, provider_reference, sent_at, finished_at, created_at)
    SELECT gen_random_uuid(), m.customer_id, m.store_id, s.ids[1 + floor(m.u * cardinality(s.ids))::int],
        CASE WHEN m.u < 0.2 THEN 'look' ELSE 'outreach' END, m.channel,
        CASE WHEN m.channel = 'email' THEN 'New in for you' ELSE '' END, %s,
        CASE WHEN m.v < 0.03 THEN 'failed' WHEN m.v < 0.05 THEN 'cancelled' ELSE 'sent' END, m.at, 1, '', '',
        CASE WHEN m.v >= 0.05 THEN m.at END, CASE WHEN m.v < 0.05 THEN m.at END, m.at
    FROM (SELECT r.*, random() AS u, random() AS v, now() - random() * interval '30 days' AS at
          FROM (SELECT DISTINCT ON (customer_id) * FROM reach ORDER BY customer_id, channel) r
          CROSS JOIN generate_series(1, 2) n) m
    JOIN staff s ON s.store_id = m.store_id"""
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


def fake_provider() -> tuple[ThreadingHTTPServer, list[str]]:
    """A stand-in for an SMS provider (after tests/outreach/fake_sms.py): 200 and an id for each POST."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"])))["to"])
            answer = json.dumps({"id": f"fake-{len(received)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


class Bench:
    def __init__(self, size: int, args: argparse.Namespace) -> None:
        self.size, self.args, self.rng = size, args, random.Random(args.seed)
        self.stores = Store.objects.in_bulk()
        self.staff: dict[int, list[int]] = {}  # store -> its associates
        for user, store in User.objects.filter(role="associate").values_list("pk", "memberships__store"):
            self.staff.setdefault(store, []).append(user)
        self.users = User.objects.in_bulk([u for ids in self.staff.values() for u in ids])
        self.store_of: dict[int, int] = {}
        self.channels: dict[int, list[str]] = {}  # reachable customer -> her channels, e-mail first
        with connection.cursor() as cursor:
            cursor.execute(REACH)
            cursor.execute("SELECT customer_id, store_id, channel FROM reach ORDER BY customer_id, channel")
            for customer, store, channel in cursor.fetchall():
                self.store_of[customer] = store
                self.channels.setdefault(customer, []).append(channel)
        self.reachable = list(self.channels)
        products = Product.objects.filter(is_active=True, category__is_sensitive=False)
        self.products = list(products.values_list("pk", flat=True))

    def fill(self) -> dict[str, int]:
        now, rng = timezone.now(), self.rng
        with connection.cursor() as cursor:
            cursor.execute(BACKLOG, [BODY])
        busy: dict[int, list[tuple[datetime, datetime]]] = {}  # what the demo booked already
        taken = Appointment.objects.filter(status="booked").values_list("associate", "starts_at", "ends_at")
        for who, *times in taken:
            busy.setdefault(who, []).append(tuple(times))
        booked, products, length = [], [], timedelta(minutes=45)
        for store in self.stores.values():
            zone, today = ZoneInfo(store.timezone), now.astimezone(ZoneInfo(store.timezone)).date()
            people = list(User.objects.filter(username__startswith=f"associate.{store.code}.").order_by("pk"))
            seen = (
                Customer.objects.active().consenting("profile").filter(home_store=store)
            )  # she can book them
            pool = list(seen.values_list("pk", flat=True))
            for day in (today + timedelta(days=d) for d in range(-15, 15)):
                for n, person in enumerate(people):  # 30 a day, shared out; each at her first free slots
                    at, end = datetime.combine(day, clock(8), zone), datetime.combine(day, clock(21), zone)
                    for _ in range(30 // len(people) + (n < 30 % len(people))):
                        while any(s < at + length and at < e for s, e in busy.get(person.pk, [])):
                            at += timedelta(minutes=15)
                        if at + length > end:
                            break
                        customer = rng.choice(pool)
                        notify_by = self.channels.get(customer, [""])[0]
                        past = notify_by and at <= now + timedelta(hours=1)  # reminded already
                        booked.append(Appointment(
                            customer_id=customer, store=store, associate=person, starts_at=at,
                            ends_at=at + length, purpose=rng.choice(Appointment.Purpose.values),
                            status="cancelled" if rng.random() < 0.1 else "booked", notify_by=notify_by,
                            reminder_queued_at=at - timedelta(days=1) if past else None, created_by=person,
                            created_at=min(now, at) - timedelta(days=rng.randint(1, 20))))  # fmt: skip
                        products.append(rng.sample(self.products, rng.randint(0, 3)))
                        at += length
        Appointment.objects.bulk_create(booked, batch_size=2000)
        link = Appointment.products.through
        pairs = zip(booked, products, strict=True)
        links = [link(appointment_id=a.pk, product_id=p) for a, ps in pairs for p in ps]
        link.objects.bulk_create(links, batch_size=5000)
        looks, items, wishes = [], [], []
        for customer in rng.sample(self.reachable, max(50, len(self.reachable) // 20)):
            store, by = self.store_of[customer], rng.choice(self.staff[self.store_of[customer]])
            for _ in range(rng.randint(1, 3)):
                at = now - timedelta(days=rng.uniform(0, 60))
                look = Look(customer_id=customer, store_id=store, created_by_id=by, title="Chosen for you",
                            created_at=at, expires_at=at + timedelta(days=30))  # fmt: skip
                looks.append(look)
                for n, product in enumerate(rng.sample(self.products, rng.randint(3, 6))):
                    liked = at + timedelta(hours=3) if rng.random() < 0.3 else None
                    items.append(LookItem(look=look, product_id=product, position=n, liked_at=liked))
            for product in rng.sample(self.products, rng.randint(2, 6)):
                at = now - timedelta(days=rng.uniform(0, 90))
                wishes.append(WishlistItem(customer_id=customer, product_id=product, added_via="associate",
                                           added_by_id=by, store_id=store, created_at=at))  # fmt: skip
        Look.objects.bulk_create(looks, batch_size=2000)
        LookItem.objects.bulk_create(items, batch_size=5000)
        WishlistItem.objects.bulk_create(wishes, batch_size=5000, ignore_conflicts=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        counts = {
            "reachable": len(self.reachable),
            "by e-mail": sum(c[0] == "email" for c in self.channels.values()),
        }
        for model in (Message, Appointment, Look, LookItem, WishlistItem):
            counts[str(model._meta.verbose_name_plural)] = model.objects.count()
        return counts

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
        http = {"SMS_BACKEND": "clienteling.sms.HttpSmsBackend", "SMS_HTTP_URL": url, "SMS_HTTP_TOKEN": "b"}
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
        mine = todays_appointments(user, store)
        ms, queries = measure([lambda: todays_appointments(user, store)] * (3 + self.args.repeat))
        row(self.size, "todays_appointments", ms, queries, f"{user.username}, {len(mine)} today")

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
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    print(f"cores: {os.cpu_count()} (this process, PostgreSQL and the fake provider share them)\n")
    print("| demo customers | operation | n | per second | ms mean | ms p50 | ms p95 | queries | context |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    data: list[tuple[int, float, dict[str, int]]] = []
    for size in args.customers:
        with scratch_database("bench_outreach"):
            started = time.perf_counter()
            seed(customers=size, seed=args.seed, today=timezone.localdate())
            # The bench books its own, far more numerous appointments (the demo's would overlap them).
            Appointment.objects.all().delete()
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
