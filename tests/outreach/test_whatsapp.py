"""WhatsApp, a channel we answer her on under her consent: her message is answerable when she agreed
to it; the answer goes to the Cloud API (a real local server standing in for it) within WhatsApp's
24-hour window, and is refused, or cancelled as it leaves, outside it; its statuses mark it delivered
and read; STOP there withdraws WhatsApp."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from common.whatsapp import HttpWhatsAppBackend, WhatsAppDeliveryError, WhatsAppRejected
from consent.models import ConsentEvent, ConsentState, Method, PurposeCode, Verification
from outreach import delivery, rules
from outreach.appointments import book_appointment
from outreach.messaging import MessageBlocked, queue_message
from outreach.models import Appointment, Channel, InboundMessage, Message, Use
from tests.outreach.conftest import set_quiet_hours_around
from tests.outreach.fake_provider import PHONE_NUMBER_ID, TOKEN
from tests.webhook_calls import post_signed, whatsapp_events, whatsapp_from

pytestmark = pytest.mark.django_db

NUMBER = "+447911123456"


@pytest.fixture(autouse=True)
def secret(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WHATSAPP_INBOUND_SECRET = "s3cret"


def she_writes(client, text: str = "Is the linen coat in a 38?", *, hours_ago: float = 0):  # type: ignore[no-untyped-def]
    """Her WhatsApp message through the signed webhook, sent ``hours_ago`` (as WhatsApp dates it)."""
    sent = int(time.time() - hours_ago * 3600)
    response = post_signed(client, "/whatsapp/events/", whatsapp_from(NUMBER, text, at=sent))
    assert response.status_code == 200, response.content
    return response


def answer(customer, store, by, body: str = "Yes, I kept one for you.", **extra) -> Message:  # type: ignore[no-untyped-def]
    return queue_message(
        by=by, customer=customer, store=store, channel=Channel.WHATSAPP, use=Use.REPLY, body=body, **extra
    )


def granted(customer) -> set[str]:  # type: ignore[no-untyped-def]
    return set(
        ConsentState.objects.filter(customer=customer, granted=True).values_list("purpose_id", flat=True)
    )


# Her message, and whether it may be answered there


def test_a_whatsapp_message_from_a_customer_who_agreed_to_it_may_be_answered_there(client, reachable, store):
    she_writes(client)

    message = InboundMessage.objects.get()
    assert (message.customer, message.store, message.channel) == (reachable, store, Channel.WHATSAPP)
    assert not message.not_to_be_answered
    assert Channel.WHATSAPP in rules.reachable_channels(reachable, store=store)


def test_whatsapp_is_offered_only_to_answer_her_within_the_window(client, reachable, store, settings):
    assert Channel.WHATSAPP not in rules.reachable_channels(reachable, store=store)  # she never wrote there

    she_writes(client, hours_ago=settings.WHATSAPP_ANSWER_WINDOW_HOURS + 0.5)
    assert Channel.WHATSAPP not in rules.reachable_channels(reachable, store=store)

    she_writes(client, hours_ago=23)
    assert rules.reachable_channels(reachable, store=store) == [Channel.EMAIL, Channel.SMS, Channel.WHATSAPP]
    assert Channel.WHATSAPP not in rules.reachable_channels(reachable)  # not without the store she wrote to


def test_a_customer_who_did_not_agree_to_whatsapp_is_not_offered_it(client, reachable, store, withdraw):
    withdraw(reachable, [PurposeCode.CONTACT_WHATSAPP])
    she_writes(client)

    assert Channel.WHATSAPP not in rules.reachable_channels(reachable, store=store)
    with pytest.raises(MessageBlocked) as blocked:
        answer(reachable, store, None)
    assert blocked.value.blocked.reason == "She has not agreed to messages on WhatsApp."


# Sending the answer


def test_the_answer_goes_to_the_cloud_api_with_its_json_and_bearer_and_keeps_its_wamid(
    client, reachable, store, associate, fake_whatsapp
):
    she_writes(client)
    message = answer(reachable, store, associate)  # written; its worker's try is this one

    delivery.deliver(message.pk)
    message.refresh_from_db()

    (request,) = fake_whatsapp.requests
    assert request["path"] == f"/v23.0/{PHONE_NUMBER_ID}/messages"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["payload"] == {
        "messaging_product": "whatsapp",
        "to": "447911123456",
        "type": "text",
        "text": {"body": "Yes, I kept one for you.", "preview_url": False},
        "biz_opaque_callback_data": str(message.public_id),
    }
    assert (message.status, message.provider, message.provider_reference) == (
        "sent",
        "whatsapp",
        "wamid.fake-1",
    )
    assert message.use == Use.REPLY
    assert message.interaction is not None  # an answer counts as a contact


def test_an_answer_within_the_window_is_not_capped(client, reachable, store, associate, settings):
    settings.OUTREACH_CAP = 1
    queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="New in"
    )
    she_writes(client)

    assert answer(reachable, store, associate).use == Use.REPLY


def test_the_cloud_api_tells_a_retry_from_a_refusal(fake_whatsapp):
    fake_whatsapp.script = [503, 429, (400, 130429), (400, 131047), (400, 131030)]

    for _ in range(3):
        with pytest.raises(WhatsAppDeliveryError) as busy:
            HttpWhatsAppBackend().send(NUMBER, "Hello")
        assert not isinstance(busy.value, WhatsAppRejected)
    with pytest.raises(WhatsAppRejected, match="more than 24 hours"):
        HttpWhatsAppBackend().send(NUMBER, "Hello")
    with pytest.raises(WhatsAppRejected, match="131030"):
        HttpWhatsAppBackend().send(NUMBER, "Hello")
    assert fake_whatsapp.delivered == []


def test_a_refused_answer_fails_at_once_with_the_reason(client, reachable, store, associate, fake_whatsapp):
    fake_whatsapp.script = [(400, 131026)]
    she_writes(client)
    message = answer(reachable, store, associate)

    assert delivery.deliver(message.pk).status == "failed"
    message.refresh_from_db()
    assert "131026" in message.last_error


# WhatsApp's window


def test_outside_the_window_the_answer_is_refused_saying_when_she_last_wrote(
    client, reachable, store, associate, settings
):
    she_writes(client, hours_ago=25)

    with pytest.raises(MessageBlocked) as blocked:
        answer(reachable, store, associate)

    assert blocked.value.blocked.rule == "whatsapp_window"
    reason = blocked.value.blocked.reason
    assert reason.startswith("WhatsApp only lets us answer within 24 hours of her last WhatsApp message")
    assert "she last wrote on" in reason
    assert not Message.objects.exists()


def test_the_window_is_a_setting(client, reachable, store, associate, settings):
    settings.WHATSAPP_ANSWER_WINDOW_HOURS = 2
    she_writes(client, hours_ago=3)

    with pytest.raises(MessageBlocked) as blocked:
        answer(reachable, store, associate)

    assert "within 2 hours" in blocked.value.blocked.reason


def test_a_customer_who_never_wrote_on_whatsapp_cannot_be_written_to_there(reachable, store, associate):
    with pytest.raises(MessageBlocked) as blocked:
        answer(reachable, store, associate)

    assert blocked.value.blocked.rule == "whatsapp_window"
    assert "she has not written to this store there" in blocked.value.blocked.reason


def test_her_message_to_another_store_does_not_open_this_stores_window(client, reachable, store, associate):
    from tests.factories import StoreFactory

    paris = StoreFactory(code="paris", name="Paris Marais")
    she_writes(client)  # to her home store

    with pytest.raises(MessageBlocked):
        answer(reachable, paris, associate)


def test_an_answer_that_would_leave_after_the_window_is_cancelled_as_it_leaves(
    client, reachable, store, associate, fake_whatsapp
):
    fake_whatsapp.script = [503]  # the first try fails; the next falls after her window closed
    she_writes(client)
    message = answer(reachable, store, associate)
    assert delivery.deliver(message.pk).status == "retry"

    InboundMessage.objects.update(
        sent_at=timezone.now() - timedelta(hours=25), received_at=timezone.now() - timedelta(hours=25)
    )
    Message.objects.filter(pk=message.pk).update(send_after=timezone.now())
    outcome = delivery.deliver(message.pk)
    message.refresh_from_db()

    assert outcome.status == "cancelled"
    assert message.status == Message.Status.CANCELLED
    assert message.last_error.startswith("WhatsApp only lets us answer within 24 hours")
    assert len(fake_whatsapp.requests) == 1
    assert fake_whatsapp.delivered == []


def test_in_quiet_hours_an_answer_waits_only_if_the_window_is_still_open_when_they_end(
    client, reachable, store, associate
):
    set_quiet_hours_around(store)  # they end in an hour
    she_writes(client, hours_ago=23.5)  # her window closes in half an hour

    with pytest.raises(MessageBlocked) as blocked:
        answer(reachable, store, associate, after_quiet_hours=True)

    assert blocked.value.blocked.rule == "whatsapp_window"
    assert "after the store's quiet hours" in blocked.value.blocked.reason

    she_writes(client, hours_ago=1)
    waiting = answer(reachable, store, associate, after_quiet_hours=True)
    assert waiting.send_after > timezone.now() + timedelta(minutes=30)


def test_appointment_messages_do_not_go_on_whatsapp(client, reachable, store, associate):
    from django.core.exceptions import ValidationError

    she_writes(client)

    with pytest.raises(ValidationError) as refused:
        book_appointment(
            by=associate,
            customer=reachable,
            store=store,
            associate=associate,
            starts_at=timezone.now() + timedelta(days=2),
            duration=timedelta(hours=1),
            purpose=Appointment.Purpose.FITTING,
            notify_by=Channel.WHATSAPP,
        )

    assert "notify_by" in refused.value.message_dict


# What WhatsApp says became of it


def test_whatsapps_statuses_mark_the_answer_delivered_then_read(
    client, reachable, store, associate, fake_whatsapp
):
    she_writes(client)
    message = answer(reachable, store, associate)
    delivery.deliver(message.pk)

    def status(state: str, at: int) -> dict[str, object]:
        return {"id": "wamid.fake-1", "status": state, "timestamp": str(at), "recipient_id": "447911123456"}

    now = int(time.time())
    delivered = post_signed(client, "/whatsapp/events/", whatsapp_events(statuses=[status("delivered", now)]))
    message.refresh_from_db()
    assert delivered.json()["statuses"] == 1
    assert message.status == Message.Status.DELIVERED

    post_signed(client, "/whatsapp/events/", whatsapp_events(statuses=[status("read", now + 5)]))
    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert message.read_at is not None
    assert message.delivered_at is not None


def test_a_status_echoing_our_id_finds_the_answer_whose_wamid_we_never_kept(
    client, reachable, store, associate, fake_whatsapp
):
    she_writes(client)
    message = answer(reachable, store, associate)
    delivery.deliver(message.pk)
    Message.objects.filter(pk=message.pk).update(provider_reference="")  # as if its answer was lost

    post_signed(
        client,
        "/whatsapp/events/",
        whatsapp_events(
            statuses=[
                {
                    "id": "wamid.other",
                    "status": "delivered",
                    "biz_opaque_callback_data": str(message.public_id),
                }
            ]
        ),
    )

    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


def test_a_status_for_an_answer_we_no_longer_have_does_not_hold_up_her_message_in_the_same_call(
    client, reachable, store
):
    gone = "6f1c1a3e-2b1f-4c55-9d7e-1a2b3c4d5e6f"  # ours once, erased with a customer since
    payload = whatsapp_from(NUMBER, "Hello again")
    payload["entry"][0]["changes"][0]["value"]["statuses"] = [
        {"id": "wamid.gone", "status": "read", "biz_opaque_callback_data": gone}
    ]

    response = post_signed(client, "/whatsapp/events/", payload)

    assert response.status_code == 200
    assert (response.json()["received"], response.json()["ignored"]) == (1, 1)


def test_a_status_for_an_answer_still_leaving_is_refused_so_it_comes_again(
    client, reachable, store, associate
):
    she_writes(client)
    waiting = Message.objects.create(
        customer=reachable,
        store=store,
        use=Use.REPLY,
        channel=Channel.WHATSAPP,
        body="On its way",
        send_after=timezone.now(),
        created_at=timezone.now(),
    )

    response = post_signed(
        client,
        "/whatsapp/events/",
        whatsapp_events(
            statuses=[{"id": "wamid.9", "status": "sent", "biz_opaque_callback_data": str(waiting.public_id)}]
        ),
    )

    assert response.status_code == 409


# Her way out


def test_stop_on_whatsapp_withdraws_whatsapp_only_and_cancels_what_waited_there(
    client, reachable, store, associate
):
    she_writes(client)
    set_quiet_hours_around(store)
    waiting = answer(reachable, store, associate, after_quiet_hours=True)

    response = she_writes(client, "STOP")

    assert response.json()["withdrawn"] == 1
    assert PurposeCode.CONTACT_WHATSAPP not in granted(reachable)
    assert PurposeCode.CONTACT_SMS in granted(reachable)
    event = ConsentEvent.objects.filter(customer=reachable).latest("id")
    assert (event.purpose_id, event.granted, event.method, event.verification) == (
        PurposeCode.CONTACT_WHATSAPP,
        False,
        Method.WHATSAPP_REPLY,
        Verification.SENDER_NUMBER,
    )
    stop = InboundMessage.objects.get(body="STOP")
    assert stop.is_opt_out
    assert stop.not_to_be_answered
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED
    assert AuditEvent.objects.filter(action="consent.changed", customer=reachable).exists()
    assert Channel.WHATSAPP not in rules.reachable_channels(reachable, store=store)
