"""Appointments: booking, clashes, moving with a stale form, cancelling, the confirmation and
reminder messages under the same consent rules, my day and the store's day."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import PurposeCode
from outreach import appointments as service
from outreach.models import Appointment, Channel, Message, Use
from tests.factories import CustomerFactory, ProductFactory
from tests.outreach.conftest import set_quiet_hours_around


def tomorrow_at(store, hour: int, minute: int = 0) -> datetime:  # type: ignore[no-untyped-def]
    zone = ZoneInfo(store.timezone)
    day = timezone.now().astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def book(customer, store, by, *, at=None, associate=None, notify_by=Channel.EMAIL, **kwargs):  # type: ignore[no-untyped-def]
    return service.book_appointment(
        by=by,
        customer=customer,
        store=store,
        associate=associate or by,
        starts_at=at or tomorrow_at(store, 11),
        duration=timedelta(minutes=45),
        purpose=Appointment.Purpose.STYLING,
        notify_by=notify_by,
        **kwargs,
    )


def test_booking_confirms_by_her_channel_in_her_words(
    reachable, store, associate, templates, django_capture_on_commit_callbacks
):
    jacket = ProductFactory(name="Wool jacket")
    with django_capture_on_commit_callbacks(execute=True):
        appointment, told = book(reachable, store, associate, product_ids=[jacket.pk])

    assert isinstance(told, Message)
    assert told.use == Use.APPOINTMENT_BOOKED
    assert told.appointment == appointment
    assert list(appointment.products.all()) == [jacket]
    (email,) = mail.outbox
    assert "11:00" in email.body
    assert "Zoë" in email.body
    assert AuditEvent.objects.filter(action="appointment.booked", customer=reachable).exists()


def test_she_is_confirmed_in_french_when_french_is_her_language(reachable, store, associate, templates):
    reachable.locale = "fr-FR"
    reachable.save()

    _, told = book(reachable, store, associate)

    assert isinstance(told, Message)
    assert told.body.startswith("Bonjour Zoë")


def test_no_confirmation_goes_on_a_channel_she_did_not_allow(
    reachable, store, associate, templates, withdraw
):
    withdraw(reachable, [PurposeCode.CONTACT_EMAIL])

    with pytest.raises(service.ValidationError):
        book(reachable, store, associate, notify_by=Channel.EMAIL)
    appointment, told = book(reachable, store, associate, notify_by="")

    assert appointment.pk is not None
    assert isinstance(told, str)
    assert not Message.objects.exists()


def test_a_confirmation_written_in_quiet_hours_waits_for_the_morning(reachable, store, associate, templates):
    set_quiet_hours_around(store)

    _, told = book(reachable, store, associate)

    assert isinstance(told, Message)
    assert told.send_after > timezone.now()
    assert mail.outbox == []


def test_an_associate_cannot_be_booked_twice_at_once(
    reachable, consenting_customer, store, associate, teammate, templates
):
    book(reachable, store, associate, at=tomorrow_at(store, 11))

    with pytest.raises(service.SlotTaken) as taken:
        book(consenting_customer, store, associate, at=tomorrow_at(store, 11, 30), notify_by="")
    book(consenting_customer, store, associate, at=tomorrow_at(store, 11, 45), notify_by="")  # right after
    book(
        consenting_customer, store, teammate, at=tomorrow_at(store, 11, 30), notify_by=""
    )  # a colleague is free

    assert "11:00 to 11:45" in str(taken.value)
    assert Appointment.objects.count() == 3


def test_moving_tells_her_and_a_stale_form_is_refused(reachable, store, associate, teammate, templates):
    appointment, _ = book(reachable, store, associate)

    moved, told = service.move_appointment(
        by=associate,
        appointment=appointment,
        version=appointment.version,
        associate=teammate,
        starts_at=tomorrow_at(store, 15),
        duration=timedelta(hours=1),
        purpose=Appointment.Purpose.FITTING,
        notify_by=Channel.SMS,
    )
    with pytest.raises(service.StaleAppointment):
        service.move_appointment(
            by=associate,
            appointment=appointment,
            version=appointment.version,  # the version the first form was opened at
            associate=associate,
            starts_at=tomorrow_at(store, 16),
            duration=timedelta(hours=1),
            purpose=Appointment.Purpose.FITTING,
        )

    moved.refresh_from_db()
    assert (moved.associate, moved.starts_at, moved.version) == (teammate, tomorrow_at(store, 15), 2)
    assert isinstance(told, Message)
    assert (told.use, told.channel) == (Use.APPOINTMENT_MOVED, Channel.SMS)
    assert "15:00" in told.body


def test_cancelling_stops_the_pending_messages_and_tells_her(reachable, store, associate, templates):
    appointment, confirmation = book(reachable, store, associate)  # not delivered yet (no worker)

    cancelled, told = service.cancel_appointment(
        by=associate, appointment=appointment, version=appointment.version, reason="She is ill"
    )

    assert cancelled.status == Appointment.Status.CANCELLED
    assert isinstance(confirmation, Message)
    confirmation.refresh_from_db()
    assert confirmation.status == Message.Status.CANCELLED
    assert isinstance(told, Message)
    assert told.use == Use.APPOINTMENT_CANCELLED
    # The slot is free again.
    book(reachable, store, associate, notify_by="")


def test_reminders_are_queued_once_a_day_ahead(reachable, store, associate, templates):
    now = timezone.now()
    soon, _ = book(reachable, store, associate, at=now + timedelta(hours=20), notify_by=Channel.SMS)
    later, _ = book(reachable, store, associate, at=now + timedelta(hours=40), notify_by=Channel.SMS)
    silent, _ = book(reachable, store, associate, at=now + timedelta(hours=22), notify_by="")

    first = service.queue_due_reminders(now)
    second = service.queue_due_reminders(now)

    assert (first, second) == (1, 0)
    reminder = Message.objects.get(use=Use.APPOINTMENT_REMINDER)
    assert reminder.appointment == soon
    later.refresh_from_db()
    silent.refresh_from_db()
    assert later.reminder_queued_at is None


def test_a_reminder_quiet_hours_would_hold_until_too_late_is_not_sent(reachable, store, associate, templates):
    now = timezone.now()
    appointment, _ = book(reachable, store, associate, at=now + timedelta(hours=2), notify_by=Channel.SMS)
    set_quiet_hours_around(store, now + timedelta(minutes=30))  # quiet until 90 minutes from now

    assert service.queue_due_reminders(now) == 0
    appointment.refresh_from_db()
    assert appointment.reminder_queued_at is not None  # considered, and deliberately not sent


def test_my_day_and_the_store_day_show_the_appointment(client, reachable, store, associate, withdraw, grant):
    zone = ZoneInfo(store.timezone)
    start = datetime.combine(timezone.now().astimezone(zone).date(), time(0, 30), tzinfo=zone)  # today
    hidden = CustomerFactory(given_name="Hélène", family_name="Marchetti", home_store=store)
    grant(hidden, store=store)
    for customer, at in ((reachable, start), (hidden, start + timedelta(hours=1))):
        Appointment.objects.create(
            customer=customer,
            store=store,
            associate=associate,
            starts_at=at,
            ends_at=at + timedelta(minutes=30),
            purpose=Appointment.Purpose.FITTING,
            created_at=timezone.now(),
        )
    withdraw(hidden)  # she may no longer be seen
    client.force_login(associate)

    my_day = client.get("/").content.decode()
    day = client.get("/appointments/").content.decode()

    assert "Zoë Okafor" in my_day
    assert "00:30" in my_day
    assert "Marchetti" not in my_day
    assert "Zoë Okafor" in day
    assert "A customer (details hidden)" in day
    assert "Marchetti" not in day
