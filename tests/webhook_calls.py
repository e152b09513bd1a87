"""Calling the providers' webhooks as a provider does: the body signed with a timestamp."""

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

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
    form: bool = False,
):
    """``payload`` as JSON, or (``form``) as an application/x-www-form-urlencoded body, signed."""
    encoded = urlencode(payload).encode() if form else json.dumps(payload).encode()
    body = raw if raw is not None else encoded
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        path,
        body,
        content_type="application/x-www-form-urlencoded" if form else "application/json",
        headers={
            "X-Timestamp": stamp,
            "X-Signature": sign(body, stamp, secret) if signature is None else signature,
        },
    )


def text_from(sender: str, text: str, *, message_id: str | None = None) -> dict[str, str]:
    """The SMS provider's payload for a text she sent."""
    return {"id": message_id or f"SM{uuid.uuid4().hex}", "from": sender, "text": text}


def postmark_reply(
    sender: str, to: str, text: str, *, stripped: str = "", message_id: str | None = None, **more: Any
) -> dict[str, Any]:
    """Postmark's inbound JSON for a mail from ``sender`` to ``to``."""
    return {
        "MessageID": message_id or str(uuid.uuid4()),
        "From": f"Zoë Okafor <{sender}>",
        "FromFull": {"Email": sender, "Name": "Zoë Okafor"},
        "To": to,
        "OriginalRecipient": to,
        "Subject": "Re: The coat is in",
        "Date": "Sat, 6 Dec 2026 10:01:00 +0000",
        "TextBody": text,
        "StrippedTextReply": stripped,
        "Attachments": [],
        **more,
    }


def mailgun_reply(
    sender: str, to: str, text: str, *, stripped: str = "", message_id: str | None = None
) -> dict[str, str]:
    """Mailgun's form fields for a mail from ``sender`` to ``to``."""
    return {
        "sender": sender,
        "from": f"Zoë Okafor <{sender}>",
        "recipient": to,
        "To": to,
        "subject": "Re: The coat is in",
        "body-plain": text,
        "stripped-text": stripped,
        "Message-Id": message_id or f"<{uuid.uuid4().hex}@mail.example.com>",
        "timestamp": str(int(time.time())),
    }


def whatsapp_events(
    *, messages: Sequence[dict[str, Any]] = (), statuses: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The Cloud API's webhook body holding these messages and statuses."""
    value = {"messaging_product": "whatsapp", "messages": list(messages), "statuses": list(statuses)}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }


def whatsapp_from(
    sender: str, text: str, *, message_id: str | None = None, at: int | None = None
) -> dict[str, Any]:
    """Her WhatsApp text as the Cloud API's webhook carries it (``sender``: her number, "+" or not;
    ``at``: when she sent it, Unix seconds, now by default)."""
    return whatsapp_events(
        messages=[
            {
                "from": sender.lstrip("+"),
                "id": message_id or f"wamid.{uuid.uuid4().hex}",
                "timestamp": str(int(time.time()) if at is None else at),
                "type": "text",
                "text": {"body": text},
            }
        ]
    )
