"""Import throughput on the Online Retail export, against raw COPY of as many order lines into the
same table in the same run.

    timeout -k 60 30m .venv/bin/python bench/imports.py                # the first 50,000 rows, then all
    .venv/bin/python bench/imports.py --rows 100000 --customers 1000000
    .venv/bin/python bench/imports.py --rows --customers --stores 300 --store-rows 50000   # stores only

Reads ``../shared/data/online_retail.csv.gz`` (never copied into the repo). Each size runs in a
fresh scratch database of its own, ``bench_imports_<pid>_<hex>`` (see bench/_scratch.py; ``--db
NAME``: that one, which must hold no store yet, ``{size}`` in NAME standing for each size):
``integrations.imports.import_sales`` (COPY the file into a staging table, check every row in SQL,
create categories, products, customers with their identifiers, orders and lines, set-based, in one
transaction), then the same file again (all already here), then ``COPY`` of the same number of rows
straight into ``sales_orderline``, committed like the import (the commit checks the deferred foreign
keys). Then a synthetic customers file of each ``--customers`` size, imported twice. Then a synthetic
multi-store sales file (a grocer's: ``--store-rows`` rows over each ``--stores`` number of stores, none
of them here yet, sparse baskets of one to three lines with a unit price), imported with
``--create-stores`` and again (all here).
Not a test: pytest does not collect it.
"""

import argparse
import gzip
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from _copy import raw_copy  # noqa: E402
from _environment import describe  # noqa: E402
from _scratch import (  # noqa: E402
    add_database_options,
    check_database_option,
    database_for,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.db import connection  # noqa: E402

from integrations.imports import import_sales  # noqa: E402
from stores.models import Store  # noqa: E402
from stores.services import StoreDefaults  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "online_retail.csv.gz"


def _first_rows(rows: int | None, directory: Path) -> Path:
    if rows is None:
        return DATA
    path = directory / f"online_retail_{rows}.csv"
    with gzip.open(DATA, "rt", encoding="utf-8") as source, path.open("w", encoding="utf-8") as target:
        for n, line in enumerate(source):
            if n > rows:
                break
            target.write(line)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="*", default=[50_000, 0], help="0: the whole file")
    parser.add_argument(
        "--customers",
        type=int,
        nargs="*",
        default=[10_000, 100_000],
        help="sizes of the synthetic customers file (customer id, names, e-mail, phone, loyalty, store)",
    )
    parser.add_argument(
        "--stores",
        type=int,
        nargs="*",
        default=[300],
        help="numbers of stores of the synthetic multi-store sales file, made by --create-stores",
    )
    parser.add_argument("--store-rows", type=int, default=50_000, help="rows of that file")
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, [*args.rows, *args.customers, *args.stores])
    if not DATA.exists():
        raise SystemExit(f"{DATA} is not here (it comes with the shared data folder).")
    exit_cleanly_on_sigterm()
    print(describe())
    if args.rows:
        print(
            "| rows | imported (lines) | import | rows/s | again (all here) | raw COPY rows/s "
            "| import / COPY |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    with tempfile.TemporaryDirectory() as directory:
        for rows in args.rows:
            path = _first_rows(rows or None, Path(directory))
            with scratch_database("bench_imports", name=database_for(args.db, rows), keep=args.keep):
                refuse_unless_empty()
                started = time.perf_counter()
                summary = import_sales(path, source="online-retail")
                first = time.perf_counter() - started
                started = time.perf_counter()
                import_sales(path, source="online-retail")
                again = time.perf_counter() - started
                copy = raw_copy(summary.rows)
                print(
                    f"| {summary.rows:,} | {summary.lines_created:,} | {first:.1f} s "
                    f"| {summary.rows / first:,.0f} | {again:.1f} s | {summary.rows / copy:,.0f} "
                    f"| {copy / first:.0%} |",
                    flush=True,
                )
        if args.customers:
            print("\n| customers in the file | import | rows/s | again (all here) |")
            print("| --- | --- | --- | --- |", flush=True)
        for size in args.customers:
            path = _customers_file(size, Path(directory))
            with scratch_database("bench_imports", name=database_for(args.db, size), keep=args.keep):
                refuse_unless_empty()
                Store.objects.create(code="london", name="London", country="GB", currency="GBP")
                started = time.perf_counter()
                summary = import_sales(path, source="crm")
                first = time.perf_counter() - started
                started = time.perf_counter()
                import_sales(path, source="crm")
                again = time.perf_counter() - started
                print(
                    f"| {summary.rows:,} | {first:.1f} s | {summary.rows / first:,.0f} | {again:.1f} s |",
                    flush=True,
                )
        if args.stores:
            print("\n| stores (made) | rows | orders | import | rows/s | again (all here) |")
            print("| --- | --- | --- | --- | --- | --- |", flush=True)
        for stores in args.stores:
            path = _stores_file(stores, args.store_rows, Path(directory))
            with scratch_database("bench_imports", name=database_for(args.db, stores), keep=args.keep):
                refuse_unless_empty()
                defaults = StoreDefaults(country="GB", currency="GBP", timezone="Europe/London")
                started = time.perf_counter()
                summary = import_sales(path, source="pos", create_stores=defaults)
                first = time.perf_counter() - started
                started = time.perf_counter()
                import_sales(path, source="pos", create_stores=defaults)
                again = time.perf_counter() - started
                print(
                    f"| {stores:,} ({len(summary.stores_created):,}) | {summary.rows:,} "
                    f"| {summary.orders_created:,} | {first:.1f} s | {summary.rows / first:,.0f} "
                    f"| {again:.1f} s |",
                    flush=True,
                )


def refuse_unless_empty() -> None:
    """The first import is what is measured: a database named with --db must not hold one already."""
    if Store.objects.exists():
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds stores already: the import needs an empty one."
        )


def _customers_file(size: int, directory: Path) -> Path:
    """A customers file: names, e-mails, UK mobile numbers written as people write them, loyalty
    numbers on half, the London store on most; every 50th e-mail repeats another customer's."""
    path = directory / f"customers_{size}.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("customer_id,given_name,family_name,email,phone,loyalty,home_store\n")
        for n in range(size):
            email = f"customer{n - 1 if n % 50 == 49 else n}@example.com"
            phone = f"07911 {n % 1_000_000:06d}" if n % 3 else f"+44 7911 {n % 1_000_000:06d}"
            loyalty = f"LOY-{n:08d}" if n % 2 else ""
            store = "london" if n % 10 else ""
            handle.write(f"C{n},Given{n},Family{n},{email},{phone},{loyalty},{store}\n")
    return path


def _stores_file(stores: int, rows: int, directory: Path) -> Path:
    """A grocer's sales in the generic format: baskets of one to three lines in ``stores`` stores
    (codes 1, 2, …, none of them here), 5,000 products, a customer id on two baskets in three."""
    chance = random.Random(stores)
    path = directory / f"stores_{stores}_{rows}.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("customer_id,order_id,product_id,ordered_at,quantity,store_id,category,unit_price\n")
        written, basket = 0, 0
        while written < rows:
            basket += 1
            store = chance.randint(1, stores)
            customer = f"C{chance.randint(1, rows // 4)}" if chance.random() < 2 / 3 else ""
            day = (
                f"2025-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d} {chance.randint(8, 21):02d}:00"
            )
            for _ in range(min(chance.randint(1, 3), rows - written)):
                product = chance.randint(1, 5_000)
                price = f"{product % 997 / 100 + 0.5:.2f}"
                handle.write(
                    f"{customer},B{basket},P{product},{day},{chance.randint(1, 4)},{store},"
                    f"aisle-{product % 40},{price}\n"
                )
                written += 1
    return path


if __name__ == "__main__":
    main()
