"""The app's own pages for the refusals a view means to give, in development as in production.

A view raises ``Http404`` for what the person may not see (a customer who withdrew her consent, or
another store's) and ``PermissionDenied`` for what her role does not open. Without DEBUG, Django
answers with the site's ``404.html`` and ``403.html``; with DEBUG, its technical 404 page instead,
which is what a developer wants for an address no URL matches, not for these expected answers.
This middleware gives the site's pages, through its error handlers, for those a view raises,
whatever DEBUG says; an address no URL matches, and a crash (500), keep Django's debug pages."""

from collections.abc import Callable
from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver


class ErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            status = 404
        elif isinstance(exception, PermissionDenied):
            status = 403
        else:
            return None
        # The site's handler403/handler404, called as Django calls them: with the exception (which
        # the stubs, knowing only handler500's signature, leave out).
        handler = cast(
            Callable[[HttpRequest, Exception], HttpResponse],
            get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(status),
        )
        return handler(request, exception)
