"""Staff pages in their store's language and formats."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.models import User
from accounts.selectors import current_store

# The customer's own pages follow her phone (LocaleMiddleware), even on a handed-over tablet.
CUSTOMER_NAMESPACES = frozenset({"customer_site"})


class StoreLocaleMiddleware:
    """A member of staff sees the app in her store's ``locale`` (``fr-fr``: French words, French dates
    and numbers; ``en-gb``: English, British dates), unless she chose a language herself (the
    language cookie, set from her menu). After ``LocaleMiddleware``; the store is read once per
    request (``current_store``, which the staff pages read anyway)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        match = request.resolver_match
        if (
            isinstance(user, User)
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not (match and CUSTOMER_NAMESPACES & set(match.namespaces))
            and (store := current_store(request)) is not None
        ):
            translation.activate(store.locale)
            request.LANGUAGE_CODE = translation.get_language()
        return None
