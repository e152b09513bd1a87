"""The nightly suggestion refresh end to end at 10k, 100k and 1M demo customers.

    timeout -k 60 2h .venv/bin/python bench/refresh.py                   # 10000 100000 1000000
    .venv/bin/python bench/refresh.py --sizes 10000                      # one size
    .venv/bin/python bench/refresh.py --sizes 1000000 --keep             # keep bench_refresh_1000000
    .venv/bin/python bench/refresh.py --sizes 1000000 --reuse            # measure it again, no re-seed
    .venv/bin/python bench/refresh.py --sizes 10000 100000 --twice       # and a second night

Each size runs in its own scratch database, ``bench_refresh_<n>`` (see bench/_scratch.py), seeded with
``demo.generate.seed`` and ``VACUUM ANALYZE``d, in a child process of its own so its peak memory is
its own. The refresh is ``suggestions.refresh.run_full_refresh`` as ``manage.py refresh_suggestions``
runs it (one process; the Celery tasks run the same batches spread over workers): read from
PostgreSQL (binary COPY), fit, compute every consenting customer's lists in batches, write them.
Printed: customers refreshed, wall time and its breakdown (from ``suggestions.replace.timings``: load,
everything read for the fit; fit; then summed over the batches read, compute, delete and write), rows
written, peak resident memory, BLAS threads. ``--twice`` refreshes a second time, as every night
after the first does: the first run has no old suggestions to delete.
Not a test: pytest does not collect it.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(customers: int, *, keep: bool, reuse: bool, seed: int, twice: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from _scratch import exit_cleanly_on_sigterm, scratch_database
    from django.db import connection
    from threadpoolctl import threadpool_info

    from demo.generate import seed as seed_demo
    from suggestions import refresh, replace

    exit_cleanly_on_sigterm()
    with scratch_database(f"bench_refresh_{customers}", keep=keep, reuse=reuse):
        if not _has_customers():
            started = time.perf_counter()
            seed_demo(customers=customers, seed=seed, today=date(2026, 11, 23))
            print(f"  seeded {customers:,} customers in {time.perf_counter() - started:.0f} s", flush=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        for night in range(2 if twice else 1):
            replace.timings.clear()
            started = time.perf_counter()
            run = refresh.run_full_refresh()
            wall = time.perf_counter() - started
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            threads = sorted({info["num_threads"] for info in threadpool_info()})
            names = ("load", "fit", "read", "compute", "delete", "write")
            phases = " / ".join(f"{replace.timings[name]:.1f}" for name in names)
            label = f"{customers:,}" + (" (again)" if night else "")
            print(
                f"| {label} | {run.customers:,} | {wall:.1f} s | {phases} | {run.suggestions:,} "
                f"| {run.total_batches} | {peak_mb:,.0f} MB | {threads} |",
                flush=True,
            )


def _has_customers() -> bool:
    from customers.models import Customer

    return Customer.objects.exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--twice", action="store_true", help="refresh again, over the first run's rows")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process's size
    args = parser.parse_args()
    if args.one:
        measure(args.one, keep=args.keep, reuse=args.reuse, seed=args.seed, twice=args.twice)
        return
    print(
        "| demo customers | refreshed (consenting) | wall | load / fit / read / compute / delete / write s "
        "| rows written | batches | peak memory | BLAS threads |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for size in args.sizes:
        flags = [f"--one={size}", f"--seed={args.seed}"] + [
            flag
            for flag, on in (("--keep", args.keep), ("--reuse", args.reuse), ("--twice", args.twice))
            if on
        ]
        subprocess.run([sys.executable, __file__, *flags], check=True)  # noqa: S603 - our own script


if __name__ == "__main__":
    main()
