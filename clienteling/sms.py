"""Sending text messages through a small provider interface, chosen by ``SMS_BACKEND``.

Shipped backends: the console (development), a folder of files (demo and staging: read what would
have been sent), and an in-memory outbox for tests, like Django's e-mail backends. A real provider is
one class with ``send``; the outreach features add an HTTP one.
"""

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsDeliveryError(RuntimeError):
    """The provider did not accept the message."""


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    sent_at: datetime


class ConsoleSmsBackend:
    """Prints the message on the server's standard output (never through the redacting log)."""

    def send(self, to: str, body: str) -> None:
        print(f"--- SMS to {to} ---\n{body}\n---", flush=True)


class FileSmsBackend:
    """Writes each message to its own file in ``SMS_FILE_PATH``."""

    def send(self, to: str, body: str) -> None:
        folder = settings.SMS_FILE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        path = folder / f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        path.write_text(f"To: {to}\nDate: {now.isoformat()}\n\n{body}\n", encoding="utf-8")


outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class LocmemSmsBackend:
    """Keeps messages in ``clienteling.sms.outbox`` (tests read them there)."""

    def send(self, to: str, body: str) -> None:
        with _outbox_lock:
            outbox.append(SmsMessage(to=to, body=body, sent_at=datetime.now(UTC)))


def send_sms(to: str, body: str) -> None:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    backend.send(to, body)
