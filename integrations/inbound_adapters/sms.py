"""**SMS** (``/sms/replies/``, ``/sms/status/``; secret ``SMS_INBOUND_SECRET``), a text she sent::

    {"id": "SM8f2…", "from": "+447911123456", "to": "+447700900123", "text": "Yes, Saturday",
     "sent_at": "2026-12-05T10:01:00Z"}

(``to``, the number she wrote to, and ``sent_at`` optional: a store whose own number ``to`` is takes
it, whoever sends it) and what became of one of ours::

    {"id": "SM7c1…", "status": "delivered", "reference": "<our message id>", "error_code": "30003",
     "at": "2026-12-05T10:00:04Z"}

(``status``: queued, accepted, sending, sent, delivered, undelivered, failed or read; the first three
are acknowledged and ignored, undelivered is failed; ``reference``, ``error_code``, ``at`` optional).
"""

from typing import Any

from integrations.inbound_adapters.base import (
    Malformed,
    Parsed,
    read_moment,
    read_object,
    read_reference,
    read_text,
)
from outreach.inbound import Incoming
from outreach.models import Channel, Message
from outreach.receipts import Receipt

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
    body_limit_setting = "WEBHOOK_MAX_BODY_BYTES"
    reads_forms = False

    def parse(self, payload: Any) -> Parsed:
        body = read_object(payload, "The body")
        if "status" in body:
            return self._receipt(body)
        return Parsed(
            messages=[
                Incoming(
                    provider=self.name,
                    provider_message_id=read_text(
                        body.get("id"), '"id" (the provider\'s message id)', limit=120
                    ),
                    channel=Channel.SMS,
                    sender=read_text(body.get("from"), '"from"', limit=40),
                    to=read_text(body.get("to"), '"to"', required=False, limit=40),
                    body=read_text(body.get("text"), '"text"'),
                    sent_at=read_moment(body.get("sent_at"), '"sent_at"'),
                )
            ]
        )

    def _receipt(self, body: dict[str, Any]) -> Parsed:
        state = read_text(body.get("status"), '"status"', limit=20).lower()
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
                    provider_message_id=read_text(
                        body.get("id"), '"id" (the provider\'s message id)', limit=120
                    ),
                    status=_SMS_STATES[state],
                    at=read_moment(body.get("at"), '"at"'),
                    error_code=read_text(body.get("error_code"), '"error_code"', required=False, limit=60),
                    reference=read_reference(body.get("reference")),
                )
            ]
        )
