"""Celery tasks' outcomes and durations (``common.metrics``), from Celery's signals, and a worker's own
scrape endpoint. ``connect()`` wires both (``clienteling/celery.py``).

Outcomes come from ``task_success``, ``task_failure`` and ``task_retry``, which fire once per outcome
wherever it is decided: in the process that ran the task, or in a prefork worker's main process when
a child was killed or overran its hard time limit (then no duration is counted). Durations run from
``task_prerun`` to ``task_postrun`` in the process that ran the task.

A worker serves its scrape on ``CELERY_METRICS_ADDR:CELERY_METRICS_PORT`` (off while the port is
unset) from its main process, once its pool is up. A prefork pool runs tasks in child processes, so it
counts across them only in multiprocess mode: with a port and no ``PROMETHEUS_MULTIPROC_DIR``, such a
worker logs an error and keeps its port closed rather than serve figures that never move."""

import logging
import time
from typing import Any

from celery import Task, signals
from django.conf import settings

from common import prometheus

logger = logging.getLogger(__name__)

_servers: list[Any] = []
_refused: list[bool] = []  # the port stays closed (see _worker_starting)


def connect() -> None:
    """Connect the handlers below to Celery's signals (once, however often this is called)."""
    for signal, handler in (
        (signals.task_prerun, _task_started),
        (signals.task_postrun, _task_finished),
        (signals.task_success, _task_succeeded),
        (signals.task_failure, _task_failed),
        (signals.task_retry, _task_retried),
        (signals.worker_init, _worker_starting),
        (signals.worker_ready, _worker_ready),
        (signals.worker_shutdown, _worker_stopping),
        (signals.worker_process_shutdown, _pool_process_gone),
    ):
        signal.connect(handler, weak=False, dispatch_uid=f"common.task_metrics.{handler.__name__}")


def _name(task: Any) -> str:
    return str(getattr(task, "name", None) or "unknown")


# A task's start is kept on its request (the context Celery pushes for the run, and pops after
# postrun), so a run that never reaches postrun leaves nothing behind.
_STARTED = "metrics_started_at"


def _task_started(sender: Task | None = None, **kwargs: Any) -> None:
    if sender is not None:
        setattr(sender.request, _STARTED, time.perf_counter())


def _task_finished(sender: Task | None = None, **kwargs: Any) -> None:
    from common import metrics  # see _count

    started = getattr(sender.request, _STARTED, None) if sender is not None else None
    if started is not None:
        metrics.TASK_SECONDS.labels(task=_name(sender)).observe(time.perf_counter() - started)


def _count(task: Task | None, outcome: str) -> None:
    # Imported here, not above: gunicorn's configuration imports the clienteling package, and so this
    # module, in gunicorn's master, which must make no metric (in multiprocess mode, a file in
    # PROMETHEUS_MULTIPROC_DIR) before it has made and emptied that directory.
    from common import metrics

    metrics.TASKS.labels(task=_name(task), outcome=outcome).inc()


def _task_succeeded(sender: Task | None = None, **kwargs: Any) -> None:
    _count(sender, "success")


def _task_failed(sender: Task | None = None, **kwargs: Any) -> None:
    _count(sender, "failure")


def _task_retried(sender: Task | None = None, **kwargs: Any) -> None:
    _count(sender, "retry")


def _worker_starting(sender: Any = None, **kwargs: Any) -> None:
    """The worker's main process, before its pool starts: forget an earlier run's multiprocess files,
    or, for a prefork pool without a directory for them, say why the port stays closed (a signal
    handler cannot stop the worker)."""
    _refused.clear()
    if not settings.CELERY_METRICS_PORT:
        return
    pool = getattr(sender, "pool_cls", None)
    prefork = "prefork" in (pool if isinstance(pool, str) else getattr(pool, "__module__", ""))
    if prefork and prometheus.multiprocess_dir() is None:
        _refused.append(True)
        logger.error(
            "CELERY_METRICS_PORT is ignored: the prefork pool runs (and counts) tasks in child processes, "
            "so it needs PROMETHEUS_MULTIPROC_DIR, a directory of this worker's own"
        )
        return
    prometheus.forget_earlier_processes()


def _worker_ready(sender: Any = None, **kwargs: Any) -> None:
    if settings.CELERY_METRICS_PORT and not _servers and not _refused:
        _servers.append(
            prometheus.serve_scrapes(addr=settings.CELERY_METRICS_ADDR, port=settings.CELERY_METRICS_PORT)
        )


def _worker_stopping(sender: Any = None, **kwargs: Any) -> None:
    while _servers:
        server = _servers.pop()
        server.shutdown()
        server.server_close()


def _pool_process_gone(sender: Any = None, pid: int | None = None, **kwargs: Any) -> None:
    if pid is not None:
        prometheus.process_gone(pid)
