"""Calling the providers' webhooks as a provider does: the body signed with a timestamp."""

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

SECRET = "s3cret"


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_signed(  # type: ignore[no-untyped-def]
    client,
    path: str,
    payload: Any,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
    raw: bytes | None = None,
):
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        path,
        body,
        content_type="application/json",
        headers={
            "X-Timestamp": stamp,
            "X-Signature": sign(body, stamp, secret) if signature is None else signature,
        },
    )


def text_from(sender: str, text: str, *, message_id: str | None = None) -> dict[str, str]:
    """The SMS provider's payload for a text she sent."""
    return {"id": message_id or f"SM{uuid.uuid4().hex}", "from": sender, "text": text}
