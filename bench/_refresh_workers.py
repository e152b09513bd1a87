"""bench/refresh.py's runs on Celery workers: the nightly task sent to 1 or more workers (Redis on
127.0.0.1, database 5), each batch's cost read from the workers' logs, and the many-machines
estimate made from those costs (arithmetic, not a measurement)."""

import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from suggestions.models import SuggestionRun

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/5"
RUN_TIMEOUT = 30 * 60  # seconds a run on the workers may take before the bench gives up


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


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
        f"| {load_average()} |",
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
        f"worker that did not fit in {wall:.1f} s: a batch {_summary(costs)}; load average {load_average()}",
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
