"""Delivery: the HTTP SMS provider against a local fake server, retries without duplicates, failures
reported, the rules checked again as a message leaves; and the same on a real Celery worker."""

import time as clock
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.sms import HttpSmsBackend, SmsDeliveryError, SmsRejected
from consent.models import PurposeCode
from customers.models import StoreRelationship
from outreach import delivery, optout, tasks
from outreach.messaging import queue_message
from outreach.models import Channel, Message, Use
from relationships.models import Interaction
from tablet.my_day import build_my_day
from tests.outreach.conftest import set_quiet_hours_around


def queued(customer, store, by, channel=Channel.SMS, use=Use.OUTREACH) -> Message:  # type: ignore[no-untyped-def]
    """A message written but not handed to a worker (as if its task were lost)."""
    return queue_message(
        by=by,
        customer=customer,
        store=store,
        channel=channel,
        use=use,
        subject="Hello",
        body="Your size is back.",
    )


def due_again(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(send_after=timezone.now())


# The HTTP provider itself


def test_the_http_provider_posts_json_with_the_token_and_the_idempotency_key(fake_sms):
    reference = HttpSmsBackend().send("+447911123456", "Hello", reference="abc-123")

    (request,) = fake_sms.requests
    assert request["payload"] == {"to": "+447911123456", "body": "Hello", "reference": "abc-123"}
    assert request["headers"]["Authorization"] == "Bearer test-token"
    assert request["headers"]["Idempotency-Key"] == "abc-123"
    assert reference == "fake-1"


def test_the_http_provider_tells_a_retry_from_a_refusal(fake_sms):
    fake_sms.script = [503, 429, 400]

    with pytest.raises(SmsDeliveryError) as unavailable:
        HttpSmsBackend().send("+447911123456", "Hello")
    with pytest.raises(SmsDeliveryError) as busy:
        HttpSmsBackend().send("+447911123456", "Hello")
    with pytest.raises(SmsRejected):
        HttpSmsBackend().send("+447911123456", "Hello")

    assert not isinstance(unavailable.value, SmsRejected)
    assert not isinstance(busy.value, SmsRejected)
    assert fake_sms.delivered == []


def test_an_answer_that_never_comes_is_worth_a_retry(fake_sms):
    fake_sms.script = ["slow"]

    with pytest.raises(SmsDeliveryError) as late:
        HttpSmsBackend().send("+447911123456", "Hello", reference="k")

    assert not isinstance(late.value, SmsRejected)


# Delivery


def test_a_failed_text_is_retried_later_and_sent_once(reachable, store, associate, fake_sms):
    fake_sms.script = [503]
    message = queued(reachable, store, associate)

    first = delivery.deliver(message.pk)
    message.refresh_from_db()
    assert first.status == "retry"
    assert message.status == Message.Status.RETRYING
    assert "503" in message.last_error
    assert message.send_after > timezone.now()
    assert delivery.deliver(message.pk).status == "waiting"  # not before its time

    due_again(message)
    second = delivery.deliver(message.pk)
    message.refresh_from_db()

    assert second.status == "sent"
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert message.provider_reference == "fake-1"
    assert len(fake_sms.delivered) == 1
    assert fake_sms.delivered[0]["body"].startswith("Your size is back.\nReply STOP")


def test_a_retry_after_a_lost_answer_does_not_send_the_text_twice(reachable, store, associate, fake_sms):
    fake_sms.script = ["slow"]  # the provider takes it, but its answer arrives after we gave up
    message = queued(reachable, store, associate)

    assert delivery.deliver(message.pk).status == "retry"
    due_again(message)
    assert delivery.deliver(message.pk).status == "sent"

    assert len(fake_sms.requests) == 2
    assert len(fake_sms.delivered) == 1
    keys = {r["headers"]["Idempotency-Key"] for r in fake_sms.requests}
    assert keys == {str(message.public_id)}


def test_delivering_again_after_it_went_sends_nothing(reachable, store, associate, fake_sms):
    message = queued(reachable, store, associate)

    outcomes = [delivery.deliver(message.pk).status for _ in range(3)]
    due_again(message)
    again = delivery.send_due()

    assert outcomes == ["sent", "skipped", "skipped"]
    assert again == {}
    assert len(fake_sms.requests) == 1


def test_a_refused_text_fails_at_once_and_is_reported_to_its_sender(reachable, store, associate, fake_sms):
    fake_sms.script = [400]
    message = queued(reachable, store, associate)

    assert delivery.deliver(message.pk).status == "failed"
    message.refresh_from_db()

    assert message.status == Message.Status.FAILED
    assert message.finished_at is not None
    assert "refused" in message.last_error
    assert [m.pk for m in build_my_day(associate, store=store).undelivered] == [message.pk]  # on her My day
    assert fake_sms.delivered == []


def test_after_the_last_try_the_message_fails_with_the_reason(
    reachable, store, associate, fake_sms, settings
):
    settings.OUTREACH_MAX_ATTEMPTS = 3
    fake_sms.script = [503, 503, 503]
    message = queued(reachable, store, associate)

    for _ in range(3):
        due_again(message)
        delivery.deliver(message.pk)
    message.refresh_from_db()

    assert message.status == Message.Status.FAILED
    assert message.attempts == 3
    assert message.last_error.startswith("Gave up after 3 tries")


def test_consent_withdrawn_before_it_leaves_cancels_it(reachable, store, associate, withdraw, fake_sms):
    message = queued(reachable, store, associate)
    withdraw(reachable, [PurposeCode.CONTACT_SMS])

    delivery.deliver(message.pk)
    message.refresh_from_db()

    assert message.status == Message.Status.CANCELLED
    assert "text" in message.last_error
    assert fake_sms.requests == []


def test_a_message_due_in_quiet_hours_waits_for_the_morning(reachable, store, associate, fake_sms):
    message = queued(reachable, store, associate)
    set_quiet_hours_around(store)

    outcome = delivery.deliver(message.pk)
    message.refresh_from_db()

    assert outcome.status == "waiting"
    assert message.status == Message.Status.QUEUED
    assert message.send_after > timezone.now() + timedelta(minutes=30)
    assert fake_sms.requests == []


def test_an_email_carries_an_unsubscribe_link_and_counts_as_a_contact(reachable, store, associate):
    message = queued(reachable, store, associate, channel=Channel.EMAIL)

    delivery.deliver(message.pk)
    message.refresh_from_db()

    (email,) = mail.outbox
    assert email.to == ["zoe@example.com"]
    assert email.subject == "Hello"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in email.body
    assert link.startswith(delivery.unsubscribe_url(message).split("/u/")[0] + "/u/")
    assert optout.message_for_token(link.rstrip("/").rsplit("/", 1)[1]) == message  # (signed each second)
    assert message.interaction is not None
    assert message.interaction.kind == Interaction.Kind.MESSAGE
    assert StoreRelationship.objects.get(customer=reachable, store=store).last_contacted_at == message.sent_at


def test_a_message_about_an_appointment_is_not_counted_as_outreach(reachable, store, associate):
    message = queued(reachable, store, associate, channel=Channel.EMAIL, use=Use.APPOINTMENT_REMINDER)

    delivery.deliver(message.pk)
    message.refresh_from_db()

    assert message.status == Message.Status.SENT
    assert message.interaction is None


# On a real worker


def wait_for(message: Message, status: str, seconds: float = 30) -> Message:
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == status:
            return message
        clock.sleep(0.2)
    raise AssertionError(f"message still {message.status} ({message.last_error})")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_on_a_real_worker_failures_are_retried_by_celery_and_the_text_goes_once(
    celery_worker, reachable, store, associate, fake_sms, settings
):
    settings.OUTREACH_RETRY_SECONDS = 1
    fake_sms.script = [503, 503]

    message = queue_message(
        by=associate,
        customer=reachable,
        store=store,
        channel=Channel.SMS,
        use=Use.OUTREACH,
        body="Back in stock.",
    )  # committed, so the worker gets it at once

    wait_for(message, Message.Status.SENT)
    assert message.attempts == 3
    assert len(fake_sms.requests) == 3
    assert len(fake_sms.delivered) == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_on_a_real_worker_send_due_picks_up_a_message_whose_task_was_lost(
    celery_worker, reachable, store, associate, fake_sms
):
    message = Message.objects.create(
        customer=reachable,
        store=store,
        sent_by=associate,
        use=Use.OUTREACH,
        channel=Channel.SMS,
        body="Back in stock.",
        send_after=timezone.now(),
        created_at=timezone.now(),
    )  # written, but no task was ever sent to the broker

    result = tasks.send_due.delay()
    counts = result.get(timeout=30)

    assert type(result).__name__ == "AsyncResult"
    assert counts == {"sent": 1}
    assert wait_for(message, Message.Status.SENT).attempts == 1
    assert len(fake_sms.delivered) == 1
