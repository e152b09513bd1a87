"""Her conversation with the store on her card: her replies and our messages with their states, a
notice on a channel she has not agreed to, answering her from the thread outside the weekly cap
(within the window), WhatsApp offered only within its own window, and nothing of her for someone who
may not see her."""

from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEvent
from consent.models import PurposeCode
from outreach.models import Channel, InboundMessage, Message, Use
from tests.factories import StoreFactory
from tests.outreach import conftest as outreach
from tests.webhook_calls import post_signed, text_from

store = outreach.store
reachable = outreach.reachable

HTMX = {"HX-Request": "true"}
NUMBER = "+447911123456"


def card(customer) -> str:  # type: ignore[no-untyped-def]
    return f"/customers/{customer.public_id}/"


def ours(customer, store, by, body: str, status: str = Message.Status.SENT, **extra) -> Message:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Message.objects.create(
        customer=customer,
        store=store,
        sent_by=by,
        use=Use.OUTREACH,
        channel=Channel.SMS,
        body=body,
        status=status,
        send_after=now,
        sent_at=now if status != Message.Status.QUEUED else None,
        created_at=now - timedelta(minutes=5),
        **extra,
    )


def hers(customer, store, body: str, **extra) -> InboundMessage:  # type: ignore[no-untyped-def]
    return InboundMessage.objects.create(
        store=store,
        customer=customer,
        sender=NUMBER,
        channel=extra.pop("channel", Channel.SMS),
        provider="sms",
        provider_message_id=extra.pop("provider_message_id", f"SM-{body[:8]}"),
        body=body,
        received_at=timezone.now(),
        **extra,
    )


def test_the_card_shows_her_reply_and_our_message_with_its_state_in_order(
    signed_in, reachable, store, associate, settings
):
    settings.SMS_INBOUND_SECRET = "s3cret"
    ours(reachable, store, associate, "The linen coat is back in your size.", Message.Status.DELIVERED)
    post_signed(signed_in, "/sms/replies/", text_from(NUMBER, "Yes, can you keep it for Saturday?"))

    page = signed_in.get(card(reachable)).content.decode()

    thread = page.split('class="thread plain"')[1].split("</ol>")[0]
    assert thread.index("back in your size") < thread.index("keep it for Saturday")
    assert "delivered" in thread
    assert "She wrote (Text message)" in thread
    assert "Ava wrote (Text message)" in thread
    assert "does not count towards the weekly limit" in page  # answering her, within the window
    form = signed_in.get(f"{card(reachable)}messages/compose/", headers=HTMX).content.decode()
    assert 'name="answering" value="1"' in form


def test_another_stores_conversation_is_not_on_this_stores_card(signed_in, reachable, store, associate):
    paris = StoreFactory(code="paris", name="Paris Marais")
    hers(reachable, paris, "Bonjour Paris")

    page = signed_in.get(card(reachable)).content.decode()

    assert "Bonjour Paris" not in page


def test_a_reply_on_a_channel_she_withdrew_carries_a_notice(signed_in, reachable, store):
    hers(reachable, store, "Still there?", not_to_be_answered=True)

    page = signed_in.get(card(reachable)).content.decode()

    assert "Do not answer here" in page


def test_a_failed_message_says_why_in_the_thread(signed_in, reachable, store, associate):
    ours(
        reachable,
        store,
        associate,
        "Hello",
        Message.Status.FAILED,
        last_error="The provider could not deliver it (error 30003).",
    )

    page = signed_in.get(card(reachable)).content.decode()

    assert "not delivered" in page
    assert "error 30003" in page


def test_answering_her_from_the_thread_is_not_capped_within_the_window(
    signed_in, reachable, store, associate, settings
):
    settings.OUTREACH_CAP = 1
    ours(reachable, store, associate, "New in", Message.Status.SENT)  # the week's one outreach message
    hers(reachable, store, "Can you keep it?")

    capped = signed_in.post(f"{card(reachable)}messages/", {"channel": "sms", "body": "Sure"}, headers=HTMX)
    answered = signed_in.post(
        f"{card(reachable)}messages/",
        {"channel": "sms", "body": "Kept for you", "answering": "1"},
        headers=HTMX,
    )

    assert capped.status_code == 409
    assert answered.status_code == 200
    assert Message.objects.get(body="Kept for you").use == Use.REPLY
    assert "Kept for you" in answered.content.decode()  # the thread, redrawn with the answer


def test_answering_after_the_window_is_outreach_and_capped(signed_in, reachable, store, associate, settings):
    settings.OUTREACH_CAP = 1
    ours(reachable, store, associate, "New in", Message.Status.SENT)
    InboundMessage.objects.filter(pk=hers(reachable, store, "Can you keep it?").pk).update(
        received_at=timezone.now() - timedelta(hours=settings.CONVERSATION_REPLY_WINDOW_HOURS + 1)
    )

    response = signed_in.post(
        f"{card(reachable)}messages/", {"channel": "sms", "body": "Sure", "answering": "1"}, headers=HTMX
    )

    assert response.status_code == 409
    assert not Message.objects.filter(body="Sure").exists()


def test_a_customer_who_withdrew_shows_nothing_of_her_thread(signed_in, reachable, store, withdraw):
    hers(reachable, store, "A private thought")
    withdraw(reachable, [PurposeCode.PROFILE])

    response = signed_in.get(card(reachable))

    assert response.status_code == 404
    assert "A private thought" not in response.content.decode()


def test_opening_the_card_with_her_thread_is_one_audited_read(signed_in, reachable, store):
    hers(reachable, store, "Hello")

    signed_in.get(card(reachable))

    assert AuditEvent.objects.filter(customer_id=reachable.pk, action="customer.viewed").count() == 1


def test_script_in_her_reply_is_shown_as_text(signed_in, reachable, store):
    hers(reachable, store, "<script>alert(1)</script>")

    page = signed_in.get(card(reachable)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def her_whatsapp(customer, store, *, hours_ago: float = 0) -> InboundMessage:  # type: ignore[no-untyped-def]
    at = timezone.now() - timedelta(hours=hours_ago)
    return InboundMessage.objects.create(
        store=store,
        customer=customer,
        sender=NUMBER,
        channel=Channel.WHATSAPP,
        provider="whatsapp",
        provider_message_id=f"wamid.{hours_ago}",
        body="Is the coat in a 38?",
        sent_at=at,
        received_at=at,
    )


def test_her_card_offers_whatsapp_to_answer_her_within_its_window_only(signed_in, reachable, store):
    compose = f"{card(reachable)}messages/compose/"
    assert 'value="whatsapp"' not in signed_in.get(compose, headers=HTMX).content.decode()

    her_whatsapp(reachable, store, hours_ago=23)
    page = signed_in.get(card(reachable)).content.decode()
    form = signed_in.get(compose, headers=HTMX).content.decode()

    assert "WhatsApp OK" in page  # her consent, among the others
    assert "She wrote (WhatsApp)" in page
    assert 'value="whatsapp"' in form
    InboundMessage.objects.update(sent_at=timezone.now() - timedelta(hours=25))
    assert 'value="whatsapp"' not in signed_in.get(compose, headers=HTMX).content.decode()


def test_answering_her_on_whatsapp_from_her_card(signed_in, reachable, store):
    her_whatsapp(reachable, store, hours_ago=1)

    response = signed_in.post(
        f"{card(reachable)}messages/",
        {"channel": "whatsapp", "body": "Yes, kept for you", "answering": "1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    message = Message.objects.get(body="Yes, kept for you")
    assert (message.channel, message.use) == (Channel.WHATSAPP, Use.REPLY)
    assert "Yes, kept for you" in response.content.decode()  # in her thread


def test_whatsapp_chosen_after_her_window_closed_is_refused_by_the_form(signed_in, reachable, store):
    her_whatsapp(reachable, store, hours_ago=30)

    response = signed_in.post(
        f"{card(reachable)}messages/",
        {"channel": "whatsapp", "body": "Hello", "answering": "1"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert not Message.objects.exists()
