import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "last_seen"
_WRITE_EVERY = 30  # seconds: refresh the timestamp at most this often, to spare session writes


class IdleLockMiddleware:
    """Sign out a session nobody has used for ``IDLE_LOCK_MINUTES`` and go back to the switch screen.

    The page's own script locks the screen at the same moment; this is what makes it hold when
    JavaScript is off or the tablet slept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_KEY, now)
            if now - last_seen > settings.IDLE_LOCK_MINUTES * 60:
                logout(request)
                target = reverse("tablet:switch")
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
            if now - last_seen >= _WRITE_EVERY or SESSION_KEY not in request.session:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
