"""The customer's side at several history sizes: opting in, her privacy centre, her download, erasure.

    timeout -k 60 30m .venv/bin/python bench/privacy.py                      # 10 100 1000 5000 orders
    .venv/bin/python bench/privacy.py --orders 10 1000 --customers 10000

One scratch database of its own, ``bench_privacy_<pid>_<hex>``, on the same server as the app (see
bench/_scratch.py; ``--db NAME``: that one, which must hold no customers yet), seeded with
``demo.generate.seed`` (``--customers``, default 10,000, as of the fixed ``--today``) so the ledger,
audit and sales tables hold a store's worth of other people. Then, through ``django.test.Client`` in-process:

  opt-in       POST /join/<poster>/ (code sent) + POST /join/verify/ (ledger written), per customer
  centre       GET /me/ for a customer with N orders (2 lines each), 40 notes and 300 profile views
  export       building her ZIP (privacy.export.build: JSON + CSVs, file written), and its size
  erasure      privacy.erasure.erase_customer for her (every table, in one transaction)

"server ms" is the wall time of the request or call; queries are counted with Django's debug cursor.
Not a test: pytest does not collect it.
"""

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
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
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from catalog.models import Product  # noqa: E402
from consent.models import DataExport  # noqa: E402
from consent.tokens import collection_point_token  # noqa: E402
from customer_site.privacy_session import issue_link  # noqa: E402
from customers.models import Customer, CustomerIdentifier  # noqa: E402
from demo.generate import seed  # noqa: E402
from privacy.erasure import erase_customer  # noqa: E402
from privacy.export import build  # noqa: E402
from relationships.models import Note  # noqa: E402
from sales.models import Channel, Order, OrderLine  # noqa: E402
from stores.models import CollectionPoint, Store  # noqa: E402

CODE = re.compile(r"\b(\d{6})\b")
STATE = re.compile(r'name="state" value="([^"]+)"')


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(call: Callable[[], object]) -> tuple[float, int]:
    """(ms, queries) for one call."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries)


def opt_in(client: Client, poster: str, email: str) -> tuple[float, int, Customer]:
    """Both steps of a phone opt-in; returns (ms, queries, customer)."""
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        asked = client.post(
            poster, {"purposes": ["profile", "suggestions", "contact_email"], "contact": email}
        )
        state = STATE.search(asked.content.decode())
        assert state, asked.content[:500]
        code = CODE.search(mail.outbox[-1].body)
        assert code
        done = client.post("/join/verify/", {"state": state.group(1), "code": code.group(1)})
        assert done.status_code == 302, done.content[:500]
    elapsed = (time.perf_counter() - started) * 1000
    customer = CustomerIdentifier.objects.get(kind="email", value=email).customer
    return elapsed, len(queries), customer


def give_history(customer: Customer, store: Store, orders: int) -> None:
    """``orders`` orders of 2 lines, 40 notes and 300 profile views, written in bulk."""
    products = list(Product.objects.filter(category__is_sensitive=False).order_by("pk")[:200])
    staff = User.objects.filter(role=Role.ASSOCIATE, stores=store).first()
    now = timezone.now()
    made = Order.objects.bulk_create(
        Order(
            channel=Channel.STORE,
            external_id=f"BENCH-{customer.pk}-{n}",
            customer=customer,
            store=store,
            placed_at=now - timedelta(days=n % 1500, hours=n % 24),
            currency=store.currency,
            total_amount=Decimal("98.00"),
        )
        for n in range(orders)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            line_number=line,
            product=products[(n * 2 + line) % len(products)],
            quantity=1,
            unit_price=Decimal("49.00"),
            amount=Decimal("49.00"),
        )
        for n, order in enumerate(made)
        for line in (1, 2)
    )
    Note.objects.bulk_create(
        Note(customer=customer, store=store, author=staff, body=f"Bench note {n}: prefers a relaxed fit.")
        for n in range(40)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            occurred_at=now - timedelta(hours=n),
            actor=staff,
            actor_kind="staff",
            action="customer.viewed",
            customer_id=customer.pk,
            store_id=store.pk,
        )
        for n in range(300)
    )


def signed_in_phone(customer: Customer) -> Client:
    phone = Client(HTTP_HOST="localhost")
    token = issue_link(customer, channel="email").rstrip("/").rsplit("/", 1)[1]
    assert phone.post(f"/me/link/{token}/").status_code == 302
    return phone


def measure_history(poster: str, store: Store, size: int, *, requests: int) -> str:
    """One table row: her privacy centre, her download and her erasure with ``size`` orders."""
    _, _, customer = opt_in(Client(HTTP_HOST="localhost"), poster, f"history.{size}@example.com")
    give_history(customer, store, size)
    phone = signed_in_phone(customer)
    for _ in range(3):
        phone.get("/me/")
    pages = [timed(lambda: phone.get("/me/")) for _ in range(requests)]
    page_ms = [ms for ms, _ in pages]
    export = DataExport.objects.create(customer=customer)  # as request_export, minus the queue
    export_ms, _ = timed(lambda: build(export.pk))
    export.refresh_from_db()
    erase_ms, _ = timed(lambda: erase_customer(customer.pk))
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
    if export.file:
        export.file.delete(save=False)
    return (
        f"| {size:,} ({2 * size:,}) | {statistics.median(page_ms):.1f} / {p95(page_ms):.1f} "
        f"| {max(q for _, q in pages)} | {export_ms:.0f} | {export.size_bytes / 1024:.0f} "
        f"| {erase_ms:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--orders", type=int, nargs="+", default=[10, 100, 1000, 5000])
    parser.add_argument("--customers", type=int, default=10_000, help="demo customers seeded first")
    parser.add_argument("--requests", type=int, default=30, help="privacy-centre GETs per size")
    parser.add_argument("--opt-ins", type=int, default=30)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=date(2026, 11, 30), help="the demo's today"
    )
    add_database_options(parser, sized=False)
    args = parser.parse_args()
    check_database_option(parser, args.db, None)
    exit_cleanly_on_sigterm()
    print(describe())
    setup_test_environment()  # e-mail into mail.outbox; nothing leaves the machine
    # Every opt-in here comes from one browser session at one address (127.0.0.1): lift the limits
    # per device and per address, which would stop it at 5 and 20.
    settings.OTP_SENDS_PER_DEVICE_PER_HOUR = 1_000_000
    settings.OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR = 1_000_000
    with scratch_database("bench_privacy", name=args.db, keep=args.keep) as name:
        if Customer.objects.exists():
            raise SystemExit(f"{name} holds customers already: the benchmark seeds its own.")
        print(f"seeding {args.customers:,} demo customers ...", flush=True)
        seed(customers=args.customers, seed=7, today=args.today)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        point = CollectionPoint.objects.select_related("store").order_by("pk").first()
        assert point is not None
        poster = f"/join/{collection_point_token(point.pk)}/"

        # Opt-ins: a new phone (client) each, as in a store.
        optin_ms: list[float] = []
        optin_queries: list[int] = []
        for n in range(args.opt_ins + 3):
            ms, queries, _ = opt_in(Client(HTTP_HOST="localhost"), poster, f"bench.{n}@example.com")
            if n >= 3:  # warm-up
                optin_ms.append(ms)
                optin_queries.append(queries)
        print(
            f"\nopt-in (join + verify), {len(optin_ms)} customers: "
            f"median {statistics.median(optin_ms):.1f} ms, p95 {p95(optin_ms):.1f} ms, "
            f"queries {min(optin_queries)}-{max(optin_queries)}"
        )

        print(
            "\n| orders (lines) | centre median / p95 ms | centre queries | export build ms "
            "| ZIP KB | erasure ms |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for size in args.orders:
            print(measure_history(poster, point.store, size, requests=args.requests), flush=True)


if __name__ == "__main__":
    main()
