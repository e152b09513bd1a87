"""How an integration system is recognised, what it may call, and how often (Django REST framework)."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from integrations.models import ApiToken
from integrations.services import authenticate_token


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


class TokenRateThrottle(SimpleRateThrottle):
    """``API_THROTTLE_RATE`` requests per token, counted in the cache (shared by every web process
    when ``CACHE_URL`` points at Redis)."""

    scope = "api_token"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        return f"throttle_api_token_{token.pk}" if isinstance(token, ApiToken) else None


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How ``TokenAuthentication`` appears in the OpenAPI schema."""

    target_class = TokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An API token (clk_…) from the admin."}
