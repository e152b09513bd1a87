"""The outreach a retailer would have built up, added to the demo for bench/outreach.py.

Who can be reached (consent for a channel and an address for it), a backlog of two messages per
reachable customer over the last 30 days (one SQL insert), 30 appointments per store per day over 30
days (around what the demo booked already), and looks and wishlists for one reachable customer in 20;
plus a stand-in SMS provider to deliver to. Imported by the benchmark only.
"""

import argparse
import json
import random
import threading
from datetime import datetime, timedelta
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from consent.selectors import consenting
from customers.models import Customer
from outreach.models import Appointment, Look, LookItem, Message, WishlistItem
from stores.models import Store

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


def fake_provider() -> tuple[ThreadingHTTPServer, list[str]]:
    """A stand-in for an SMS provider (after tests/outreach/fake_provider.py): 200 and an id for each POST."""
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


class OutreachData:
    """The demo's stores, staff and reachable customers, and ``fill`` to add the outreach above."""

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
            # random() in BACKLOG draws from this session's generator: seed it, so every run writes
            # the same backlog (reach is a temporary table, scanned in one order, never in parallel).
            cursor.execute("SELECT setseed(%s)", [self.rng.random() * 2 - 1])
            cursor.execute(BACKLOG, [BODY])
        busy: dict[int, list[tuple[datetime, datetime]]] = {}  # what the demo booked already
        taken = Appointment.objects.filter(status="booked").values_list("associate", "starts_at", "ends_at")
        for who, *times in taken:
            busy.setdefault(who, []).append(tuple(times))
        booked, products, length = [], [], timedelta(minutes=45)
        for store in self.stores.values():
            zone, today = ZoneInfo(store.timezone), now.astimezone(ZoneInfo(store.timezone)).date()
            people = list(User.objects.filter(username__startswith=f"associate.{store.code}.").order_by("pk"))
            seen = consenting(Customer.objects.active(), "profile").filter(
                home_store=store
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
