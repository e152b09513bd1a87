"""Sending a queued message, once, and never losing it.

``deliver`` is safe to call any number of times, from any number of workers: it takes the message's
row lock (skipping a message another worker holds) and only acts on one still waiting. The rules are
checked again as it leaves. A failure worth retrying puts it back with a later ``send_after`` and
schedules another try; after ``OUTREACH_MAX_ATTEMPTS`` tries, or a refusal that will not change, it is
marked failed with the reason, which the sender sees on her day and on the customer's history.
Texts carry the message's id as the provider's idempotency key, so a retry after a lost answer does
not send twice. ``send_due`` (every minute, on beat) picks up anything whose scheduled try was lost.
A WhatsApp answer is cancelled if it would leave after her window closed (``rules``).
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import metrics, outbox
from common.http import absolute_url
from common.sms import SmsDeliveryError, SmsRejected, send_sms
from common.whatsapp import WhatsAppDeliveryError, WhatsAppRejected, send_whatsapp
from outreach import attachments, rules
from outreach.messaging import language_of
from outreach.models import CONTACT_USES, Channel, Message
from outreach.optout import unsubscribe_token
from outreach.reply_address import reply_address
from relationships.models import Interaction
from relationships.services import record_contact

logger = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """Trying again will not help."""


class TemporaryFailure(Exception):
    """Trying again later may."""


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "failed", "cancelled", "waiting" or "skipped"
    retry_in: timedelta | None = None


def unsubscribe_url(message: Message) -> str:
    return absolute_url(reverse("customer_site:unsubscribe", args=[unsubscribe_token(message)]))


def _send_email(message: Message, address: str) -> str:
    url = unsubscribe_url(message)
    with translation.override(language_of(message.customer)):
        footer = _("You receive this because you agreed to hear from us by e-mail. To stop: %(url)s") % {
            "url": url
        }
    # Her answer comes back to her conversation with the store it left from (outreach.reply_address).
    reply_to = reply_address(message.customer, message.store)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=f"{message.body}\n\n--\n{footer}\n",
        to=[address],
        reply_to=[reply_to] if reply_to else None,
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to this address.
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Clienteling-Message": str(message.public_id),
        },
    )
    if message.look_id is not None:  # a look or a product attached: its pictures too
        email.attach_alternative(attachments.email_html(message, footer), "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentFailure(_("The mail server refused the address.")) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(
            _("The mail server could not be reached (%(error)s).") % {"error": type(error).__name__}
        ) from error
    return ""


def _send_sms(message: Message, address: str) -> str:
    with translation.override(language_of(message.customer)):
        stop = _("Reply STOP to stop texts.")
    try:
        sender = message.store.sms_number if message.store else ""
        return (
            send_sms(address, f"{message.body}\n{stop}", reference=str(message.public_id), sender=sender)
            or ""
        )
    except SmsRejected as error:
        raise PermanentFailure(str(error)) from error
    except SmsDeliveryError as error:
        raise TemporaryFailure(str(error)) from error


def _send_whatsapp(message: Message, address: str) -> str:
    # No "Reply STOP" line: it answers her own message, and STOP there still withdraws (``optout``).
    try:
        return send_whatsapp(address, message.body, reference=str(message.public_id)) or ""
    except WhatsAppRejected as error:
        raise PermanentFailure(str(error)) from error
    except WhatsAppDeliveryError as error:
        raise TemporaryFailure(str(error)) from error


# The webhook whose receipts name a message (integrations.inbound_adapters); e-mail reports none.
_PROVIDER = {Channel.SMS: "sms", Channel.WHATSAPP: "whatsapp"}


def _finish(message: Message, status: str, reason: str, now: datetime) -> None:
    message.status = status
    message.finished_at = now
    message.last_error = reason[:300]


def _count_as_contact(message: Message, now: datetime) -> Interaction | None:
    """An outreach message that left is a contact by its sender (the dashboard, "last contacted")."""
    if message.use not in CONTACT_USES:
        return None
    summary = message.subject or message.body
    return record_contact(
        customer=message.customer,
        store=message.store,
        associate=message.sent_by,
        kind=Interaction.Kind.MESSAGE,
        occurred_at=now,
        summary=f"{message.get_channel_display()}: {summary}",
    )


def _try_once(message: Message, now: datetime) -> Outcome:
    customer = message.customer
    address = rules.address_of(customer, message.channel)
    blocked = rules.check_consent(customer, message.channel) or rules.check_address(
        customer, message.channel, address
    )
    if blocked is None and message.channel == Channel.WHATSAPP:
        blocked = rules.check_whatsapp_window(customer, message.store, now)
    if blocked is not None:
        _finish(message, Message.Status.CANCELLED, blocked.reason, now)
        return Outcome("cancelled")
    if message.store is not None:
        quiet = rules.check_quiet_hours(message.store, now)
        if quiet is not None and quiet.retry_at is not None:
            message.send_after = quiet.retry_at
            return Outcome("waiting", retry_in=quiet.retry_at - now)
    message.attempts += 1
    try:
        if message.channel == Channel.EMAIL:
            reference = _send_email(message, address)
        elif message.channel == Channel.WHATSAPP:
            reference = _send_whatsapp(message, address)
        else:
            reference = _send_sms(message, address)
    except PermanentFailure as error:
        _finish(message, Message.Status.FAILED, str(error), now)
        return Outcome("failed")
    except TemporaryFailure as error:
        if message.attempts >= settings.OUTREACH_MAX_ATTEMPTS:
            _finish(
                message,
                Message.Status.FAILED,
                _("Gave up after %(n)s tries: %(error)s") % {"n": message.attempts, "error": error},
                now,
            )
            return Outcome("failed")
        wait = timedelta(seconds=settings.OUTREACH_RETRY_SECONDS * 2 ** (message.attempts - 1))
        message.status = Message.Status.RETRYING
        message.last_error = str(error)[:300]
        message.send_after = now + wait
        return Outcome("retry", retry_in=wait)
    message.status = Message.Status.SENT
    message.sent_at = now
    message.provider_reference = reference[:120]
    message.provider = _PROVIDER.get(Channel(message.channel), "")
    message.last_error = ""
    message.interaction = _count_as_contact(message, now)
    return Outcome("sent")


def deliver(message_id: int) -> Outcome:
    """Try to send one message now, if it is still waiting and due."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "store", "sent_by")
            .filter(pk=message_id)
            .pending()
            .first()
        )
        if message is None:
            return Outcome("skipped")  # gone, done, or being sent by another worker right now
        now = timezone.now()
        if message.send_after > now:
            return Outcome("waiting", retry_in=message.send_after - now)
        outcome = _try_once(message, now)
        message.save()
    metrics.MESSAGE_DELIVERIES.labels(channel=message.channel, outcome=outcome.status).inc()
    if outcome.status == "failed":
        logger.warning("message %s not delivered: %s", message.pk, message.last_error)
    if outcome.status == "retry" and outcome.retry_in is not None:
        outbox.enqueue("outreach.deliver", args=[message.pk], countdown=outcome.retry_in.total_seconds())
    return outcome


def send_due(*, limit: int = 500) -> dict[str, int]:
    """Send what is due and waiting: after quiet hours, scheduled retries whose task was lost."""
    due = list(
        Message.objects.pending()
        .filter(send_after__lte=timezone.now())
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in due:
        outcome = deliver(pk)
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
