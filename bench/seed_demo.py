"""How long seed_demo takes at 10k and 100k customers: wall time per phase and rows per table.

    .venv/bin/python bench/seed_demo.py                 # 10000 and 100000 customers
    .venv/bin/python bench/seed_demo.py --sizes 10000   # just one size
    .venv/bin/python bench/seed_demo.py --keep          # keep the databases to look around
    .venv/bin/python bench/seed_demo.py --sizes 10000 --db bench_seed_mine --keep

Each size runs in a scratch database of its own, ``bench_seed_<pid>_<hex>``, on the same server as
the app (the embedded PostgreSQL, or DATABASE_URL's server). It is created and migrated with Django's
test-database machinery and dropped afterwards, so the developer's own database is never touched
(see bench/_scratch.py). ``--db NAME`` seeds that database instead (``{size}`` in NAME stands for
each size); it must hold no customers yet, since the seed is what is measured.
Not a test: pytest does not collect it.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")

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

from customers.models import Customer  # noqa: E402
from demo.generate import SeedReport, seed  # noqa: E402


def bench_one(
    customers: int, *, today: date, seed_value: int, db: str | None, keep: bool
) -> tuple[float, SeedReport]:
    started = time.perf_counter()
    with scratch_database("bench_seed", name=database_for(db, customers), keep=keep) as name:
        if Customer.objects.exists():
            raise SystemExit(f"{name} holds customers already: the seed needs an empty database.")
        migrate_seconds = time.perf_counter() - started
        report = seed(customers=customers, seed=seed_value, today=today)
    return migrate_seconds, report


def print_report(customers: int, migrate_seconds: float, report: SeedReport) -> None:
    print(f"\n=== {customers:,} customers " + "=" * 40)
    print(f"  {'create + migrate scratch db':<28} {migrate_seconds:8.2f} s   (not part of the seed)")
    for phase, seconds in report.phases.items():
        print(f"  {phase:<28} {seconds:8.2f} s")
    print(f"  {'TOTAL seed':<28} {report.elapsed:8.2f} s")
    print(f"  {'rows per table':<34} {'rows':>12}  {'write s':>7}  (formatting + COPY)")
    for table, count in report.counts.items():
        copy = report.copy_seconds.get(table)
        print(f"    {table:<32} {count:>12,}  {'' if copy is None else f'{copy:7.2f}'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 3, 31))
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, args.sizes)
    exit_cleanly_on_sigterm()
    print(describe())

    results = []
    for customers in args.sizes:
        migrate_seconds, report = bench_one(
            customers, today=args.today, seed_value=args.seed, db=args.db, keep=args.keep
        )
        print_report(customers, migrate_seconds, report)
        results.append((customers, report))

    print("\n=== summary (seconds) " + "=" * 40)
    phases = list(results[0][1].phases)
    print(f"  {'phase':<22}" + "".join(f"{c:>12,}" for c, _ in results))
    for phase in [*phases, "TOTAL"]:
        cells = "".join(
            f"{(r.elapsed if phase == 'TOTAL' else r.phases.get(phase, 0.0)):12.2f}" for _, r in results
        )
        print(f"  {phase:<22}{cells}")


if __name__ == "__main__":
    main()
