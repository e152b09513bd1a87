"""Gunicorn's settings: ``gunicorn -c python:clienteling.gunicorn_conf clienteling.wsgi``. They ship in
the package, so no file in the working directory is needed. Workers and the address come from the
environment."""

import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# The access log: JSON lines with no query strings, no tokens, no headers (common/access_log.py).
accesslog = "-"
logger_class = "common.access_log.AccessLogger"


# Metrics across workers (common/prometheus.py): with PROMETHEUS_MULTIPROC_DIR set, each worker counts in
# files there and /metrics adds them up. The master starts each run without the files of the one before,
# and marks each worker that exits as dead (its counters stay in the sums).
def on_starting(server: Any) -> None:
    from common.prometheus import forget_earlier_processes

    forget_earlier_processes()


def child_exit(server: Any, worker: Any) -> None:
    from common.prometheus import process_gone

    process_gone(worker.pid)
