"""The rules every message obeys: consent per channel, quiet hours in the store's time zone, the cap
across associates. Messages are queued through ``queue_message``, as the card does."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import PurposeCode
from outreach.messaging import MessageBlocked, queue_message
from outreach.models import Channel, Message, Use
from outreach.rules import check_quiet_hours, quiet_hours_end
from tests.factories import StoreFactory


def send(customer, store, by, channel=Channel.EMAIL, use=Use.OUTREACH, **kwargs):  # type: ignore[no-untyped-def]
    return queue_message(
        by=by,
        customer=customer,
        store=store,
        channel=channel,
        use=use,
        subject="Hello",
        body="Your size is back.",
        **kwargs,
    )


def test_an_email_goes_only_to_a_customer_who_agreed_to_emails(
    reachable, store, associate, withdraw, sms_outbox, django_capture_on_commit_callbacks
):
    withdraw(reachable, [PurposeCode.CONTACT_EMAIL])

    with pytest.raises(MessageBlocked) as blocked:
        send(reachable, store, associate, Channel.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        send(reachable, store, associate, Channel.SMS)  # texts she still accepts

    assert blocked.value.blocked.rule == "consent"
    assert "e-mail" in blocked.value.blocked.reason
    assert Message.objects.filter(channel=Channel.EMAIL).count() == 0
    assert mail.outbox == []
    assert [m.to for m in sms_outbox] == ["+447911123456"]


def test_a_text_goes_only_to_a_customer_who_agreed_to_texts(reachable, store, associate, withdraw):
    withdraw(reachable, [PurposeCode.CONTACT_SMS])

    with pytest.raises(MessageBlocked) as blocked:
        send(reachable, store, associate, Channel.SMS)

    assert blocked.value.blocked.rule == "consent"
    assert "text" in blocked.value.blocked.reason


def test_a_customer_without_an_address_for_the_channel_is_told_apart(consenting_customer, store, associate):
    with pytest.raises(MessageBlocked) as blocked:
        send(consenting_customer, store, associate, Channel.EMAIL)

    assert blocked.value.blocked.rule == "address"


def test_quiet_hours_are_read_on_the_stores_clock_not_the_servers():
    paris = StoreFactory.build(timezone="Europe/Paris", quiet_hours_start=time(21), quiet_hours_end=time(9))
    new_york = StoreFactory.build(
        timezone="America/New_York", quiet_hours_start=time(21), quiet_hours_end=time(9)
    )
    at = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # 21:30 in Paris, 15:30 in New York

    assert check_quiet_hours(paris, at) is not None
    assert check_quiet_hours(new_york, at) is None
    # They end at 09:00 the next morning, Paris time.
    assert quiet_hours_end(paris, at) == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    # Just after midnight they still end that same morning.
    assert quiet_hours_end(paris, datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) == datetime(
        2026, 11, 25, 8, 0, tzinfo=UTC
    )
    assert check_quiet_hours(paris, datetime(2026, 11, 25, 8, 0, tzinfo=UTC)) is None


def test_quiet_hours_follow_summer_time():
    london = StoreFactory.build(timezone="Europe/London", quiet_hours_start=time(21), quiet_hours_end=time(9))
    # 08:30 UTC is 09:30 in London in July (open) but 08:30 in January (quiet).
    assert check_quiet_hours(london, datetime(2026, 7, 1, 8, 30, tzinfo=UTC)) is None
    assert check_quiet_hours(london, datetime(2026, 1, 7, 8, 30, tzinfo=UTC)) is not None


def test_in_quiet_hours_outreach_is_refused_with_the_reason_unless_she_asks_to_wait(
    reachable, store, associate
):
    from tests.outreach.conftest import set_quiet_hours_around

    set_quiet_hours_around(store)

    with pytest.raises(MessageBlocked) as blocked:
        send(reachable, store, associate)
    message = send(reachable, store, associate, after_quiet_hours=True)

    assert blocked.value.blocked.rule == "quiet_hours"
    assert store.name in blocked.value.blocked.reason
    assert message.status == Message.Status.QUEUED
    assert message.send_after == blocked.value.blocked.retry_at
    assert message.send_after > timezone.now()
    assert mail.outbox == []  # it waits for the morning


def test_the_cap_counts_messages_from_every_associate(
    reachable, store, associate, teammate, manager, settings
):
    settings.OUTREACH_CAP = 2
    send(reachable, store, associate)
    send(reachable, store, teammate, Channel.SMS)

    with pytest.raises(MessageBlocked) as blocked:
        send(reachable, store, manager)

    assert blocked.value.blocked.rule == "cap"
    assert "2 messages" in blocked.value.blocked.reason
    assert Message.objects.count() == 2
    assert not AuditEvent.objects.filter(action="message.queued", actor=manager).exists()


def test_the_cap_frees_up_as_messages_age_and_ignores_undelivered_and_appointment_ones(
    reachable, store, associate, teammate, settings
):
    settings.OUTREACH_CAP = 2
    now = timezone.now()
    send(reachable, store, associate, now=now - timedelta(days=8))  # outside the 7 days
    failed = send(reachable, store, associate)
    Message.objects.filter(pk=failed.pk).update(status=Message.Status.FAILED)
    send(reachable, store, associate, use=Use.APPOINTMENT_BOOKED)
    send(reachable, store, teammate)

    message = send(reachable, store, teammate)  # the second that counts

    assert message.pk is not None
    with pytest.raises(MessageBlocked) as blocked:
        send(reachable, store, associate)
    assert blocked.value.blocked.retry_at is not None
    assert blocked.value.blocked.retry_at > now + timedelta(days=6)


def test_an_empty_or_overlong_text_is_refused_and_nothing_is_written(reachable, store, associate):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        queue_message(
            by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="  "
        )
    with pytest.raises(ValidationError):
        queue_message(
            by=associate,
            customer=reachable,
            store=store,
            channel=Channel.SMS,
            use=Use.OUTREACH,
            body="x" * 700,
        )

    assert Message.objects.count() == 0


def test_queueing_is_audited_without_the_text(reachable, store, associate):
    message = send(reachable, store, associate)

    event = AuditEvent.objects.get(action="message.queued")
    assert event.customer_id == reachable.pk
    assert event.detail == {"message_id": message.pk, "channel": "email", "use": "outreach"}
