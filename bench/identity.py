"""Identity at several sizes: the nightly duplicate search, and merging and undoing a profile.

    timeout -k 60 60m .venv/bin/python bench/identity.py                       # 10,000 and 100,000
    .venv/bin/python bench/identity.py --customers 10000 --orders 10 100 1000

For each ``--customers`` size, a scratch database of its own (``bench_identity_<pid>_<hex>``, see
bench/_scratch.py; ``--db NAME``: that one, which must hold no customers yet, ``{size}`` in NAME
standing for each size) is seeded with the demo generator as of ``--today`` (a fixed day, so every
run finds the same duplicates), then:

  duplicates   identity.duplicates.find_duplicates over every active profile (wall time, pairs queued)
  merge        identity.merging.merge_customers of a profile with N orders (2 lines each), 10 notes and
               5 identifiers into a consenting demo customer: wall time and queries
  undo         identity.merging.undo_merge of that merge, after an order added since

Not a test: pytest does not collect it.
"""

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
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
    database_for,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from catalog.models import Product  # noqa: E402
from consent.models import ConsentState, PurposeCode  # noqa: E402
from customers.models import Customer, CustomerIdentifier  # noqa: E402
from demo.generate import seed  # noqa: E402
from identity.duplicates import find_duplicates  # noqa: E402
from identity.merging import merge_customers, undo_merge  # noqa: E402
from relationships.models import Note  # noqa: E402
from sales.models import Channel, Order, OrderLine  # noqa: E402
from stores.models import Store  # noqa: E402


def twin_with(orders: int, store: Store, products: list[Product], tag: str, now: datetime) -> Customer:
    twin = Customer.objects.create(given_name="Bench", family_name=f"Twin {tag}", source="sales")
    rows = Order.objects.bulk_create(
        Order(
            channel=Channel.WEB,
            external_id=f"bench-{tag}-{n}",
            customer=twin,
            store=store,
            placed_at=now - timedelta(days=n % 700),
            currency="GBP",
            total_amount=Decimal("98.00"),
        )
        for n in range(orders)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=o,
            line_number=k + 1,
            product=products[(i + k) % len(products)],
            quantity=1,
            unit_price=Decimal("49.00"),
            amount=Decimal("49.00"),
        )
        for i, o in enumerate(rows)
        for k in range(2)
    )
    Note.objects.bulk_create(Note(customer=twin, store=store, body=f"note {n}") for n in range(10))
    CustomerIdentifier.objects.bulk_create(
        CustomerIdentifier(customer=twin, kind="external", namespace="bench", value=f"{tag}-{n}")
        for n in range(5)
    )
    return twin


def timed(call):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - started
    return result, elapsed * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--orders", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument(
        "--today", type=date.fromisoformat, default=date(2026, 11, 30), help="the demo's today"
    )
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, args.customers)
    exit_cleanly_on_sigterm()
    print(describe())
    # The twins' orders are dated back from midday on --today, as the demo's are.
    now = datetime.combine(args.today, datetime.min.time().replace(hour=12), tzinfo=UTC)
    print("| demo customers | duplicate search | pairs queued | orders moved | merge | undo |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size in args.customers:
        with scratch_database("bench_identity", name=database_for(args.db, size), keep=args.keep) as name:
            if Customer.objects.exists():
                raise SystemExit(f"{name} holds customers already: the benchmark seeds its own.")
            seed(customers=size, seed=7, today=args.today)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            started = time.perf_counter()
            pairs = find_duplicates()
            search = time.perf_counter() - started
            store = Store.objects.order_by("pk").first()
            products = list(Product.objects.filter(category__is_sensitive=False)[:50])
            consenting = list(
                ConsentState.objects.filter(purpose_id=PurposeCode.PROFILE, granted=True)
                .order_by("customer_id")
                .values_list("customer_id", flat=True)[: len(args.orders)]
            )
            for orders, survivor_id in zip(args.orders, consenting, strict=False):
                survivor = Customer.objects.get(pk=survivor_id)
                twin = twin_with(orders, store, products, f"{size}-{orders}", now)
                merge, merge_ms, merge_q = timed(
                    lambda s=survivor, t=twin: merge_customers(
                        survivor=s, merged=t, kind="manual", reason="bench"
                    )
                )
                Order.objects.create(
                    channel=Channel.WEB,
                    external_id=f"after-{orders}",
                    customer=survivor,
                    store=store,
                    placed_at=now,
                    currency="GBP",
                    total_amount=Decimal(1),
                )
                _, undo_ms, undo_q = timed(lambda m=merge: undo_merge(merge=m, reason="bench"))
                print(
                    f"| {size:,} | {search:.1f} s | {pairs:,} | {orders:,} "
                    f"| {merge_ms:.0f} ms, {merge_q} queries | {undo_ms:.0f} ms, {undo_q} queries |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
