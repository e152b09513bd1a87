"""Writing messages: choosing a template, merging it, and queueing what the associate wrote.

``queue_message`` is the only way a message is written. It applies the rules (``outreach.rules``),
records an audit event, and hands the message to delivery once the transaction commits.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_event
from common import outbox
from customers.models import Customer
from outreach import rules
from outreach.merge_fields import merge
from outreach.models import (
    CAPPED_USES,
    CONTACT_USES,
    Appointment,
    Channel,
    Look,
    Message,
    MessageTemplate,
    Use,
)
from stores.models import Store

SMS_MAX_LENGTH = 612  # four segments
EMAIL_MAX_LENGTH = 1600


class MessageBlocked(Exception):
    def __init__(self, blocked: rules.Blocked) -> None:
        super().__init__(blocked.reason)
        self.blocked = blocked


def language_of(customer: Customer) -> str:
    """Her language if the site speaks it, else the site's default."""
    code = (customer.locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def templates_for(*, use: str, store: Store | None, language: str) -> QuerySet[MessageTemplate]:
    """Active templates for ``use`` in ``language``: the store's own first, then the chain's."""
    return (
        MessageTemplate.objects.filter(use=use, language=language, is_active=True)
        .filter(Q(store__isnull=True) | Q(store=store))
        .order_by("store_id", "name")  # NULLs (the chain's) sort last in PostgreSQL ascending order
    )


def template_choices(
    *, customer: Customer, store: Store | None, use: str = Use.OUTREACH
) -> list[MessageTemplate]:
    """What the associate can start from: in her language, else in the site's default one."""
    found = list(templates_for(use=use, store=store, language=language_of(customer)))
    if not found:
        found = list(templates_for(use=use, store=store, language=settings.LANGUAGE_CODE))
    return found


def merge_values(
    *,
    customer: Customer,
    store: Store | None,
    by: User | None,
    look_url: str = "",
    appointment: Appointment | None = None,
) -> dict[str, str]:
    values = {
        "first_name": customer.preferred_name or customer.given_name,
        "associate": by.first_name if by else "",
        "store": store.name if store else "",
        "look_link": look_url,
    }
    if appointment is not None:
        local = appointment.starts_at.astimezone(ZoneInfo(appointment.store.timezone))
        with translation.override(language_of(customer)):
            values |= {
                "appointment_date": formats.date_format(local, "l j F"),
                "appointment_time": formats.time_format(local, "H:i"),
                "appointment_purpose": str(appointment.get_purpose_display()).lower(),
            }
    return values


def render_template(template: MessageTemplate, values: dict[str, str]) -> tuple[str, str]:
    """(subject, body) with the merge fields filled in."""
    return merge(template.subject, values).strip(), merge(template.body, values).strip()


def _check_text(channel: str, subject: str, body: str) -> None:
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = _("Write the message first.")
    limit = SMS_MAX_LENGTH if channel == Channel.SMS else EMAIL_MAX_LENGTH
    if len(body) > limit:
        errors["body"] = _("A message can have at most %(limit)s characters; this one has %(n)s.") % {
            "limit": limit,
            "n": len(body),
        }
    if channel == Channel.EMAIL and len(subject) > 150:
        errors["subject"] = _("A subject can have at most 150 characters.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def queue_message(
    *,
    by: User | None,
    customer: Customer,
    store: Store,
    channel: str,
    use: str,
    body: str,
    subject: str = "",
    template: MessageTemplate | None = None,
    look: Look | None = None,
    appointment: Appointment | None = None,
    after_quiet_hours: bool = False,
    now: datetime | None = None,
) -> Message:
    """Queue a message, or raise ``MessageBlocked`` saying which rule stops it.

    ``Use.REPLY``: an answer to her message; capped as outreach when she wrote to ``store`` more than
    ``CONVERSATION_REPLY_WINDOW_HOURS`` ago (``rules.answers_her``).

    In quiet hours an outreach message is refused unless the associate asked for it to wait
    (``after_quiet_hours``); a message about an appointment always waits for the morning.

    On WhatsApp, only within her window (``rules.check_whatsapp_window``) when it would leave: now,
    or at the end of quiet hours.
    """
    now = now or timezone.now()
    channel = Channel(channel)
    _check_text(channel, subject, body)
    # One writer at a time per customer, so two associates cannot both pass the cap.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if use == Use.REPLY and not rules.answers_her(customer, store, now):
        use = Use.OUTREACH  # she wrote too long ago: this is outreach again, and capped
    blocked = rules.check_consent(customer, channel) or rules.check_address(customer, channel)
    last_whatsapp = rules.last_whatsapp_from_her(customer, store) if channel == Channel.WHATSAPP else None
    if blocked is None and channel == Channel.WHATSAPP:
        blocked = rules.check_whatsapp_window(customer, store, now, last=last_whatsapp)
    if blocked is None and use in CAPPED_USES:
        blocked = rules.check_cap(customer, now, store)
    if blocked is not None:
        raise MessageBlocked(blocked)
    send_after = now
    quiet = rules.check_quiet_hours(store, now)
    if quiet is not None:
        assert quiet.retry_at is not None
        # Not offered to wait for the morning if WhatsApp's window has closed by then.
        late = (
            rules.check_whatsapp_window(
                customer, store, quiet.retry_at, last=last_whatsapp, after_quiet_hours=True
            )
            if channel == Channel.WHATSAPP
            else None
        )
        if late is not None:
            raise MessageBlocked(late)
        if use in CONTACT_USES and not after_quiet_hours:
            raise MessageBlocked(quiet)
        send_after = quiet.retry_at
    if channel == Channel.EMAIL and not subject.strip():
        subject = _("A message from %(store)s") % {"store": store.name}
    message = Message.objects.create(
        customer=customer,
        store=store,
        sent_by=by,
        use=use,
        channel=channel,
        template=template,
        subject=subject.strip() if channel == Channel.EMAIL else "",
        body=body.strip(),
        look=look,
        appointment=appointment,
        send_after=send_after,
        created_at=now,
    )
    record_event(
        by=by,
        action="message.queued",
        customer_id=customer.pk,
        store_id=store.pk,
        detail={"message_id": message.pk, "channel": channel.value, "use": use},
    )
    if send_after <= now:  # later ones are the minute sweep's (outreach.send_due)
        outbox.enqueue("outreach.deliver", args=[message.pk], key=f"message:{message.pk}")
    return message


@transaction.atomic
def cancel_message(*, by: User, message: Message) -> bool:
    """Stop a message that has not left yet (waiting for the morning, or between retries)."""
    locked = Message.objects.select_for_update().filter(pk=message.pk).first()
    if locked is None or not locked.is_pending:
        return False
    locked.status = Message.Status.CANCELLED
    locked.finished_at = timezone.now()
    locked.last_error = _("Cancelled by %(name)s.") % {"name": by.get_full_name() or by.get_username()}
    locked.save(update_fields=["status", "finished_at", "last_error"])
    record_event(
        by=by,
        action="message.cancelled",
        customer_id=locked.customer_id,
        store_id=locked.store_id,
        detail={"message_id": locked.pk},
    )
    message.refresh_from_db()
    return True
