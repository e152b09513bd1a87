"""HTTP helpers: the htmx request type, pages that vary with htmx, the client's address, and links
that leave the site (in messages, on posters and QR codes)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (typing only)."""

    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The client's IP address; behind a trusted proxy (``TRUST_X_FORWARDED_FOR``), the address the
    proxy saw, which it appends last to X-Forwarded-For."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The page, or (for htmx) the fragment ``template`` names after ``#``; varies on HX-Request."""
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def absolute_url(path: str) -> str:
    """``path`` on the site as customers reach it (``PUBLIC_BASE_URL``), for links sent or printed."""
    return f"{settings.PUBLIC_BASE_URL}{path}"
