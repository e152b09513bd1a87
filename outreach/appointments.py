"""Booking, moving and cancelling appointments, and the messages that go with them.

An associate sees one customer at a time: the database refuses two booked appointments of hers that
overlap (an exclusion constraint), so two tablets booking the same slot cannot both succeed. Her
confirmation, the notice of a move or a cancellation, and the reminder follow the same rules as any
message (consent for the channel, quiet hours) but do not count towards the weekly cap.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import StoreMembership, User
from audit.services import record_event
from catalog.models import Product
from customers.models import Customer
from outreach import rules
from outreach.messaging import (
    MessageBlocked,
    merge_values,
    queue_message,
    render_template,
    template_choices,
)
from outreach.models import Appointment, Channel, Message, Use
from stores.models import Store

MAX_PRODUCTS = 12


class SlotTaken(Exception):
    """The associate already has an appointment then."""


class StaleAppointment(Exception):
    """Someone changed the appointment since the form was opened."""


def local_time(appointment: Appointment) -> datetime:
    return appointment.starts_at.astimezone(ZoneInfo(appointment.store.timezone))


def _check(
    *,
    store: Store,
    associate: User,
    starts_at: datetime,
    duration: timedelta,
    product_ids: Sequence[int],
    notify_by: str,
    customer: Customer,
) -> list[Product]:
    errors: dict[str, str] = {}
    if starts_at < timezone.now() - timedelta(minutes=5):
        errors["day"] = _("That time has passed.")
    if not timedelta(minutes=10) <= duration <= timedelta(hours=8):
        errors["duration"] = _("An appointment lasts from 10 minutes to 8 hours.")
    if not StoreMembership.objects.filter(user=associate, store=store).exists() or not associate.is_active:
        errors["associate"] = _("Choose someone who works in this store.")
    products = list(
        Product.objects.filter(pk__in=product_ids, is_active=True, category__is_sensitive=False)[
            : MAX_PRODUCTS + 1
        ]
    )
    if len(products) != len(set(product_ids)):
        errors["products"] = _("Some of these products cannot be prepared (not sold any more, or private).")
    elif len(products) > MAX_PRODUCTS:
        errors["products"] = _("Prepare at most %(n)s products.") % {"n": MAX_PRODUCTS}
    if notify_by == Channel.WHATSAPP:  # its reminder and any move would leave after her window
        errors["notify_by"] = _(
            "Appointment messages do not go on WhatsApp, which is only for answering her."
        )
    elif notify_by and (rules.check_consent(customer, notify_by) or rules.check_address(customer, notify_by)):
        errors["notify_by"] = _("She cannot be sent messages that way.")
    if errors:
        raise ValidationError(errors)
    return products


def _describe_clash(associate: User, store: Store, starts_at: datetime, duration: timedelta) -> SlotTaken:
    clash = (
        Appointment.objects.filter(
            associate=associate,
            status=Appointment.Status.BOOKED,
            starts_at__lt=starts_at + duration,
            ends_at__gt=starts_at,
        )
        .order_by("starts_at")
        .first()
    )
    zone = ZoneInfo(store.timezone)
    name = associate.get_full_name() or associate.get_username()
    if clash is None:
        return SlotTaken(_("%(name)s is not free then.") % {"name": name})
    return SlotTaken(
        _("%(name)s already has an appointment from %(start)s to %(end)s.")
        % {
            "name": name,
            "start": formats.time_format(clash.starts_at.astimezone(zone), "H:i"),
            "end": formats.time_format(clash.ends_at.astimezone(zone), "H:i"),
        }
    )


def notify(appointment: Appointment, use: str, *, by: User | None) -> Message | str:
    """Queue the message for ``use`` on her chosen channel: the message, or why none was queued."""
    if not appointment.notify_by:
        return _("No confirmation sent: “Do not send a message” was chosen.")
    customer, store = appointment.customer, appointment.store
    template = next(iter(template_choices(customer=customer, store=store, use=use)), None)
    if template is None:
        return _("No message: there is no template for it.")
    subject, body = render_template(
        template,
        merge_values(customer=customer, store=store, by=appointment.associate, appointment=appointment),
    )
    try:
        return queue_message(
            by=by,
            customer=customer,
            store=store,
            channel=appointment.notify_by,
            use=use,
            subject=subject,
            body=body,
            template=template,
            appointment=appointment,
            after_quiet_hours=True,
        )
    except (MessageBlocked, ValidationError) as blocked:
        return str(blocked.blocked.reason if isinstance(blocked, MessageBlocked) else blocked)


@transaction.atomic
def book_appointment(
    *,
    by: User,
    customer: Customer,
    store: Store,
    associate: User,
    starts_at: datetime,
    duration: timedelta,
    purpose: str,
    note: str = "",
    product_ids: Sequence[int] = (),
    notify_by: str = "",
) -> tuple[Appointment, Message | str]:
    products = _check(
        store=store,
        associate=associate,
        starts_at=starts_at,
        duration=duration,
        product_ids=product_ids,
        notify_by=notify_by,
        customer=customer,
    )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                customer=customer,
                store=store,
                associate=associate,
                starts_at=starts_at,
                ends_at=starts_at + duration,
                purpose=purpose,
                note=note.strip(),
                notify_by=notify_by,
                created_by=by,
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise _describe_clash(associate, store, starts_at, duration) from None
    appointment.products.set(products)
    record_event(
        by=by,
        action="appointment.booked",
        customer_id=customer.pk,
        store_id=store.pk,
        detail={"appointment_id": appointment.pk, "associate_id": associate.pk, "purpose": purpose},
    )
    return appointment, notify(appointment, Use.APPOINTMENT_BOOKED, by=by)


def _locked(appointment: Appointment, version: int) -> Appointment:
    locked = (
        Appointment.objects.select_for_update()
        .select_related("store", "customer", "associate")
        .get(pk=appointment.pk)
    )
    if locked.version != version or locked.status != Appointment.Status.BOOKED:
        raise StaleAppointment(
            _("This appointment was changed or cancelled meanwhile; here it is as it stands now.")
        )
    return locked


def _cancel_pending_messages(appointment: Appointment) -> None:
    Message.objects.filter(appointment=appointment).cancel("The appointment changed.")


@transaction.atomic
def move_appointment(
    *,
    by: User,
    appointment: Appointment,
    version: int,
    associate: User,
    starts_at: datetime,
    duration: timedelta,
    purpose: str,
    note: str = "",
    product_ids: Sequence[int] = (),
    notify_by: str = "",
) -> tuple[Appointment, Message | str | None]:
    """Change time, associate, purpose or products. She is told only if the time changed."""
    locked = _locked(appointment, version)
    products = _check(
        store=locked.store,
        associate=associate,
        starts_at=starts_at,
        duration=duration,
        product_ids=product_ids,
        notify_by=notify_by,
        customer=locked.customer,
    )
    time_changed = (locked.starts_at, locked.ends_at) != (starts_at, starts_at + duration)
    before = {"starts_at": locked.starts_at.isoformat(), "associate_id": locked.associate_id}
    locked.associate, locked.starts_at, locked.ends_at = associate, starts_at, starts_at + duration
    locked.purpose, locked.note, locked.notify_by = purpose, note.strip(), notify_by
    locked.version += 1
    if time_changed:
        locked.reminder_queued_at = None
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise _describe_clash(associate, locked.store, starts_at, duration) from None
    locked.products.set(products)
    record_event(
        by=by,
        action="appointment.moved",
        customer_id=locked.customer_id,
        store_id=locked.store_id,
        detail={"appointment_id": locked.pk, "before": before, "associate_id": associate.pk},
    )
    told: Message | str | None = None
    if time_changed:
        _cancel_pending_messages(locked)
        told = notify(locked, Use.APPOINTMENT_MOVED, by=by)
    return locked, told


@transaction.atomic
def cancel_appointment(
    *, by: User, appointment: Appointment, version: int, reason: str = "", tell_her: bool = True
) -> tuple[Appointment, Message | str | None]:
    locked = _locked(appointment, version)
    locked.status = Appointment.Status.CANCELLED
    locked.cancel_reason = reason.strip()[:200]
    locked.version += 1
    locked.save()
    _cancel_pending_messages(locked)
    record_event(
        by=by,
        action="appointment.cancelled",
        customer_id=locked.customer_id,
        store_id=locked.store_id,
        detail={"appointment_id": locked.pk},
    )
    told = notify(locked, Use.APPOINTMENT_CANCELLED, by=by) if tell_her else None
    return locked, told


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for each booked appointment in the next ``APPOINTMENT_REMINDER_HOURS`` hours
    (but more than an hour away) that has not had one. A reminder that quiet hours would hold back
    until less than an hour before the appointment is not sent."""
    now = now or timezone.now()
    due = list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminder_queued_at__isnull=True,
            starts_at__gt=now + timedelta(hours=1),
            starts_at__lte=now + timedelta(hours=settings.APPOINTMENT_REMINDER_HOURS),
        )
        .exclude(notify_by="")
        .values_list("pk", flat=True)
    )
    queued = 0
    for pk in due:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(skip_locked=True)
                .select_related("store", "customer", "associate")
                .filter(pk=pk, reminder_queued_at__isnull=True, status=Appointment.Status.BOOKED)
                .first()
            )
            if appointment is None:
                continue
            appointment.reminder_queued_at = now
            appointment.save(update_fields=["reminder_queued_at"])
            quiet_until = rules.quiet_hours_end(appointment.store, now)
            if quiet_until is not None and quiet_until > appointment.starts_at - timedelta(hours=1):
                continue
            if isinstance(notify(appointment, Use.APPOINTMENT_REMINDER, by=None), Message):
                queued += 1
    return queued
