"""The nightly suggestion refresh end to end at 10k, 100k and 1M demo customers, in one process or on
Celery workers.

    timeout -k 60 2h .venv/bin/python bench/refresh.py                   # 10000 100000 1000000
    .venv/bin/python bench/refresh.py --sizes 10000                      # one size
    .venv/bin/python bench/refresh.py --sizes 1000000 --keep             # keep the seeded database
    .venv/bin/python bench/refresh.py --sizes 1000000 --db NAME          # measure it again, no re-seed
    .venv/bin/python bench/refresh.py --sizes 10000 100000 --twice       # and a second night
    .venv/bin/python bench/refresh.py --sizes 100000 --workers 1 2       # on 1, then 2 Celery workers
    .venv/bin/python bench/refresh.py --sizes 100000 --workers 1 2 --batch-size 5000
    .venv/bin/python bench/refresh.py --workers 1 2 --workers-max 100000  # as bench/all.py --full

Each size runs in a scratch database of its own, ``bench_refresh_<pid>_<hex>`` (see bench/_scratch.py),
seeded with ``demo.generate.seed`` and ``VACUUM ANALYZE``d (``--db NAME``: that database, seeded only
if it has no customers yet, never dropped if it existed, ``{size}`` in NAME standing for each size;
the suggestions of earlier runs are emptied first, so the first night is one), in a child process
of its own so its peak memory is its own.

In one process the refresh is ``suggestions.refresh.run_full_refresh`` as ``manage.py
refresh_suggestions`` runs it: read from PostgreSQL, fit, compute every consenting customer's lists
in batches, write them. Printed: customers refreshed, wall time and its breakdown (from
``suggestions.replace.timings``: load, everything read for the fit; fit; then summed over the
batches read, compute, delete and write; the engine computes a batch in a second thread while the
one before is written, so these overlap and add up to more than the wall time), rows written, peak
resident memory, BLAS threads, and the load average when it finished (this run's own threads and
PostgreSQL's count in it: about 2 on 2 cores). ``--twice`` refreshes a second time, as every night
after the first does: the first run has no old suggestions to delete.

``--workers 1 2`` (after a first night in one process): for each count, that many Celery workers
(``celery -A clienteling worker -c 1``, their broker Redis database 5 on 127.0.0.1, loopback only)
and the nightly task ``suggestions.refresh_all`` sent once: one worker fits and sends the batches,
every worker computes them. Printed: wall time from sending the task to the run finishing, the
fit's part (until the batches are sent), and each batch's cost from the workers' logs
(``suggestion batch … done``), apart for the worker that fitted (it holds the lines it read) and
the others (they read each batch's lines). Then a run fitted here, its batches on one worker that
did not fit: what a batch costs such a worker with the machine to itself. Those costs make the
many-machines estimate printed last, which is arithmetic, not a measurement (see
``estimate_many_machines``). Not a test: pytest does not collect it.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _refresh_workers import (  # noqa: E402 - bench/ on the path first
    BROKER,
    batches_on_a_worker_that_did_not_fit,
    estimate_many_machines,
    load_average,
    on_workers,
)


def measure(
    customers: int, *, db: str | None, keep: bool, seed: int, twice: bool, workers: list[int]
) -> None:
    if workers:
        os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = BROKER
    _set_up_django()
    from _scratch import database_for, exit_cleanly_on_sigterm, scratch_database
    from django.db import connection

    from demo.generate import seed as seed_demo

    exit_cleanly_on_sigterm()
    with scratch_database("bench_refresh", name=database_for(db, customers), keep=keep):
        if not _has_customers():
            started = time.perf_counter()
            seed_demo(customers=customers, seed=seed, today=date(2026, 11, 23))
            print(f"  seeded {customers:,} customers in {time.perf_counter() - started:.0f} s", flush=True)
        else:
            _forget_suggestions()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        for night in range(2 if twice else 1):
            in_one_process(customers, again=night > 0)
        if workers:
            print(
                "\n| demo customers | workers | wall | fitting | batches | batches | a batch on the worker "
                "that fitted (lines held) | a batch on another (lines read) | load average |"
            )
            print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
        for count in workers:
            on_workers(customers, count)
        if workers:
            estimate_many_machines(customers, *batches_on_a_worker_that_did_not_fit(customers))


def _set_up_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def in_one_process(customers: int, *, again: bool) -> None:
    from threadpoolctl import threadpool_info

    from suggestions import refresh, replace

    replace.timings.clear()
    started = time.perf_counter()
    run = refresh.run_full_refresh()
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    threads = sorted({info["num_threads"] for info in threadpool_info()})
    names = ("load", "fit", "read", "compute", "delete", "write")
    phases = " / ".join(f"{replace.timings[name]:.1f}" for name in names)
    label = f"{customers:,}" + (" (again)" if again else "")
    print(
        f"| {label} | {run.customers:,} | {wall:.1f} s | {phases} | {run.suggestions:,} "
        f"| {run.total_batches} | {peak_mb:,.0f} MB | {threads} | {load_average()} |",
        flush=True,
    )


def _has_customers() -> bool:
    from customers.models import Customer

    return Customer.objects.exists()


def _forget_suggestions() -> None:
    """A reused database as a seeded one: no suggestions, no runs (the owner may empty the table)."""
    from django.db import connection

    from suggestions.models import Suggestion, SuggestionRun

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Suggestion._meta.db_table}")
    SuggestionRun.objects.all().delete()


def main() -> None:
    from _scratch import add_database_options, check_database_option

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--twice", action="store_true", help="refresh again, over the first run's rows")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="*",
        default=[],
        help="also on this many Celery workers (Redis on 6379/5)",
    )
    parser.add_argument(
        "--workers-max", type=int, help="on workers only up to this many customers (default: every size)"
    )
    parser.add_argument("--batch-size", type=int, help="SUGGESTIONS_BATCH_SIZE (default: the setting's)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process's size
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, [args.one] if args.one else args.sizes)
    if args.batch_size:
        os.environ["SUGGESTIONS_BATCH_SIZE"] = str(args.batch_size)  # for the child and its workers
    if args.one:
        measure(args.one, db=args.db, keep=args.keep, seed=args.seed, twice=args.twice, workers=args.workers)
        return
    _set_up_django()
    from _environment import describe

    print(describe())
    print(
        "| demo customers | refreshed (consenting) | wall | load / fit / read / compute / delete / write s "
        "| rows written | batches | peak memory | BLAS threads | load average |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    for size in args.sizes:
        flags = [f"--one={size}", f"--seed={args.seed}"] + [
            flag for flag, on in (("--keep", args.keep), ("--twice", args.twice)) if on
        ]
        if args.db:
            flags.append(f"--db={args.db}")
        if args.workers and (args.workers_max is None or size <= args.workers_max):
            flags += ["--workers", *map(str, args.workers)]
        subprocess.run([sys.executable, __file__, *flags], check=True)  # noqa: S603 - our own script


if __name__ == "__main__":
    main()
