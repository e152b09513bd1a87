"""**E-mail** (``/mail/inbound/``; secret ``INBOUND_MAIL_SECRET``): her reply to one of our e-mails
(or any mail to the reply domain), as the mail provider's inbound processing posts it, in either of
the two shapes providers use. Postmark's JSON (``Content-Type: application/json``)::

    {"MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
     "From": "Zoë Okafor <zoe@example.com>", "FromFull": {"Email": "zoe@example.com", "Name": "Zoë"},
     "To": "London Marylebone <reply+<token>@reply.shop.example>",
     "OriginalRecipient": "reply+<token>@reply.shop.example",
     "Subject": "Re: The coat is in", "Date": "Fri, 5 Dec 2026 10:01:00 +0000",
     "TextBody": "Yes, Saturday\\n\\nOn Fri, 5 Dec 2026, London Marylebone wrote:\\n> The coat is in",
     "StrippedTextReply": "Yes, Saturday"}

and Mailgun's form fields (``Content-Type: application/x-www-form-urlencoded``; a gateway in front
of Mailgun signs the raw body as for every webhook)::

    sender=zoe%40example.com&recipient=reply%2B<token>%40reply.shop.example
    &subject=Re%3A+The+coat+is+in&body-plain=Yes%2C+Saturday%0A%0AOn+…+wrote%3A%0A%3E+…
    &stripped-text=Yes%2C+Saturday&Message-Id=%3C…%40mail.example.com%3E&timestamp=1764928860

Required: the sender (``FromFull.Email``, else the address in ``From``; ``sender``, else ``from``)
and some text. Optional: the rest; ``To``/``Cc`` are read too, for the reply address, when the
envelope recipient (``OriginalRecipient``, ``recipient``) is not one. Her text is the provider's
stripped reply when it gives one, else ``TextBody``/``body-plain`` with the quoted thread taken
off (``integrations.inbound_adapters.mail_text``), else the HTML part's text. The provider's message
id (longer than 120 characters: its SHA-256) keeps a message delivered twice one row; a mail
without one is known by a hash of its sender, date, subject and text. A ``Date`` that does not
parse is left out rather than refusing her mail (clients write odd ones). Attachments are neither
read nor kept. An automatic answer (an out-of-office: ``Auto-Submitted`` other than ``no`` among
Postmark's ``Headers`` or Mailgun's ``message-headers``) is acknowledged and not kept: it would open
her conversation again for no one's words.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from integrations.inbound_adapters.base import Malformed, Parsed, read_moment, read_object
from integrations.inbound_adapters.mail_text import her_new_text, text_of_html
from outreach.inbound import Incoming
from outreach.models import Channel
from outreach.reply_address import token_in

_ID_MAX_LENGTH = 120
_AUTORESPONDERS = {"x-autoreply", "x-autorespond"}


@dataclass(frozen=True)
class _Shape:
    """Where one provider puts each part of the mail."""

    name: str
    sender: str  # the bare address
    sender_header: str  # "Name <address>", when the bare one is missing
    recipients: tuple[str, ...]  # where the reply address may be, the envelope's first
    subject: str
    text: str
    stripped: str  # her reply without the quoted thread, as the provider found it
    html: str
    message_id: str


_POSTMARK = _Shape(
    name="Postmark",
    sender="FromFull.Email",
    sender_header="From",
    recipients=("OriginalRecipient", "To", "Cc"),
    subject="Subject",
    text="TextBody",
    stripped="StrippedTextReply",
    html="HtmlBody",
    message_id="MessageID",
)
_MAILGUN = _Shape(
    name="Mailgun",
    sender="sender",
    sender_header="from",
    recipients=("recipient", "To", "Cc"),
    subject="subject",
    text="body-plain",
    stripped="stripped-text",
    html="body-html",
    message_id="Message-Id",
)


def _field(payload: dict[str, Any], name: str) -> str:
    """A string field, "" when absent or null."""
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(f'"{name}" must be a string.')
    return value


class MailAdapter:
    """Replies to our e-mails in Postmark's JSON or Mailgun's form fields (see the module docstring)."""

    name = "email"
    secret_setting = "INBOUND_MAIL_SECRET"  # noqa: S105 - a setting's name
    body_limit_setting = "INBOUND_MAIL_MAX_BODY_BYTES"
    reads_forms = True

    def parse(self, payload: Any) -> Parsed:
        body = read_object(payload, "The body")
        if {"MessageID", "FromFull", "TextBody", "StrippedTextReply"} & body.keys():
            shape = _POSTMARK
            full = body.get("FromFull")
            sender = _field(read_object(full, '"FromFull"'), "Email") if full is not None else ""
            sent_at = _date(_field(body, "Date"))
        elif {"sender", "recipient", "body-plain", "stripped-text"} & body.keys():
            shape = _MAILGUN
            sender = _field(body, "sender")
            sent_at = read_moment(body.get("timestamp"), '"timestamp"')
        else:
            raise Malformed(
                'Expected Postmark\'s inbound JSON ("From", "To", "TextBody", "MessageID"…) or '
                'Mailgun\'s form fields ("sender", "recipient", "body-plain", "Message-Id"…).'
            )
        sender = sender.strip() or parseaddr(_field(body, shape.sender_header))[1]
        if not sender:
            raise Malformed(
                f'{shape.name}: "{shape.sender}" (or "{shape.sender_header}") must name the sender.'
            )
        if _automatic(body):
            return Parsed(ignored=1)
        text = _text(body, shape)
        subject = _field(body, shape.subject).strip()
        message_id = _field(body, shape.message_id).strip() or _digest(sender, str(sent_at), subject, text)
        if len(message_id) > _ID_MAX_LENGTH:
            message_id = _digest(message_id)
        return Parsed(
            messages=[
                Incoming(
                    provider=self.name,
                    provider_message_id=message_id,
                    channel=Channel.EMAIL,
                    sender=sender,
                    body=text,
                    sent_at=sent_at,
                    subject=subject,
                    reply_token=token_in(_field(body, name) for name in shape.recipients),
                )
            ]
        )


def _headers(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The mail's headers, as Postmark (``Headers``: ``[{"Name", "Value"}]``) or Mailgun
    (``message-headers``: a JSON string of ``[[name, value]]``) posts them; [] if unreadable."""
    if isinstance(listed := body.get("Headers"), list):
        pairs = [(h.get("Name"), h.get("Value")) for h in listed if isinstance(h, dict)]
    else:
        try:
            decoded = json.loads(_field(body, "message-headers") or "[]")
        except ValueError:
            return []
        pairs = (
            [tuple(h) for h in decoded if isinstance(h, list) and len(h) == 2]
            if isinstance(decoded, list)
            else []
        )
    return [(name, value) for name, value in pairs if isinstance(name, str) and isinstance(value, str)]


def _automatic(body: dict[str, Any]) -> bool:
    """An out-of-office answer or another machine's (RFC 3834 ``Auto-Submitted``, or the
    ``X-Autoreply``/``X-Autorespond`` some responders write instead): not her words."""
    return any(
        name.lower() in _AUTORESPONDERS
        or (name.lower() == "auto-submitted" and value.strip().lower() != "no")
        for name, value in _headers(body)
    )


def _text(body: dict[str, Any], shape: _Shape) -> str:
    """Her new text: the provider's stripped reply, else the text (or HTML) part without the quoted
    thread and signature; all of it if nothing else is left, so none of her words is lost."""
    if stripped := _field(body, shape.stripped).strip():
        return stripped
    for whole in (_field(body, shape.text), text_of_html(_field(body, shape.html))):
        if whole.strip():
            return her_new_text(whole) or whole.strip()
    raise Malformed(f'{shape.name}: the mail has no text ("{shape.text}" and "{shape.html}" are empty).')


def _date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _digest(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
