"""Prometheus's scrape: ``/metrics`` on the web, and a port of its own on a Celery worker.

Neither is public. ``/metrics`` answers 404 while ``METRICS_TOKEN`` is unset, and then only to
``Authorization: Bearer <METRICS_TOKEN>`` (401 otherwise); it is never audited and opens no session.
A worker's endpoint (``CELERY_METRICS_PORT``, bound to ``CELERY_METRICS_ADDR``, 127.0.0.1 unless
told) asks for the same token when one is set.

Several processes, one answer: gunicorn's workers, and a Celery worker's pool, each count in their own
process. With ``PROMETHEUS_MULTIPROC_DIR`` set (prometheus-client's multiprocess mode: each process
writes its values to files there), a scrape adds up every process's files; the files of an earlier
run are deleted when gunicorn's master or the Celery worker starts (``forget_earlier_processes``), and
a process that exits is marked dead. Without it (runserver, tests, one process), the process's own.
"""

import hmac
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client itself, at import


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_DIR, "").strip()
    return Path(value) if value else None


def scrape_registry() -> Collector:
    """What a scrape reports: every process's files in multiprocess mode, else this process's registry."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry


def forget_earlier_processes() -> None:
    """Start a server's run with no values from the run before: delete every process's files but this
    one's (gunicorn's master, which counts nothing, before it starts its workers; a Celery worker's
    main process, before it starts its pool: its own files are this run's)."""
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    mine = f"_{os.getpid()}.db"
    for stale in directory.glob("*.db"):
        if not stale.name.endswith(mine):
            stale.unlink(missing_ok=True)


def process_gone(pid: int) -> None:
    """A process that counted has exited: its live gauges go (its counters stay in the sums)."""
    if multiprocess_dir() is not None:
        mark_process_dead(pid)


def token_matches(authorization: str) -> bool:
    """``Authorization: Bearer <METRICS_TOKEN>``, compared in constant time."""
    scheme, _, presented = authorization.partition(" ")
    expected = settings.METRICS_TOKEN
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape: 404 without ``METRICS_TOKEN``; 401 without it in the request."""
    if not settings.METRICS_TOKEN:
        raise Http404
    if request.headers.get("X-Forwarded-Proto", "").lower() == "http":
        raise Http404  # through the public proxy in clear: the token must not travel that way
    if not token_matches(request.headers.get("Authorization", "")):
        response = HttpResponse("Send the metrics token as “Authorization: Bearer <token>”.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(scrape_registry()), content_type=content_type)


# --- A Celery worker's own endpoint ---------------------------------------------------------------

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def scrape_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The WSGI form of ``metrics_view``'s answer, at any path (what a worker's port serves)."""
    encode, content_type = choose_encoder(environ.get("HTTP_ACCEPT", ""))
    body = encode(scrape_registry())
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def guarded(app: WsgiApp) -> WsgiApp:
    """``app`` behind the metrics token, when one is set."""

    def guarded_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if settings.METRICS_TOKEN and not token_matches(environ.get("HTTP_AUTHORIZATION", "")):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [b"Send the metrics token as Authorization: Bearer <token>.\n"]
        return app(environ, start_response)

    return guarded_app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread a scrape, so a slow scraper holds up no other."""

    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged: one every few seconds would drown the worker's log."""


def serve_scrapes(*, addr: str, port: int) -> WSGIServer:
    """Serve the scrape (the token's guard in front) on ``addr:port`` from a thread of this process;
    ``shutdown()`` the returned server to stop it. ``addr`` may be IPv4 or IPv6."""
    family = socket.getaddrinfo(addr, port, type=socket.SOCK_STREAM)[0][0]
    server_class = type("ScrapeServer", (_ThreadingServer,), {"address_family": family})
    server: WSGIServer = make_server(
        addr, port, guarded(scrape_app), server_class=server_class, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True, name="metrics-server").start()
    logger.info("worker metrics on http://%s:%s/metrics", addr, server.server_port)
    return server
