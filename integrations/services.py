"""Issuing, checking and revoking integration tokens."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from integrations.models import ApiToken, Resource
from stores.models import Store

TOKEN_PREFIX = "clk_"  # noqa: S105 - a marker that says "this is a token", not a secret
_PREFIX = re.compile(r"[0-9a-f]{8}")
# last_used_at is written at most this often per token, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    # A token is 256 random bits: a fast hash is enough (nothing to brute-force), and it is what lets
    # every API request be checked without a slow key-derivation function.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *,
    name: str,
    resources: Iterable[str],
    stores: Iterable[Store] = (),
    all_stores: bool = False,
    by: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is shown once and never stored."""
    resources = sorted(set(resources))
    unknown = set(resources) - set(Resource.values)
    if unknown or not resources:
        raise ValueError(f"Resources must be some of {', '.join(Resource.values)}; got {resources}.")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name,
        prefix=prefix,
        key_hash=_digest(secret),
        resources=resources,
        all_stores=all_stores,
        created_by=by,
    )
    token.stores.set(list(stores))
    record_event(by=by, action="api_token.issued", detail={"token": token.pk, "resources": resources})
    return token, secret


def revoke_token(token: ApiToken, *, by: User | None = None) -> None:
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
        record_event(by=by, action="api_token.revoked", detail={"token": token.pk})


def authenticate_token(presented: str) -> ApiToken | None:
    """The active token ``presented`` is, or None (unknown, malformed, forged or revoked)."""
    if not presented.startswith(TOKEN_PREFIX):
        return None
    prefix = presented[len(TOKEN_PREFIX) :].partition("_")[0]
    if not _PREFIX.fullmatch(prefix):
        return None  # also keeps bytes PostgreSQL refuses (NUL) out of the query
    token = ApiToken.objects.active().filter(prefix=prefix).prefetch_related("stores").first()
    if token is None or not hmac.compare_digest(token.key_hash, _digest(presented)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def store_ids_of(token: ApiToken) -> set[int] | None:
    """The stores whose data this token may write; None: every store."""
    return None if token.all_stores else {store.pk for store in token.stores.all()}
