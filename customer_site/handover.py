"""Hand-over mode: an associate starts the opt-in on her tablet and hands it to the customer.

While it lasts, the tablet shows the opt-in pages only: every other page redirects there, so nothing
of any customer is on screen, and leaving needs the PIN of the associate who started it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import User
from stores.models import CollectionPoint, Store

SESSION_KEY = "hand_over"
# Paths open during hand-over: the opt-in pages, leaving hand-over, language choice, static files.
_OPEN_PREFIXES = ("/join/", "/tablet/hand-over/", "/i18n/", "/static/", "/healthz", "/logout/")


@dataclass(frozen=True)
class HandOver:
    store_id: int
    by_user_id: int


TABLET_POINT = "tablet"


def start(request: HttpRequest, *, store: Store, by: User) -> None:
    # Opt-ins on a tablet are recorded against the store's "tablet" collection point.
    CollectionPoint.objects.get_or_create(
        store=store, code=TABLET_POINT, defaults={"name": "Associate tablets"}
    )
    request.session[SESSION_KEY] = {"store": store.pk, "by": by.pk}


def end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def current(request: HttpRequest) -> HandOver | None:
    state = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not state or not getattr(request, "user", None) or not request.user.is_authenticated:
        return None
    return HandOver(store_id=state["store"], by_user_id=state["by"])


class HandOverMiddleware:
    """Keeps a handed-over tablet on the opt-in pages (after the session and auth middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if current(request) is not None and not request.path.startswith(_OPEN_PREFIXES):
            target = reverse("customer_site:join-assisted")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)
