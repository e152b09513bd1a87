"""When the database is away: a quick, honest 503 with ``Retry-After`` instead of a 500 after a wait.

A request that fails on a connection-level database error (a connection lost mid-query, none to be
had from the pool), wherever it was raised, reaches ``server_error`` (``handler500``); when a probe on
a connection of its own confirms the database is not answering, it is a 503, and for
``REST_SECONDS`` after that this process answers every request 503 at once
(``DatabaseOutageMiddleware``), without queueing on the pool, then tries again. A database error
while the database answers (a conflict, a bug) is not an outage, and stays a 500."""

import logging
import sys
import threading
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from common import metrics
from common.health import probe_database

logger = logging.getLogger(__name__)

REST_SECONDS = 5.0
RETRY_AFTER_SECONDS = 10
EXEMPT_PATHS = ("/healthz", "/livez")  # they probe for themselves

_lock = threading.Lock()
_down_until = 0.0


def database_resting() -> bool:
    return time.monotonic() < _down_until


def _rest() -> None:
    global _down_until
    with _lock:
        _down_until = time.monotonic() + REST_SECONDS


def unavailable(request: HttpRequest) -> HttpResponse:
    """503, in the caller's language: JSON for the API, a short page for people."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The service is briefly unavailable. Nothing was saved; send it again shortly."},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """First in the stack: while the database rests, answer 503 at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if database_resting() and not request.path.startswith(EXEMPT_PATHS):
            metrics.increment("database_resting_answers")  # at once: no wait on the pool
            return unavailable(request)
        return self.get_response(request)


def is_outage(error: BaseException | None) -> bool:
    """A connection-level database error, and the database does not answer a probe of its own."""
    return isinstance(error, (OperationalError, InterfaceError)) and not probe_database()["ok"]


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: whatever raised it, in a view or a middleware (a session read, the user's
    lookup), a database that is away is a 503, not a 500."""
    if is_outage(sys.exc_info()[1]):
        if not database_resting():
            logger.warning("database unreachable: answering 503 for %s s", REST_SECONDS)
        _rest()
        metrics.increment("database_unavailable_answers")
        return unavailable(request)
    return defaults.server_error(request)
