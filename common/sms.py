"""Sending text messages through a small provider interface, chosen by ``SMS_BACKEND``.

Shipped backends: the console (development), a folder of files (demo and staging: read what would
have been sent), an in-memory outbox for tests, like Django's e-mail backends, and ``HttpSmsBackend``
for a provider reached over HTTPS. Another provider is one class with ``send``.

``send`` returns the provider's reference for the message, if it gives one. It raises
``SmsDeliveryError`` when trying again later may work (the provider is down, slow or busy) and
``SmsRejected`` when it will not (the number is not valid, the account is refused).
"""

import json
import logging
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsDeliveryError(RuntimeError):
    """The provider did not take the message this time; trying again later may work."""


class SmsRejected(SmsDeliveryError):
    """The provider refused the message for good (a number it cannot reach, a refused account)."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str, *, reference: str | None = None, sender: str = "") -> str | None: ...


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    sent_at: datetime
    reference: str | None = None
    sender: str = ""  # the store's own number; "" for the provider's default


class ConsoleSmsBackend:
    """Prints the message on the server's standard output (never through the redacting log)."""

    def send(self, to: str, body: str, *, reference: str | None = None, sender: str = "") -> str | None:
        print(f"--- SMS to {to}{f' from {sender}' if sender else ''} ---\n{body}\n---", flush=True)
        return None


class FileSmsBackend:
    """Writes each message to its own file in ``SMS_FILE_PATH``."""

    def send(self, to: str, body: str, *, reference: str | None = None, sender: str = "") -> str | None:
        folder = settings.SMS_FILE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        path = folder / f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        origin = f"From: {sender}\n" if sender else ""
        path.write_text(f"To: {to}\n{origin}Date: {now.isoformat()}\n\n{body}\n", encoding="utf-8")
        return None


class HttpSmsBackend:
    """A provider's HTTP API: ``POST SMS_HTTP_URL`` with ``{"to", "body", "reference"}`` as JSON (and
    ``"from"``, the store's own number, when it has one) and
    ``Authorization: Bearer SMS_HTTP_TOKEN``; a 2xx answer takes the message (its JSON ``id`` is kept).

    ``reference`` is also sent as ``Idempotency-Key``, so a retry after an answer that was lost on
    the way back does not send the text twice. Timeouts, 429 and 5xx answers are worth retrying;
    other 4xx answers are not.
    """

    def send(self, to: str, body: str, *, reference: str | None = None, sender: str = "") -> str | None:
        url = settings.SMS_HTTP_URL
        if not url.startswith(("https://", "http://")):
            raise SmsRejected("SMS_HTTP_URL is not set to an http(s) address.")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if settings.SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_HTTP_TOKEN}"
        if reference:
            headers["Idempotency-Key"] = reference
        fields = {"to": to, "body": body, "reference": reference} | ({"from": sender} if sender else {})
        payload = json.dumps(fields).encode()
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT) as response:  # noqa: S310
                answer = response.read(64_000)
        except urllib.error.HTTPError as error:
            status = error.code
            if status == 429 or status >= 500:
                raise SmsDeliveryError(f"the SMS provider answered {status}") from None
            raise SmsRejected(f"the SMS provider refused the message ({status})") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsDeliveryError(f"the SMS provider could not be reached ({reason})") from None
        try:
            provider_id = json.loads(answer or b"{}").get("id")
        except (ValueError, AttributeError):
            provider_id = None
        return str(provider_id)[:120] if provider_id else None


outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class LocmemSmsBackend:
    """Keeps messages in ``common.sms.outbox`` (tests read them there)."""

    def send(self, to: str, body: str, *, reference: str | None = None, sender: str = "") -> str | None:
        with _outbox_lock:
            outbox.append(
                SmsMessage(to=to, body=body, sent_at=datetime.now(UTC), reference=reference, sender=sender)
            )
        return None


def send_sms(to: str, body: str, *, reference: str | None = None, sender: str = "") -> str | None:
    """Send ``body`` to ``to`` (from ``sender``, the store's own number, if it has one)."""
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend.send(to, body, reference=reference, sender=sender)
