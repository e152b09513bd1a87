"""Delivery receipts move a message forward only, once, whatever order the provider sends them in;
a failure keeps the provider's error code; a receipt for a message still leaving is tried again."""

import pytest

from outreach.delivery import deliver
from outreach.messaging import queue_message
from outreach.models import Channel, Message, Use
from tests.webhook_calls import post_signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def secret(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_INBOUND_SECRET = "s3cret"


@pytest.fixture
def sent(reachable, store, associate, fake_sms) -> Message:  # type: ignore[no-untyped-def]
    message = queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="It's in."
    )
    deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.provider, message.provider_reference) == ("sent", "sms", "fake-1")
    return message


def receipt(client, status: str, message_id: str = "fake-1", **extra: str):  # type: ignore[no-untyped-def]
    return post_signed(client, "/sms/status/", {"id": message_id, "status": status, **extra})


def test_a_delivery_receipt_marks_the_message_delivered(client, sent):
    response = receipt(client, "delivered", at="2026-12-05T10:00:04+00:00")

    assert response.status_code == 200
    assert response.json()["statuses"] == 1
    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED
    assert sent.delivered_at.isoformat() == "2026-12-05T10:00:04+00:00"


def test_a_late_sent_never_overwrites_delivered_and_read_comes_after(client, sent):
    receipt(client, "delivered")
    receipt(client, "sent")  # out of order
    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED

    receipt(client, "read")
    receipt(client, "delivered")  # twice, late
    sent.refresh_from_db()
    assert sent.status == Message.Status.READ
    assert sent.read_at is not None


def test_read_before_delivered_sets_both(client, sent):
    receipt(client, "read")

    sent.refresh_from_db()
    assert sent.status == Message.Status.READ
    assert sent.delivered_at is not None


def test_a_failure_keeps_the_providers_error_code(client, sent):
    receipt(client, "undelivered", error_code="30003")

    sent.refresh_from_db()
    assert sent.status == Message.Status.FAILED
    assert sent.provider_error == "30003"
    assert "30003" in sent.last_error


def test_a_failure_after_delivery_changes_nothing(client, sent):
    receipt(client, "delivered")
    receipt(client, "failed", error_code="1")

    sent.refresh_from_db()
    assert sent.status == Message.Status.DELIVERED
    assert sent.provider_error == ""


def test_states_that_say_nothing_new_are_acknowledged(client, sent):
    response = receipt(client, "queued")

    assert response.json()["ignored"] == 1
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_a_receipt_for_a_message_we_do_not_know_is_acknowledged_and_ignored(client, sent):
    response = receipt(client, "delivered", message_id="not-ours")

    assert response.status_code == 200
    assert response.json()["ignored"] == 1


def test_a_receipt_for_one_of_ours_still_leaving_is_refused_so_the_provider_tries_again(
    client, reachable, store, associate
):
    waiting = queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="Hi"
    )

    response = receipt(client, "delivered", message_id="fake-9", reference=str(waiting.public_id))

    assert response.status_code == 409
    waiting.refresh_from_db()
    assert waiting.is_pending


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"id": "fake-1", "status": "vanished"}, 400),
        ({"id": "SM1", "from": "+447911123456", "text": "hi"}, 400),
    ],
)
def test_a_malformed_receipt_is_a_400(client, sent, payload, status):
    assert post_signed(client, "/sms/status/", payload).status_code == status
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_an_unsigned_receipt_is_refused(client, sent):
    response = post_signed(client, "/sms/status/", {"id": "fake-1", "status": "failed"}, signature="00" * 32)

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_whatsapp_statuses_in_the_cloud_api_shape_are_receipts(client, settings, sent):
    settings.WHATSAPP_INBOUND_SECRET = "s3cret"
    Message.objects.filter(pk=sent.pk).update(provider="whatsapp", provider_reference="wamid.7")
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {"value": {"statuses": [{"id": "wamid.7", "status": "read", "timestamp": "1764928870"}]}}
                ]
            }
        ],
    }

    response = post_signed(client, "/whatsapp/events/", payload)

    assert response.json()["statuses"] == 1
    sent.refresh_from_db()
    assert sent.status == Message.Status.READ
