"""Reachability of what the app needs, for load balancers: ``/healthz`` (readiness: the database and,
when configured, the Celery broker answer) and ``/livez`` (liveness: this process answers).

``/healthz`` answers within a second whatever is down: each part is probed on a connection of its
own (never the request pool, which may be waiting for a database that is gone), with short
timeouts, both at once; a probe that has not answered by the deadline counts as down."""

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import urlsplit

import psycopg
import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from redis.backoff import NoBackoff
from redis.retry import Retry

from common import metrics

DEADLINE_SECONDS = 0.9
PROBE_TIMEOUT_SECONDS = 0.5
_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")


def probe_database(timeout: float = PROBE_TIMEOUT_SECONDS) -> dict[str, Any]:
    """``SELECT 1`` on a new connection with the app's credentials, bounded by ``timeout``."""
    started = time.perf_counter()
    known = connection.get_connection_params()
    params: dict[str, Any] = {key: value for key, value in known.items() if key in CONNECT_KEYS}
    params["connect_timeout"] = max(int(timeout + 0.999), 1)  # whole seconds, at least one
    params["options"] = f"-c statement_timeout={max(int(timeout * 1000), 1)}"
    try:
        with psycopg.connect(**params) as probe:
            probe.execute("SELECT 1").fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


CONNECT_KEYS = {"dbname", "user", "password", "host", "port", "sslmode", "sslrootcert", "sslcert", "sslkey"}


def probe_broker(timeout: float = PROBE_TIMEOUT_SECONDS) -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    url = str(settings.CELERY_BROKER_URL)
    started = time.perf_counter()
    try:
        if urlsplit(url).scheme in ("redis", "rediss"):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
            )
            with client:
                client.ping()
        else:
            with Connection(url, connect_timeout=timeout) as conn:
                conn.ensure_connection(max_retries=0, timeout=max(int(timeout + 0.999), 1))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "mode": "broker", "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_all() -> dict[str, dict[str, Any]]:
    """Both probes at once; one that misses the deadline counts as down."""
    started = time.monotonic()
    futures = {"database": _probes.submit(probe_database), "broker": _probes.submit(probe_broker)}
    checks: dict[str, dict[str, Any]] = {}
    for name, future in futures.items():
        try:
            checks[name] = future.result(timeout=max(DEADLINE_SECONDS - (time.monotonic() - started), 0.01))
        except FutureTimeout:
            checks[name] = {"ok": False, "error": "timeout"}
    return checks


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database and the broker answer, 503 otherwise, within a second. Also
    this process's counters of degraded operation (``common.metrics``)."""
    checks = check_all()
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks, "counters": metrics.snapshot()},
        status=200 if healthy else 503,
    )


@require_GET
@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers requests (restart it if not). Touches nothing else."""
    return JsonResponse({"status": "ok"})
