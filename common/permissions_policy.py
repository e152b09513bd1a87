"""The ``Permissions-Policy`` header: which powerful browser features a page may use.

``settings.PERMISSIONS_POLICY`` names each feature with the origins allowed it (an empty list: none;
``"self"``: this site). A view that needs more, such as the tablet's scan page and its camera, says
so with ``@permits(camera=["self"])``; every other page keeps the default.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Permissions-Policy"


def header_value(policy: dict[str, list[str]]) -> str:
    """``camera=(self), microphone=()``: the header's syntax (structured fields)."""
    return ", ".join(
        f"{feature}=({' '.join(o if o == 'self' or o == '*' else f'"{o}"' for o in origins)})"
        for feature, origins in policy.items()
    )


def permits(**features: list[str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """This view's pages may use ``features`` (say ``camera=["self"]``), beyond the default."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            policy = {**settings.PERMISSIONS_POLICY, **{k.replace("_", "-"): v for k, v in features.items()}}
            response[HEADER] = header_value(policy)
            return response

        return wrapper

    return decorate


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default = header_value(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(HEADER, self.default)
        return response
