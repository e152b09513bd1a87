"""Providers' payloads, read into messages and receipts the outreach app understands.

An adapter is a name (the provider's, kept with every message and receipt so ids are unique per
provider), the setting holding the secret its calls are signed with, and ``parse``, which turns a
payload's JSON into ``Parsed``: the messages customers sent and the delivery receipts it carries. It
raises ``Malformed`` with a sentence a provider's developer can act on. Authentication (the signed
timestamp) is the same for all, in ``integrations.webhook_signing``. Another provider is one class.

**SMS** (``/sms/replies/``, ``/sms/status/``; secret ``SMS_INBOUND_SECRET``), a text she sent::

    {"id": "SM8f2…", "from": "+447911123456", "text": "Yes, Saturday", "sent_at": "2026-12-05T10:01:00Z"}

(``sent_at`` optional) and what became of one of ours::

    {"id": "SM7c1…", "status": "delivered", "reference": "<our message id>", "error_code": "30003",
     "at": "2026-12-05T10:00:04Z"}

(``status``: queued, accepted, sending, sent, delivered, undelivered, failed or read; the first three
are acknowledged and ignored, undelivered is failed; ``reference``, ``error_code``, ``at`` optional).

**WhatsApp Business** (``/whatsapp/events/``; secret ``WHATSAPP_INBOUND_SECRET``): the Cloud API's
webhook body, messages and statuses alike::

    {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "messages": [{"id": "wamid.…", "from": "447911123456", "timestamp": "1764928860",
                      "type": "text", "text": {"body": "Yes, Saturday"}}],
        "statuses": [{"id": "wamid.…", "status": "read", "timestamp": "1764928870",
                      "errors": [{"code": 131026}]}]}}]}]}

A message that is not text (a photo, a voice note) is kept as a line saying what it was: the app
does not fetch or keep media.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from django.utils.dateparse import parse_datetime

from outreach.inbound import Incoming
from outreach.models import Channel, Message
from outreach.receipts import Receipt


class Malformed(ValueError):
    """The payload is not what the provider's documented shape says."""


@dataclass
class Parsed:
    messages: list[Incoming] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    ignored: int = 0  # receipts of states that say nothing new (queued, accepted…)


class Adapter(Protocol):
    name: str
    secret_setting: str

    def parse(self, payload: Any) -> Parsed: ...


def _text(value: Any, what: str, *, required: bool = True, limit: int = 4000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise Malformed(f"{what} must be a non-empty string.")
    text = str(value)
    if len(text) > limit:
        raise Malformed(f"{what} is longer than {limit} characters.")
    return text


def _moment(value: Any, what: str) -> datetime | None:
    """An ISO 8601 time with its offset, or Unix seconds (as a number or a string of digits)."""
    if value in (None, ""):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), tz=UTC)
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise Malformed(f"{what} must be an ISO 8601 time with its offset, or Unix seconds.")
    return moment


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise Malformed(f"{what} must be a JSON object.")
    return payload


_SMS_STATES = {
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.READ,
    "failed": Message.Status.FAILED,
    "undelivered": Message.Status.FAILED,
}
_SAYS_NOTHING_NEW = {"queued", "accepted", "sending", "scheduled"}


class SmsAdapter:
    """Text replies and delivery receipts in the SMS gateway's JSON (see the module docstring)."""

    name = "sms"
    secret_setting = "SMS_INBOUND_SECRET"  # noqa: S105 - a setting's name

    def parse(self, payload: Any) -> Parsed:
        body = _object(payload, "The body")
        if "status" in body:
            return self._receipt(body)
        return Parsed(
            messages=[
                Incoming(
                    provider=self.name,
                    provider_message_id=_text(body.get("id"), '"id" (the provider\'s message id)', limit=120),
                    channel=Channel.SMS,
                    sender=_text(body.get("from"), '"from"', limit=40),
                    body=_text(body.get("text"), '"text"'),
                    sent_at=_moment(body.get("sent_at"), '"sent_at"'),
                )
            ]
        )

    def _receipt(self, body: dict[str, Any]) -> Parsed:
        state = _text(body.get("status"), '"status"', limit=20).lower()
        if state in _SAYS_NOTHING_NEW:
            return Parsed(ignored=1)
        if state not in _SMS_STATES:
            raise Malformed(
                f'"status" must be one of {", ".join(sorted({*_SMS_STATES, *_SAYS_NOTHING_NEW}))}.'
            )
        return Parsed(
            receipts=[
                Receipt(
                    provider=self.name,
                    provider_message_id=_text(body.get("id"), '"id" (the provider\'s message id)', limit=120),
                    status=_SMS_STATES[state],
                    at=_moment(body.get("at"), '"at"'),
                    error_code=_text(body.get("error_code"), '"error_code"', required=False, limit=60),
                    reference=_reference(body.get("reference")),
                )
            ]
        )


def _reference(value: Any) -> str:
    """Our message's public id echoed back, or "" when absent or not one of ours."""
    try:
        return str(uuid.UUID(str(value))) if value else ""
    except ValueError:
        return ""


_WHATSAPP_STATES = {
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "read": Message.Status.READ,
    "failed": Message.Status.FAILED,
}


class WhatsAppAdapter:
    """The WhatsApp Business Cloud API's webhook body (see the module docstring)."""

    name = "whatsapp"
    secret_setting = "WHATSAPP_INBOUND_SECRET"  # noqa: S105 - a setting's name

    def parse(self, payload: Any) -> Parsed:
        body = _object(payload, "The body")
        entries = body.get("entry")
        if body.get("object") != "whatsapp_business_account" or not isinstance(entries, list):
            raise Malformed('Expected {"object": "whatsapp_business_account", "entry": [...]}.')
        parsed = Parsed()
        for entry in entries:
            changes = _object(entry, "Each entry").get("changes")
            if not isinstance(changes, list):
                raise Malformed('Each entry must have "changes": [...].')
            for change in changes:
                value = _object(_object(change, "Each change").get("value"), 'A change\'s "value"')
                for message in value.get("messages") or []:
                    parsed.messages.append(self._message(_object(message, "Each message")))
                for status in value.get("statuses") or []:
                    self._status(_object(status, "Each status"), parsed)
        return parsed

    def _message(self, message: dict[str, Any]) -> Incoming:
        kind = _text(message.get("type"), 'A message\'s "type"', limit=30)
        if kind == "text":
            text = _text(_object(message.get("text"), 'A text message\'s "text"').get("body"), '"text.body"')
        else:
            text = f"[{kind}]"  # media are not fetched nor kept; staff see what she sent
        sender = _text(message.get("from"), 'A message\'s "from"', limit=40)
        return Incoming(
            provider=self.name,
            provider_message_id=_text(message.get("id"), 'A message\'s "id"', limit=120),
            channel=Channel.WHATSAPP,
            sender=sender if sender.startswith("+") else f"+{sender}",  # wa_id has no "+"
            body=text,
            sent_at=_moment(message.get("timestamp"), 'A message\'s "timestamp"'),
        )

    def _status(self, status: dict[str, Any], parsed: Parsed) -> None:
        state = _text(status.get("status"), 'A status\'s "status"', limit=20).lower()
        if state not in _WHATSAPP_STATES:
            parsed.ignored += 1
            return
        errors = status.get("errors") or []
        code = (
            str(_object(errors[0], "Each error").get("code", ""))
            if isinstance(errors, list) and errors
            else ""
        )
        parsed.receipts.append(
            Receipt(
                provider=self.name,
                provider_message_id=_text(status.get("id"), 'A status\'s "id"', limit=120),
                status=_WHATSAPP_STATES[state],
                at=_moment(status.get("timestamp"), 'A status\'s "timestamp"'),
                error_code=code[:60],
            )
        )


ADAPTERS: dict[str, Adapter] = {adapter.name: adapter for adapter in (SmsAdapter(), WhatsAppAdapter())}
