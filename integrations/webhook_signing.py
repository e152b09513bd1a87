"""How a provider's webhook call proves it comes from the provider, and now.

Each call carries ``X-Timestamp`` (Unix seconds) and ``X-Signature``: the hex HMAC-SHA256, keyed
with the provider's secret, of the timestamp, a dot and the raw body (``b"1764928860." + body``).
A call is refused when the secret is not set, the signature does not match, or the timestamp is more
than ``WEBHOOK_TOLERANCE_SECONDS`` away from our clock: a captured call cannot be replayed later, and
one replayed within the window finds its messages already kept (they are unique per provider id).
"""

import hashlib
import hmac
import time

from django.conf import settings


class Unsigned(PermissionError):
    """Not signed by the provider, or not now."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check_signed(*, secret: str, timestamp: str, given: str, body: bytes, now: float | None = None) -> None:
    """Raises ``Unsigned`` saying why (never which part of a signature was wrong)."""
    if not secret:
        raise Unsigned("This webhook is not configured.")
    if not hmac.compare_digest(signature(secret, timestamp, body), given.strip().lower()):
        raise Unsigned("bad signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise Unsigned("X-Timestamp must be Unix seconds.") from None
    if abs((now if now is not None else time.time()) - sent) > settings.WEBHOOK_TOLERANCE_SECONDS:
        raise Unsigned("stale timestamp: the call is too old (or the clocks differ), refused as a replay")
