"""How an integration system is recognised, what it may call, and how often (Django REST framework)."""

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from common import metrics
from integrations.models import ApiToken
from integrations.services import authenticate_token

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntegrationUser:
    """``request.user`` for a call made with a token: a system, never a person or a staff account."""

    token: ApiToken
    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return f"integration {self.token.prefix}"


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer clk_…``. A missing header is a 401 (no other way in); a malformed,
    unknown, forged or revoked token is a 401 with the same message (nothing to learn from it)."""

    def authenticate(self, request: Request) -> tuple[IntegrationUser, ApiToken]:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            raise exceptions.NotAuthenticated("Send your API token as “Authorization: Bearer <token>”.")
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        try:
            presented = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.") from error
        token = authenticate_token(presented)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        return IntegrationUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class HasResource(BasePermission):
    """The token may write the view's ``resource``."""

    message = "This API token may not write this resource."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        return isinstance(token, ApiToken) and view.resource in token.resources


class TokenRateThrottle(BaseThrottle):
    """``API_THROTTLE_RATE`` requests per token, counted exactly in the cache: Redis whenever Redis is
    configured, so every web process (and every thread) shares one count.

    A window opens with a token's first request and lasts the rate's period; each request adds one
    to its count with the cache's atomic increment (Redis ``INCR``), so concurrent requests in other
    processes can never both take the last place (DRF's ``SimpleRateThrottle`` reads, then writes
    a history, and lets a burst from several processes through)."""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        try:
            allowed = self._count(token)
        except CACHE_ERRORS as exc:
            # Better a request counted by no one than an API that is down with its cache: the
            # integration keeps working, and the operator hears of it.
            throttle_failed_open(exc)
            return True
        if not allowed:
            metrics.API_THROTTLED.inc()
        return allowed

    def _count(self, token: ApiToken) -> bool:
        limit, period = _parse_rate(settings.API_THROTTLE_RATE)
        key = f"throttle:api_token:{token.pk}"
        if isinstance(cache, RedisCache):
            # One round trip, atomic (MULTI/EXEC): count, give a new window its end (EXPIRE NX: only
            # a key without one), and read when it ends. A count can never outlive its window.
            name = cache.make_and_validate_key(key)
            with cache._cache.get_client(name, write=True).pipeline() as pipe:
                pipe.incr(name)
                pipe.expire(name, period, nx=True)
                pipe.ttl(name)
                count, _, remaining = pipe.execute()
            if count <= limit:
                return True
            self.retry_after = max(1.0, float(remaining))
            return False
        # Another cache (the demo's, in one process's memory): the window's opening, kept beside.
        now = time.time()
        cache.add(f"{key}:opened", now, timeout=period)  # each only if no window is open
        cache.add(key, 0, timeout=period)
        try:
            count = cache.incr(key)
        except ValueError:  # the window closed just now: this request opens the next one
            cache.add(f"{key}:opened", now, timeout=period)
            count = 1 if cache.add(key, 1, timeout=period) else cache.incr(key)
        if count <= limit:
            return True
        opened = cache.get(f"{key}:opened", now)
        self.retry_after = max(1.0, opened + period - now)
        return False

    def wait(self) -> float | None:
        return self.retry_after


# What the cache raises when its Redis is away (redis-py's errors; sockets').
CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)
_last_warning = 0.0


def throttle_failed_open(error: BaseException) -> None:
    """Count a request let through uncounted (``api_throttle_failed_open`` in /healthz), and warn
    at most once a minute per process."""
    global _last_warning
    metrics.increment("api_throttle_failed_open")
    if time.monotonic() - _last_warning >= 60:
        _last_warning = time.monotonic()
        logger.warning("API throttle off: its cache is unreachable (%s); requests are not counted", error)


def _parse_rate(rate: str) -> tuple[int, int]:
    """``"600/minute"`` as (600, 60): requests, and the window in seconds."""
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit.strip()[:1].lower()]
    return int(count), seconds


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How ``TokenAuthentication`` appears in the OpenAPI schema."""

    target_class = TokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An API token (clk_…) from the admin."}
