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
import math
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from suggestions.models import SuggestionRun

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/5"
RUN_TIMEOUT = 30 * 60  # seconds a run on the workers may take before the bench gives up


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
        f"| {run.total_batches} | {peak_mb:,.0f} MB | {threads} | {_load_average()} |",
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


def _load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# --- on Celery workers -----------------------------------------------------------------------------

_BATCH_LINE = re.compile(
    r"suggestion batch (?P<batch>\d+) of run (?P<run>\d+) done: (?P<customers>\d+) customers, "
    r"(?P<suggestions>\d+) suggestions; read (?P<read>[\d.]+) s \(lines (?P<lines>held|read)\), "
    r"compute (?P<compute>[\d.]+) s, write (?P<write>[\d.]+) s"
)


@dataclass(frozen=True)
class BatchCost:
    worker: int
    lines: str  # "held": the worker that fitted; "read": another
    read: float
    compute: float
    write: float

    @property
    def total(self) -> float:
        return self.read + self.compute + self.write


def on_workers(customers: int, count: int) -> None:
    """The nightly task on ``count`` workers, from sending it to the run finishing."""
    from suggestions.tasks import refresh_all

    with tempfile.TemporaryDirectory() as scratch, _workers(count, Path(scratch)) as logs:
        sent = time.time()
        refresh_all.delay()
        run = _wait_for_a_finished_run(after=sent)
        wall = run.finished_at.timestamp() - sent
        fitted = (run.batches_sent_at or run.finished_at).timestamp() - sent
        costs = _batch_costs(logs, run.pk)
    held = [cost for cost in costs if cost.lines == "held"]
    read = [cost for cost in costs if cost.lines == "read"]
    print(
        f"| {customers:,} | {count} | {wall:.1f} s | {fitted:.1f} s | {wall - fitted:.1f} s "
        f"| {run.total_batches} | {len(held)}: {_summary(held)} | {len(read)}: {_summary(read)} "
        f"| {_load_average()} |",
        flush=True,
    )


def batches_on_a_worker_that_did_not_fit(customers: int) -> tuple[list[BatchCost], int, float]:
    """A run fitted here, its batches on one worker (which reads each batch's lines): what a batch
    costs a worker that did not fit, with the machine to itself. Also the run's batches, and the
    seconds it took to fit here (load and fit)."""
    from suggestions import refresh, replace
    from suggestions.tasks import refresh_batch

    replace.timings.clear()
    run = refresh.current_full_run()
    fit = replace.timings["load"] + replace.timings["fit"]
    with tempfile.TemporaryDirectory() as scratch, _workers(1, Path(scratch)) as logs:
        sent = time.time()
        for batch_id in refresh.pending_batches(run):
            refresh_batch.delay(batch_id)
        run = _wait_for_a_finished_run(after=sent, pk=run.pk)
        costs = _batch_costs(logs, run.pk)
    wall = run.finished_at.timestamp() - sent
    print(
        f"\n{customers:,} customers fitted here in {fit:.1f} s, then {run.total_batches} batches on one "
        f"worker that did not fit in {wall:.1f} s: a batch {_summary(costs)}; load average {_load_average()}",
        flush=True,
    )
    return costs, run.total_batches, fit


def _summary(costs: list[BatchCost]) -> str:
    if not costs:
        return "-"
    total, read, compute, write = (
        statistics.median(getattr(c, part) for c in costs) for part in ("total", "read", "compute", "write")
    )
    return f"{total:.2f} s (read {read:.2f} / compute {compute:.2f} / write {write:.2f}, medians)"


class _workers:
    """``count`` Celery worker processes on the scratch database, each ``-c 1``, logging to files."""

    def __init__(self, count: int, folder: Path) -> None:
        self.count, self.folder = count, folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> list[Path]:
        from clienteling.celery import app

        app.control.purge()
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": BROKER,
            "CELERY_RESULT_BACKEND": BROKER,
            "DEBUG": "false",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "INFO",
        }
        env.pop("MIGRATION_DATABASE_URL", None)
        logs = [self.folder / f"worker{n}.log" for n in range(self.count)]
        for n, log in enumerate(logs):
            command = [
                sys.executable, "-m", "celery", "-A", "clienteling", "worker", "-c", "1",
                "-n", f"bench{n}@%h", "--without-heartbeat", "--without-mingle", "--without-gossip",
                "--loglevel", "INFO",
            ]  # fmt: skip
            with log.open("w") as out:
                self.processes.append(
                    subprocess.Popen(  # noqa: S603 - our own command
                        command,
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 120
        while len(app.control.ping(timeout=1.0) or []) < self.count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.__exit__()
                raise SystemExit("the workers did not start:\n" + logs[0].read_text()[-3000:])
        return logs

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _database_url() -> str:
    """The scratch database, for the workers (the credentials this process uses)."""
    from django.db import connection

    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "127.0.0.1"), safe="")
    user = quote(str(params.get("user") or "postgres"), safe="")
    password = f":{quote(str(params['password']), safe='')}" if params.get("password") else ""
    name = connection.settings_dict["NAME"]
    return f"postgres://{user}{password}@{host}:{params.get('port') or 5432}/{name}"


def _wait_for_a_finished_run(*, after: float, pk: int | None = None) -> "SuggestionRun":
    from suggestions.models import SuggestionRun

    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        runs = SuggestionRun.objects.filter(kind=SuggestionRun.Kind.FULL).defer("model")
        run = runs.get(pk=pk) if pk else runs.order_by("-started_at").first()
        if run is not None and run.finished_at is not None and run.finished_at.timestamp() > after:
            if run.status != SuggestionRun.Status.DONE:
                raise SystemExit(f"run {run.pk} {run.status}: {run.error}")
            return run
        time.sleep(0.2)
    raise SystemExit(f"no run finished within {RUN_TIMEOUT} s")


def _batch_costs(logs: list[Path], run: int) -> list[BatchCost]:
    time.sleep(0.5)  # the last batch's line is written after its commit
    costs = []
    for worker, log in enumerate(logs):
        for found in _BATCH_LINE.finditer(log.read_text()):
            if int(found["run"]) == run:
                costs.append(
                    BatchCost(
                        worker,
                        found["lines"],
                        float(found["read"]),
                        float(found["compute"]),
                        float(found["write"]),
                    )
                )
    return costs


DATABASE_CORES = 16
MACHINE_WORKERS = 2


def estimate_many_machines(customers: int, costs: list[BatchCost], batches: int, fit: float) -> None:
    """An estimate, not a measurement, from the costs measured above: the batches of ``customers``
    (and of ten times as many: ten times the batches, and a fit ten times as long) spread over
    machines of ``MACHINE_WORKERS`` worker processes, PostgreSQL on a server of ``DATABASE_CORES``.
    A batch costs a worker what it cost here; what it costs PostgreSQL is at most its read and write
    time, and PostgreSQL's cores serve batches side by side. The fit stays on one machine."""
    if not costs or not batches:
        return
    per_batch = statistics.median(c.total for c in costs)
    database = statistics.median(c.read + c.write for c in costs)
    print(
        f"\nEstimate, not a measurement: a batch {per_batch:.2f} s on a worker, at most {database:.2f} s "
        f"of it PostgreSQL's; machines of {MACHINE_WORKERS} worker processes; PostgreSQL on {DATABASE_CORES} "
        "cores"
    )
    print("| customers | machines | fit (one machine) | batches | bounded by | whole refresh |")
    print("| --- | --- | --- | --- | --- | --- |")
    for scale in (1, 10):
        for machines in (1, 2, 4, 8, 16, 32):
            total = batches * scale
            on_workers = math.ceil(total / (MACHINE_WORKERS * machines)) * per_batch
            on_database = total * database / DATABASE_CORES
            part = max(on_workers, on_database)
            bound = "workers" if on_workers >= on_database else "PostgreSQL"
            print(
                f"| {customers * scale:,} | {machines} | {fit * scale:.0f} s | {part:.0f} s | {bound} "
                f"| {fit * scale + part:.0f} s |"
            )


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
