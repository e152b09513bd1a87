"""Sending WhatsApp messages through a small provider interface, chosen by ``WHATSAPP_BACKEND``.

The same shape as ``common.sms``: the console (development, the default), a folder of files (demo and
staging), an in-memory outbox for tests, and ``HttpWhatsAppBackend`` for the WhatsApp Business Cloud
API. ``send`` returns WhatsApp's id for the message (``wamid.…``), which its status webhooks name. It
raises ``WhatsAppDeliveryError`` when trying again later may work (the API is down, slow or busy) and
``WhatsAppRejected`` when it will not (outside her 24-hour window, a number not on WhatsApp, a
refused token).

Only free text is sent: WhatsApp takes it within 24 hours of her last message to us (Meta's
customer-service window, which ``outreach.rules`` keeps); outside it, only templates Meta approved,
which the app does not manage.
"""

import json
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class WhatsAppDeliveryError(RuntimeError):
    """WhatsApp did not take the message this time; trying again later may work."""


class WhatsAppRejected(WhatsAppDeliveryError):
    """WhatsApp refused the message for good."""


class WhatsAppBackend(Protocol):
    def send(self, to: str, body: str, *, reference: str | None = None) -> str | None: ...


@dataclass(frozen=True)
class WhatsAppMessage:
    to: str
    body: str
    sent_at: datetime
    reference: str | None = None


def digits(number: str) -> str:
    """The Cloud API's ``to``: her E.164 number without the "+" (``wa_id`` style)."""
    return "".join(c for c in number if c.isdigit())


class ConsoleWhatsAppBackend:
    """Prints the message on the server's standard output (never through the redacting log)."""

    def send(self, to: str, body: str, *, reference: str | None = None) -> str | None:
        print(f"--- WhatsApp to {to} ---\n{body}\n---", flush=True)
        return None


class FileWhatsAppBackend:
    """Writes each message to its own file in ``WHATSAPP_FILE_PATH``."""

    def send(self, to: str, body: str, *, reference: str | None = None) -> str | None:
        folder = settings.WHATSAPP_FILE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        path = folder / f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        path.write_text(f"To: {to}\nDate: {now.isoformat()}\n\n{body}\n", encoding="utf-8")
        return None


# Cloud API error codes that say "not now" rather than "never" (rate limits, a temporary outage);
# any other code in a 4xx answer is a refusal.
_RETRYABLE_CODES = frozenset({4, 80007, 130429, 131000, 131048, 131056, 133004})
# The refusals an associate can act on, said in words; others are reported by their code.
_REFUSALS = {
    131047: "WhatsApp refused it: more than 24 hours have passed since she last wrote (131047).",
    131026: "WhatsApp could not deliver it to this number (131026).",
    190: "WhatsApp refused the access token (190).",
}


def _error_code(answer: bytes) -> int | None:
    """The Cloud API's ``{"error": {"code": …}}``; its message is not kept (it may quote her number)."""
    try:
        code = json.loads(answer or b"{}").get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


class HttpWhatsAppBackend:
    """The WhatsApp Business Cloud API: ``POST {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages``
    with ``Authorization: Bearer WHATSAPP_TOKEN`` and ::

        {"messaging_product": "whatsapp", "to": "447911123456", "type": "text",
         "text": {"body": "…", "preview_url": false}, "biz_opaque_callback_data": "<our message id>"}

    The answer ``{"messages": [{"id": "wamid.…"}]}`` gives the id its status webhooks name; WhatsApp
    echoes ``biz_opaque_callback_data`` in them, so a status is matched even when that answer was lost.
    Timeouts, 429, 5xx and the error codes of a rate limit or a passing outage are worth retrying;
    other 4xx answers are not. The Cloud API takes no idempotency key: a retry after an answer lost on
    the way back may send the message twice (she then reads it twice; nothing else is done twice).
    """

    def send(self, to: str, body: str, *, reference: str | None = None) -> str | None:
        base = settings.WHATSAPP_API_URL.rstrip("/")
        if not base.startswith(("https://", "http://")) or not settings.WHATSAPP_PHONE_NUMBER_ID:
            raise WhatsAppRejected("WHATSAPP_API_URL or WHATSAPP_PHONE_NUMBER_ID is not set.")
        url = f"{base}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {settings.WHATSAPP_TOKEN}",
        }
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "to": digits(to),
            "type": "text",
            # No preview: WhatsApp's servers would open a look's link before she does.
            "text": {"body": body, "preview_url": False},
        }
        if reference:
            payload["biz_opaque_callback_data"] = reference
        request = urllib.request.Request(  # noqa: S310 - an http(s) URL, checked above
            url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.WHATSAPP_HTTP_TIMEOUT) as response:  # noqa: S310
                answer = response.read(64_000)
        except urllib.error.HTTPError as error:
            status, code = error.code, _error_code(error.read(64_000))
            if status == 429 or status >= 500 or code in _RETRYABLE_CODES:
                raise WhatsAppDeliveryError(f"WhatsApp answered {status} (error {code})") from None
            if code in _REFUSALS:
                raise WhatsAppRejected(_REFUSALS[code]) from None
            raise WhatsAppRejected(f"WhatsApp refused the message ({status}, error {code})") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise WhatsAppDeliveryError(f"WhatsApp could not be reached ({reason})") from None
        try:
            provider_id = json.loads(answer or b"{}")["messages"][0]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            provider_id = None
        return str(provider_id)[:120] if provider_id else None


outbox: list[WhatsAppMessage] = []
_outbox_lock = threading.Lock()


class LocmemWhatsAppBackend:
    """Keeps messages in ``common.whatsapp.outbox`` (tests read them there)."""

    def send(self, to: str, body: str, *, reference: str | None = None) -> str | None:
        with _outbox_lock:
            outbox.append(WhatsAppMessage(to=to, body=body, sent_at=datetime.now(UTC), reference=reference))
        return None


def send_whatsapp(to: str, body: str, *, reference: str | None = None) -> str | None:
    backend: WhatsAppBackend = import_string(settings.WHATSAPP_BACKEND)()
    return backend.send(to, body, reference=reference)
