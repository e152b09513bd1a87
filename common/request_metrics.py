"""Each request's time and database queries, by route name (``common.metrics``), counted by the first
middleware so that everything below it, every other middleware included, is inside the count.

A route is its URL pattern's name as the resolver knows it (``tablet:card``, ``api:orders``): never
the path, which carries customers' ids and signed tokens. A path no pattern matches is
``<unresolved>``, static files ``<static>``; a request answered before its view ran (a redirect to
HTTPS, a 503 while the database is away) still counts under its pattern's name."""

import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from common import metrics

# The methods people and the API use get a label each; any other (HEAD, PUT, OPTIONS…, which anyone
# may send to any route) counts as "other", so that nobody can multiply the series a scrape holds.
METHODS = frozenset({"GET", "POST"})


class QueryCount:
    """An ``execute_wrapper``: counts the statements run through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = QueryCount()
        started = time.perf_counter()
        with ExitStack() as wrappers:
            for alias in connections:
                wrappers.enter_context(connections[alias].execute_wrapper(queries))
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        status = f"{response.status_code // 100}xx"
        metrics.REQUEST_SECONDS.labels(route=route, method=method, status=status).observe(elapsed)
        metrics.REQUEST_QUERIES.labels(route=route).observe(queries.count)
        return response


def route_of(request: HttpRequest) -> str:
    """The name of the URL pattern the request's path matches (``namespace:name``)."""
    if request.resolver_match is not None:
        return request.resolver_match.view_name
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return metrics.STATIC
    try:
        return resolve(request.path_info, urlconf=getattr(request, "urlconf", None)).view_name
    except Resolver404:
        return metrics.UNRESOLVED
