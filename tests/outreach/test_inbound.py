"""Her replies reach her conversation with her store, once, through signed webhooks: bad signatures,
stale timestamps, malformed and oversized bodies are refused with nothing written; a stranger's number
lands in the store's inbox without a profile; a reply on a channel she withdrew is kept and flagged."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import ConsentState, PurposeCode
from customers.models import Customer
from outreach.messaging import queue_message
from outreach.models import Channel, Conversation, InboundMessage, Message, Use
from tests.factories import IdentifierFactory, StoreFactory, UserFactory
from tests.webhook_calls import post_signed, text_from

pytestmark = pytest.mark.django_db

NUMBER = "+447911123456"


@pytest.fixture(autouse=True)
def secrets(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_INBOUND_SECRET = "s3cret"
    settings.WHATSAPP_INBOUND_SECRET = "s3cret"


def nothing_written() -> bool:
    return not InboundMessage.objects.exists() and not Conversation.objects.exists()


def test_her_reply_lands_in_her_conversation_with_the_store_she_was_last_messaged_from(
    client, reachable, store, associate
):
    other = StoreFactory(code="paris", name="Paris Marais")
    queue_message(
        by=associate, customer=reachable, store=other, channel=Channel.SMS, use=Use.OUTREACH, body="Hi"
    )

    response = post_signed(
        client, "/sms/replies/", text_from("+44 7911 123456", "Yes, can you keep it for Saturday?")
    )

    assert response.status_code == 200
    assert response.json()["received"] == 1
    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store, reply.channel, reply.sender) == (
        reachable,
        other,
        Channel.SMS,
        NUMBER,
    )
    assert reply.body == "Yes, can you keep it for Saturday?"
    assert not reply.not_to_be_answered
    assert not reply.is_sensitive
    conversation = Conversation.objects.get()
    assert (conversation.customer, conversation.store, conversation.status) == (reachable, other, "open")
    event = AuditEvent.objects.get(action="message.received")
    assert event.customer_id == reachable.pk
    assert "Saturday" not in str(event.detail)  # never her words in the audit trail


def test_without_an_earlier_message_her_reply_goes_to_her_home_store_and_her_associate(
    client, reachable, store, associate
):
    from customers.models import StoreRelationship

    StoreRelationship.objects.create(customer=reachable, store=store, assigned_associate=associate)

    post_signed(client, "/sms/replies/", text_from(NUMBER, "Hello"))

    conversation = Conversation.objects.get()
    assert (conversation.store, conversation.assigned_to) == (store, associate)


def test_the_same_provider_message_delivered_twice_is_one_message(client, reachable):
    payload = text_from(NUMBER, "Yes please", message_id="SM-1")

    first = post_signed(client, "/sms/replies/", payload)
    again = post_signed(client, "/sms/replies/", payload)

    assert first.json()["received"] == 1
    assert again.status_code == 200
    assert (again.json()["received"], again.json()["duplicates"]) == (0, 1)
    assert InboundMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="message.received").count() == 1


def test_a_forged_signature_is_refused_and_nothing_is_written(client, reachable):
    response = post_signed(client, "/sms/replies/", text_from(NUMBER, "Hello"), signature="ab" * 32)

    assert response.status_code == 403
    assert nothing_written()


def test_a_signature_made_with_another_secret_is_refused(client, reachable):
    response = post_signed(client, "/sms/replies/", text_from(NUMBER, "Hello"), secret="guess")

    assert response.status_code == 403
    assert nothing_written()


@pytest.mark.parametrize("age", [-3600, 301, 86400])
def test_a_call_signed_too_long_ago_or_ahead_is_refused_as_a_replay(client, reachable, age):
    response = post_signed(
        client, "/sms/replies/", text_from(NUMBER, "Hello"), timestamp=int(time.time()) - age
    )

    assert response.status_code == 403
    assert "stale" in response.json()["error"]
    assert nothing_written()


def test_a_call_without_a_timestamp_is_refused(client, reachable):
    response = client.post(
        "/sms/replies/", b"{}", content_type="application/json", headers={"X-Signature": "00"}
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"from": NUMBER, "text": "Hello"}, '"id"'),
        ({"id": "SM-2", "text": "Hello"}, '"from"'),
        ({"id": "SM-2", "from": NUMBER, "text": ""}, '"text"'),
        ({"id": "SM-2", "from": NUMBER, "text": "Hi", "sent_at": "yesterday"}, '"sent_at"'),
        (["not", "an", "object"], "JSON object"),
        ({"id": "SM-2", "from": "not a number", "text": "Hello"}, "phone number"),
    ],
)
def test_a_malformed_payload_is_a_400_saying_what_is_wrong(client, reachable, payload, says):
    response = post_signed(client, "/sms/replies/", payload)

    assert response.status_code == 400
    assert says in response.json()["error"]
    assert nothing_written()


def test_an_oversized_body_is_a_413(client, reachable, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 1024

    response = post_signed(client, "/sms/replies/", text_from(NUMBER, "x" * 2000))

    assert response.status_code == 413
    assert nothing_written()


def test_a_number_nobody_has_lands_in_the_default_store_inbox_without_a_profile(client, store, settings):
    paris = StoreFactory(code="paris", name="Paris Marais")
    settings.CONVERSATION_DEFAULT_STORE = "paris"
    customers_before = Customer.objects.count()

    response = post_signed(
        client, "/sms/replies/", text_from("+33 6 12 34 56 78", "Bonjour, vous avez la veste ?")
    )

    assert response.status_code == 200
    assert Customer.objects.count() == customers_before
    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store, reply.sender) == (None, paris, "+33612345678")
    conversation = Conversation.objects.get()
    assert (conversation.customer, conversation.sender, conversation.store) == (None, "+33612345678", paris)

    post_signed(client, "/sms/replies/", text_from("+33612345678", "Merci"))
    assert Conversation.objects.count() == 1  # the same stranger, the same conversation
    assert InboundMessage.objects.count() == 2


def test_a_reply_on_a_channel_she_withdrew_is_kept_for_her_and_flagged(client, reachable, withdraw):
    withdraw(reachable, [PurposeCode.CONTACT_SMS])

    post_signed(client, "/sms/replies/", text_from(NUMBER, "Is the coat still there?"))

    reply = InboundMessage.objects.get()
    assert reply.customer == reachable
    assert reply.not_to_be_answered


def test_stop_is_kept_in_her_thread_and_still_withdraws_texts(client, reachable):
    response = post_signed(client, "/sms/replies/", text_from(NUMBER, "ARRÊT"))

    assert response.json()["withdrawn"] == 1
    reply = InboundMessage.objects.get()
    assert reply.is_opt_out
    assert reply.not_to_be_answered
    assert not ConsentState.objects.filter(
        customer=reachable, purpose_id=PurposeCode.CONTACT_SMS, granted=True
    ).exists()


def test_a_sensitive_reply_is_flagged_so_previews_can_mask_it(client, reachable):
    post_signed(client, "/sms/replies/", text_from(NUMBER, "Sorry, I was in hospital for my chemotherapy"))

    assert InboundMessage.objects.get().is_sensitive


def test_a_whatsapp_message_in_the_cloud_api_shape_is_kept_and_flagged_as_a_channel_she_has_not_agreed_to(
    client, reachable, withdraw
):
    withdraw(reachable, [PurposeCode.CONTACT_WHATSAPP])
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "contacts": [{"profile": {"name": "Zoë"}, "wa_id": "447911123456"}],
                            "messages": [
                                {
                                    "from": "447911123456",
                                    "id": "wamid.1",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": "See you Saturday"},
                                },
                                {
                                    "from": "447911123456",
                                    "id": "wamid.2",
                                    "timestamp": "1764928860",
                                    "type": "image",
                                },
                            ],
                        },
                    }
                ],
            }
        ],
    }

    response = post_signed(client, "/whatsapp/events/", payload)
    again = post_signed(client, "/whatsapp/events/", payload)

    assert response.status_code == 200
    assert response.json()["received"] == 2
    assert again.json()["duplicates"] == 2
    text, image = InboundMessage.objects.order_by("provider_message_id")
    assert (text.channel, text.provider, text.customer, text.body) == (
        "whatsapp",
        "whatsapp",
        reachable,
        "See you Saturday",
    )
    assert image.body == "[image]"
    assert text.not_to_be_answered  # she has not agreed to WhatsApp messages: never answered there


def test_a_whatsapp_payload_of_another_shape_is_a_400_and_one_bad_message_keeps_none(client, reachable):
    good = {"from": "447911123456", "id": "wamid.1", "type": "text", "text": {"body": "Hi"}}
    bad = {"from": "447911123456", "id": "wamid.2", "type": "text"}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"value": {"messages": [good, bad]}}]}],
    }

    assert post_signed(client, "/whatsapp/events/", {"entry": []}).status_code == 400
    response = post_signed(client, "/whatsapp/events/", payload)

    assert response.status_code == 400
    assert '"text"' in response.json()["error"]
    assert nothing_written()


def test_an_unsigned_whatsapp_call_is_refused_when_its_secret_is_not_set(client, reachable, settings):
    settings.WHATSAPP_INBOUND_SECRET = ""

    assert (
        post_signed(
            client, "/whatsapp/events/", {"object": "whatsapp_business_account", "entry": []}
        ).status_code
        == 403
    )


def test_her_text_never_reaches_the_logs(client, reachable, caplog):
    with caplog.at_level("DEBUG"):
        post_signed(client, "/sms/replies/", text_from(NUMBER, "My secret plan for Saturday"))

    assert "secret plan" not in caplog.text


def her_text_ago(customer: Customer, store, *, hours: int) -> InboundMessage:  # type: ignore[no-untyped-def]
    """Her "Yes!", received ``hours`` ago."""
    return InboundMessage.objects.create(
        store=store,
        customer=customer,
        sender=NUMBER,
        channel=Channel.SMS,
        provider="sms",
        provider_message_id="SM-9",
        body="Yes!",
        received_at=timezone.now() - timedelta(hours=hours),
    )


def test_an_answer_within_the_window_is_not_capped_and_does_not_count(reachable, store, associate, settings):
    settings.OUTREACH_CAP = 1
    queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="Hi"
    )
    her_text_ago(reachable, store, hours=1)

    answer = queue_message(
        by=associate,
        customer=reachable,
        store=store,
        channel=Channel.SMS,
        use=Use.REPLY,
        body="Kept for you.",
    )

    assert answer.use == Use.REPLY


def test_an_answer_after_the_window_is_outreach_and_capped(reachable, store, associate, settings):
    from outreach.messaging import MessageBlocked

    settings.OUTREACH_CAP = 1
    settings.CONVERSATION_REPLY_WINDOW_HOURS = 48
    queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="Hi"
    )
    her_text_ago(reachable, store, hours=49)

    with pytest.raises(MessageBlocked) as blocked:
        queue_message(
            by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.REPLY, body="Hello"
        )

    assert blocked.value.blocked.rule == "cap"
    assert Message.objects.count() == 1


def test_someone_elses_account_cannot_be_named_by_a_stranger(client, store):
    UserFactory(username="x")  # a staff account exists; a text from a stranger makes no one and links no one
    post_signed(client, "/sms/replies/", text_from("+447400123456", "hello"))

    assert InboundMessage.objects.get().customer is None


def test_a_reply_from_a_number_our_numbering_plans_do_not_know_yet_is_kept_for_her(client, reachable):
    # +44 7911 43… is possible for the UK but not in phonenumbers' allocated ranges (a new range, say):
    # the carrier delivered it, so it is hers, not a malformed payload.
    IdentifierFactory(customer=reachable, kind="phone", value="+447911432787")

    response = post_signed(
        client, "/sms/replies/", text_from("+447911432787", "Yes please", message_id="SM-new")
    )

    assert response.status_code == 200
    assert InboundMessage.objects.get().customer == reachable
