"""Bulk API throughput: orders with lines through POST /api/v1/orders/, against raw COPY of the same
lines into the same table in the same run.

    timeout -k 60 30m .venv/bin/python bench/api.py                         # 5000 20000 orders
    .venv/bin/python bench/api.py --orders 20000 --per-request 1000

One scratch database of its own, ``bench_api_<pid>_<hex>`` (see bench/_scratch.py; ``--db NAME``:
that one, which must hold no store yet), with a catalogue of 2,000 products in
one store. Orders have 1–6 lines (3.5 on average) and a customer in 80% of them, named by e-mail,
phone or loyalty number, each customer buying about three times (so both "new customer" and
"known identifier" paths run). Requests go through ``django.test.Client`` in-process (the WSGI
stack, authentication, parsing, validation, identity resolution and writes; no network), serially.

``--workers`` sends with that many processes at once, as that many web workers would serve them
(each process its own connection). Printed per size: the first send (everything created), the same
payloads again (unchanged), and ``COPY`` of the same number of order lines straight into
``sales_orderline`` (rolled back), in lines per second. Not a test: pytest does not collect it.
"""

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from _copy import raw_copy  # noqa: E402
from _environment import describe  # noqa: E402
from _scratch import (  # noqa: E402
    add_database_options,
    check_database_option,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from catalog.models import Category, Product  # noqa: E402
from integrations.services import issue_token  # noqa: E402
from sales.models import Order, OrderLine  # noqa: E402
from stores.models import Store  # noqa: E402
from tests.factories import StoreFactory  # noqa: E402

PRODUCTS = 2_000


def _catalogue() -> list[str]:
    tops = Category.objects.create(code="tops", name="Tops")
    Product.objects.bulk_create(
        Product(sku=f"SKU-{n:05d}", name=f"Product {n}", category=tops, price=10 + n % 90)
        for n in range(PRODUCTS)
    )
    return [f"SKU-{n:05d}" for n in range(PRODUCTS)]


def _orders(n: int, skus: list[str], *, seed: int, prefix: str) -> list[dict]:
    rng = random.Random(seed)
    customers = max(n // 3, 1)
    orders = []
    for i in range(n):
        lines = [
            {
                "line_number": k + 1,
                "product": rng.choice(skus),
                "quantity": rng.randint(1, 3),
                "unit_price": "25.00",
                "amount": "25.00",
            }
            for k in range(rng.randint(1, 6))
        ]
        who = rng.randrange(customers)
        kind = who % 3
        customer = (
            None
            if rng.random() < 0.2
            else {"email": f"{prefix}{who}@example.com"}
            if kind == 0
            else {"phone": f"+4479{who:08d}"}
            if kind == 1
            else {"loyalty": f"{prefix.upper()}L{who:08d}"}
        )
        orders.append(
            {
                "channel": "store",
                "external_id": f"{prefix}-{i}",
                "store": "london",
                "placed_at": f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T12:00:00+00:00",
                "currency": "GBP",
                "total_amount": "100.00",
                "customer": customer,
                "lines": lines,
            }
        )
    return orders


def _send(token: str, orders: list[dict], per_request: int, workers: int) -> tuple[float, dict[str, int]]:
    """Send every order, ``workers`` processes at once (as many web workers would serve them), each
    a contiguous share of the requests; returns the wall time and the summed counts."""
    requests = [orders[start : start + per_request] for start in range(0, len(orders), per_request)]
    shares = [[token, requests[n::workers]] for n in range(workers)]
    _close_connections()  # each process opens its own (a forked socket would be shared)
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        counted = pool.starmap(_send_share, shares)
    elapsed = time.perf_counter() - started
    return elapsed, {name: sum(c[name] for c in counted) for name in counted[0]}


def _send_share(token: str, requests: list[list[dict]]) -> dict[str, int]:
    client = Client()
    totals = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    for batch in requests:
        body = json.dumps(batch)
        response = client.post(
            "/api/v1/orders/",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")
        counts = response.json()
        for name in totals:
            totals[name] += counts[name]
    _close_connections()
    return totals


def _close_connections() -> None:
    connections.close_all()
    if hasattr(connection, "close_pool"):  # DATABASE_POOL: the pool's idle connections too
        connection.close_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--orders", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--per-request", type=int, default=1_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="processes sending at once")
    add_database_options(parser, sized=False)
    args = parser.parse_args()
    check_database_option(parser, args.db, None)
    exit_cleanly_on_sigterm()
    print(describe())
    setup_test_environment()
    settings.API_THROTTLE_RATE = "1000000/minute"
    settings.API_BULK_LIMIT = max(settings.API_BULK_LIMIT, args.per_request)
    with scratch_database("bench_api", name=args.db, keep=args.keep) as name:
        if Store.objects.exists():
            raise SystemExit(f"{name} holds stores already: the benchmark makes its own.")
        StoreFactory(code="london", country="GB")
        skus = _catalogue()
        _, token = issue_token(name="Bench", resources=["orders"], all_stores=True)
        print(
            "| orders | workers | lines | first send | lines/s | again (unchanged) | lines/s "
            "| raw COPY lines/s | API / COPY |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
        for size in args.orders:
            for workers in args.workers:
                orders = _orders(size, skus, seed=size * 10 + workers, prefix=f"b{size}w{workers}")
                lines = sum(len(o["lines"]) for o in orders)
                first, totals = _send(token, orders, args.per_request, workers)
                assert totals["created"] == size, totals  # a benchmark that lies is worse than none
                again, totals = _send(token, orders, args.per_request, workers)
                assert totals["unchanged"] == size, totals
                copy = raw_copy(lines)
                print(
                    f"| {size:,} | {workers} | {lines:,} | {first:.1f} s | {lines / first:,.0f} "
                    f"| {again:.1f} s | {lines / again:,.0f} | {lines / copy:,.0f} | {copy / first:.0%} |",
                    flush=True,
                )
        print(f"\n{OrderLine.objects.count():,} lines and {Order.objects.count():,} orders written in all.")


if __name__ == "__main__":
    main()
