"""**WhatsApp Business** (``/whatsapp/events/``; secret ``WHATSAPP_INBOUND_SECRET``): the Cloud API's
webhook body, messages and statuses alike::

    {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "messages": [{"id": "wamid.…", "from": "447911123456", "timestamp": "1764928860",
                      "type": "text", "text": {"body": "Yes, Saturday"}}],
        "statuses": [{"id": "wamid.…", "status": "read", "timestamp": "1764928870",
                      "biz_opaque_callback_data": "<our message id>", "errors": [{"code": 131026}]}]}}]}]}

A message that is not text (a photo, a voice note) is kept as a line saying what it was: the app
does not fetch or keep media.
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
    body_limit_setting = "WEBHOOK_MAX_BODY_BYTES"
    reads_forms = False

    def parse(self, payload: Any) -> Parsed:
        body = read_object(payload, "The body")
        entries = body.get("entry")
        if body.get("object") != "whatsapp_business_account" or not isinstance(entries, list):
            raise Malformed('Expected {"object": "whatsapp_business_account", "entry": [...]}.')
        parsed = Parsed()
        for entry in entries:
            changes = read_object(entry, "Each entry").get("changes")
            if not isinstance(changes, list):
                raise Malformed('Each entry must have "changes": [...].')
            for change in changes:
                value = read_object(read_object(change, "Each change").get("value"), 'A change\'s "value"')
                for message in value.get("messages") or []:
                    parsed.messages.append(self._message(read_object(message, "Each message")))
                for status in value.get("statuses") or []:
                    self._status(read_object(status, "Each status"), parsed)
        return parsed

    def _message(self, message: dict[str, Any]) -> Incoming:
        kind = read_text(message.get("type"), 'A message\'s "type"', limit=30)
        if kind == "text":
            text = read_text(
                read_object(message.get("text"), 'A text message\'s "text"').get("body"), '"text.body"'
            )
        else:
            text = f"[{kind}]"  # media are not fetched nor kept; staff see what she sent
        sender = read_text(message.get("from"), 'A message\'s "from"', limit=40)
        return Incoming(
            provider=self.name,
            provider_message_id=read_text(message.get("id"), 'A message\'s "id"', limit=120),
            channel=Channel.WHATSAPP,
            sender=sender if sender.startswith("+") else f"+{sender}",  # wa_id has no "+"
            body=text,
            sent_at=read_moment(message.get("timestamp"), 'A message\'s "timestamp"'),
        )

    def _status(self, status: dict[str, Any], parsed: Parsed) -> None:
        state = read_text(status.get("status"), 'A status\'s "status"', limit=20).lower()
        if state not in _WHATSAPP_STATES:
            parsed.ignored += 1
            return
        errors = status.get("errors") or []
        code = (
            str(read_object(errors[0], "Each error").get("code", ""))
            if isinstance(errors, list) and errors
            else ""
        )
        parsed.receipts.append(
            Receipt(
                provider=self.name,
                provider_message_id=read_text(status.get("id"), 'A status\'s "id"', limit=120),
                status=_WHATSAPP_STATES[state],
                at=read_moment(status.get("timestamp"), 'A status\'s "timestamp"'),
                error_code=code[:60],
                # Our message's id, which we send as biz_opaque_callback_data and WhatsApp echoes.
                reference=read_reference(status.get("biz_opaque_callback_data")),
            )
        )
