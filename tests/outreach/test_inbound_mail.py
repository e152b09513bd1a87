"""Her e-mail replies reach her conversation through the signed /mail/inbound/ webhook: by the reply
address of one of ours (the store it names, whatever address she writes from; never anyone else's
thread for a forged one), else by her address; her new words only, with the subject; once; in
Postmark's JSON or Mailgun's form fields; refused with nothing written when unsigned, oversized or
malformed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import ConsentState, PurposeCode
from customers.models import Customer
from outreach.models import Channel, Conversation, InboundMessage
from outreach.reply_address import reply_token
from tests.factories import CustomerFactory, IdentifierFactory, StoreFactory
from tests.webhook_calls import mailgun_reply, post_signed, postmark_reply, text_from

pytestmark = pytest.mark.django_db

MAIL = "/mail/inbound/"
HER = "zoe@example.com"
QUOTED = (
    "Yes, can you keep it for Saturday?\n\n"
    "On Fri, 5 Dec 2026 at 10:00, London Marylebone <\n"
    "reply+abc@reply.shop.example> wrote:\n"
    "> The linen coat is back in your size.\n"
    ">\n"
    "> --\n"
    "> You receive this because you agreed to hear from us by e-mail.\n"
)


@pytest.fixture(autouse=True)
def secrets(settings) -> None:  # type: ignore[no-untyped-def]
    settings.INBOUND_MAIL_SECRET = "s3cret"
    settings.SMS_INBOUND_SECRET = "s3cret"
    settings.CONVERSATION_REPLY_DOMAIN = "reply.shop.example"


@pytest.fixture
def paris(db: None):  # type: ignore[no-untyped-def]
    return StoreFactory(code="paris", name="Paris Marais")


def address_of(customer: Customer, store) -> str:  # type: ignore[no-untyped-def]
    return f"Paris Marais <reply+{reply_token(customer.public_id, store.pk)}@reply.shop.example>"


def nothing_written() -> bool:
    return not InboundMessage.objects.exists() and not Conversation.objects.exists()


def test_her_reply_to_our_email_lands_in_her_thread_with_the_store_it_left_from(client, reachable, paris):
    # Her home store is London and nothing was ever sent to her from Paris: only the address says Paris.
    response = post_signed(
        client, MAIL, postmark_reply(HER, address_of(reachable, paris), "See you Saturday")
    )

    assert response.status_code == 200
    assert response.json()["received"] == 1
    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store, reply.channel, reply.provider, reply.sender) == (
        reachable,
        paris,
        Channel.EMAIL,
        "email",
        HER,
    )
    assert (reply.subject, reply.body) == ("Re: The coat is in", "See you Saturday")
    assert not reply.not_to_be_answered
    assert Conversation.objects.get().store == paris
    event = AuditEvent.objects.get(action="message.received")
    assert event.detail["by_reply_address"] is True
    assert "Saturday" not in str(event.detail)


def test_her_reply_from_an_address_we_do_not_know_still_reaches_her_thread(client, reachable, paris):
    post_signed(client, MAIL, postmark_reply("zoe.okafor@work.example", address_of(reachable, paris), "Yes"))

    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store, reply.sender) == (reachable, paris, "zoe.okafor@work.example")
    assert Customer.objects.count() == 1


def test_the_quoted_thread_and_the_attribution_are_taken_off_when_the_provider_did_not(
    client, reachable, paris
):
    post_signed(client, MAIL, postmark_reply(HER, address_of(reachable, paris), QUOTED))

    assert InboundMessage.objects.get().body == "Yes, can you keep it for Saturday?"


def test_the_providers_stripped_reply_is_taken_as_it_is(client, reachable, paris):
    payload = postmark_reply(HER, address_of(reachable, paris), QUOTED, stripped="Yes please!\n")

    post_signed(client, MAIL, payload)

    assert InboundMessage.objects.get().body == "Yes please!"


def test_mailguns_form_fields_are_read_as_postmarks_json_is(client, reachable, paris):
    payload = mailgun_reply(HER, address_of(reachable, paris), QUOTED, message_id="<m1@mail.example.com>")

    response = post_signed(client, MAIL, payload, form=True)
    again = post_signed(client, MAIL, payload, form=True)

    assert response.status_code == 200, response.json()
    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store, reply.subject, reply.body) == (
        reachable,
        paris,
        "Re: The coat is in",
        "Yes, can you keep it for Saturday?",
    )
    assert reply.provider_message_id == "<m1@mail.example.com>"
    assert reply.sent_at is not None
    assert (again.json()["received"], again.json()["duplicates"]) == (0, 1)


def test_the_same_mail_delivered_twice_is_one_message(client, reachable, paris):
    payload = postmark_reply(HER, address_of(reachable, paris), "Yes", message_id="pm-1")

    post_signed(client, MAIL, payload)
    again = post_signed(client, MAIL, payload)

    assert (again.json()["received"], again.json()["duplicates"]) == (0, 1)
    assert InboundMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="message.received").count() == 1


def test_a_very_long_message_id_is_kept_as_its_digest_and_still_kept_once(client, reachable, paris):
    payload = postmark_reply(HER, address_of(reachable, paris), "Yes", message_id=f"<{'x' * 300}@mail>")

    post_signed(client, MAIL, payload)
    post_signed(client, MAIL, payload)

    assert InboundMessage.objects.get().provider_message_id.startswith("sha256:")


def test_a_tampered_reply_address_never_attaches_her_words_to_someone_elses_thread(client, reachable, paris):
    token = reply_token(reachable.public_id, paris.pk)
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")

    post_signed(
        client, MAIL, postmark_reply("mallory@example.net", f"reply+{tampered}@reply.shop.example", "Hi")
    )

    reply = InboundMessage.objects.get()
    assert reply.customer is None  # a stranger's, by the sender's address
    conversation = Conversation.objects.get()
    assert (conversation.customer, conversation.sender) == (None, "mallory@example.net")
    assert AuditEvent.objects.get(action="message.received").detail["by_reply_address"] is False


def test_with_a_tampered_reply_address_her_own_address_still_finds_her(client, reachable, paris, store):
    tampered = "a" * 56

    post_signed(client, MAIL, postmark_reply(HER, f"reply+{tampered}@reply.shop.example", "Hi"))

    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store) == (reachable, store)  # her home store, as for any mail from her


def test_a_mail_from_an_address_nobody_has_is_a_strangers_conversation_without_a_profile(
    client, store, settings
):
    customers_before = Customer.objects.count()

    response = post_signed(client, MAIL, postmark_reply("Someone@Example.NET", "hello@shop.example", "Hi"))

    assert response.status_code == 200
    assert Customer.objects.count() == customers_before
    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store, reply.sender) == (None, store, "someone@example.net")
    assert Conversation.objects.get().sender == "someone@example.net"


def test_a_reply_by_email_after_she_withdrew_email_is_kept_and_not_to_be_answered(
    client, reachable, paris, withdraw
):
    withdraw(reachable, [PurposeCode.CONTACT_EMAIL])

    post_signed(client, MAIL, postmark_reply(HER, "hello@shop.example", "Is the coat still there?"))
    post_signed(client, MAIL, postmark_reply(HER, address_of(reachable, paris), "Hello?"))

    by_address, by_token = InboundMessage.objects.order_by("pk")
    assert by_address.customer == by_token.customer == reachable
    assert by_address.not_to_be_answered
    assert by_token.not_to_be_answered


def test_a_sensitive_subject_is_flagged_as_a_sensitive_text_is(client, reachable, paris):
    payload = postmark_reply(HER, address_of(reachable, paris), "See you soon", Subject="My chemotherapy")

    post_signed(client, MAIL, payload)

    assert InboundMessage.objects.get().is_sensitive


@pytest.mark.parametrize("form", [False, True])
def test_an_out_of_office_answer_is_acknowledged_and_not_kept(client, reachable, paris, form):
    if form:
        payload = mailgun_reply(HER, address_of(reachable, paris), "I am away until Monday.")
        payload["message-headers"] = '[["Auto-Submitted", "auto-replied"], ["Subject", "Away"]]'
    else:
        headers = [{"Name": "Auto-Submitted", "Value": "auto-replied"}]
        payload = postmark_reply(HER, address_of(reachable, paris), "I am away.", Headers=headers)

    response = post_signed(client, MAIL, payload, form=form)

    assert response.status_code == 200
    assert (response.json()["received"], response.json()["ignored"]) == (0, 1)
    assert nothing_written()


def test_a_mail_that_says_it_is_not_automatic_is_kept(client, reachable, paris):
    headers = [{"Name": "Auto-Submitted", "Value": "no"}, {"Name": "X-Mailer", "Value": 3}]

    post_signed(client, MAIL, postmark_reply(HER, address_of(reachable, paris), "Yes", Headers=headers))

    assert InboundMessage.objects.count() == 1


def test_stop_in_an_email_withdraws_nothing(client, reachable, paris):
    post_signed(client, MAIL, postmark_reply(HER, address_of(reachable, paris), "STOP"))

    reply = InboundMessage.objects.get()
    assert not reply.is_opt_out
    assert ConsentState.objects.filter(
        customer=reachable, purpose_id=PurposeCode.CONTACT_EMAIL, granted=True
    ).exists()


def test_the_reply_address_of_a_profile_merged_since_reaches_the_profile_she_was_merged_into(
    client, reachable, paris
):
    earlier = CustomerFactory(given_name="Zoe", family_name="Okafor")
    middle = CustomerFactory(given_name="Zoë", family_name="O.")
    now = timezone.now()
    Customer.objects.filter(pk=earlier.pk).update(merged_into=middle, merged_at=now)
    Customer.objects.filter(pk=middle.pk).update(merged_into=reachable, merged_at=now)

    post_signed(client, MAIL, postmark_reply("old@example.com", address_of(earlier, paris), "Still me"))

    assert (InboundMessage.objects.get().customer, InboundMessage.objects.get().store) == (reachable, paris)


def test_the_reply_address_of_an_erased_customer_is_no_ones(client, reachable, paris):
    Customer.objects.filter(pk=reachable.pk).update(erased_at=timezone.now())

    post_signed(client, MAIL, postmark_reply("old@example.com", address_of(reachable, paris), "Me again"))

    assert InboundMessage.objects.get().customer is None


def test_a_reply_address_of_a_store_closed_since_goes_where_her_mail_would(client, reachable, paris, store):
    paris.is_active = False
    paris.save()

    post_signed(client, MAIL, postmark_reply(HER, address_of(reachable, paris), "Hello"))

    assert (InboundMessage.objects.get().customer, InboundMessage.objects.get().store) == (reachable, store)


def test_a_reply_by_its_address_costs_the_queries_a_text_costs(client, reachable, paris):
    IdentifierFactory(customer=CustomerFactory(home_store=paris), kind="phone", value="+447911000111")
    with CaptureQueriesContext(connection) as text:
        post_signed(client, "/sms/replies/", text_from("+447911000111", "Yes"))
    with CaptureQueriesContext(connection) as mail:
        post_signed(client, MAIL, postmark_reply("x@work.example", address_of(reachable, paris), "Yes"))

    assert InboundMessage.objects.filter(customer=reachable).exists()
    assert len(mail.captured_queries) == len(text.captured_queries)


# Refused, with nothing written


def test_a_mail_signed_with_another_secret_is_refused(client, reachable, paris):
    payload = postmark_reply(HER, address_of(reachable, paris), "Hi")

    assert post_signed(client, MAIL, payload, secret="guess").status_code == 403
    assert post_signed(client, MAIL, payload, form=True, signature="ab" * 32).status_code == 403
    assert nothing_written()


def test_no_mail_is_taken_while_its_secret_is_not_set(client, reachable, settings):
    settings.INBOUND_MAIL_SECRET = ""

    assert post_signed(client, MAIL, postmark_reply(HER, "hello@shop.example", "Hi")).status_code == 403
    assert nothing_written()


def test_a_mail_past_its_own_limit_is_a_413_and_one_past_the_texts_limit_is_taken(
    client, reachable, settings
):
    settings.WEBHOOK_MAX_BODY_BYTES = 1024
    settings.INBOUND_MAIL_MAX_BODY_BYTES = 64 * 1024
    photo = {"Name": "coat.jpg", "Content": "A" * 20_000, "ContentType": "image/jpeg"}

    taken = post_signed(client, MAIL, postmark_reply(HER, "hello@shop.example", "Here", Attachments=[photo]))
    too_big = post_signed(client, MAIL, postmark_reply(HER, "hello@shop.example", "x" * 70_000))

    assert taken.status_code == 200
    assert too_big.status_code == 413
    assert "65,536 bytes" in too_big.json()["error"]
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "form", "says"),
    [
        ({"Subject": "Hi"}, False, "Postmark's inbound JSON"),
        ({"MessageID": "m", "To": "a@b.example", "TextBody": "Hi"}, False, '"FromFull.Email" (or "From")'),
        ({"MessageID": "m", "FromFull": "zoe@example.com", "TextBody": "Hi"}, False, '"FromFull"'),
        ({"MessageID": "m", "From": HER, "TextBody": ["Hi"]}, False, '"TextBody" must be a string'),
        ({"MessageID": "m", "From": HER, "TextBody": "", "HtmlBody": ""}, False, "has no text"),
        ({"MessageID": "m", "From": "not an address", "TextBody": "Hi"}, False, "not an e-mail address"),
        ({"sender": HER, "body-plain": "Hi", "timestamp": "yesterday"}, True, '"timestamp"'),
        ({"sender": "", "body-plain": "Hi"}, True, '"sender" (or "from")'),
    ],
)
def test_a_malformed_mail_is_a_400_saying_what_is_wrong(client, reachable, payload, form, says):
    response = post_signed(client, MAIL, payload, form=form)

    assert response.status_code == 400
    assert says in response.json()["error"]
    assert nothing_written()


def test_a_body_neither_json_nor_a_form_is_a_400_that_says_both(client, reachable):
    response = post_signed(client, MAIL, None, raw=b"From: zoe@example.com\n\nHi")

    assert response.status_code == 400
    assert response.json()["error"] == (
        "The body is not JSON (nor a form: Content-Type application/x-www-form-urlencoded)."
    )


def test_the_text_webhooks_still_take_json_only(client, reachable):
    response = post_signed(client, "/sms/replies/", text_from("+447911123456", "Yes"), form=True)

    assert response.status_code == 400
    assert response.json()["error"] == "The body is not JSON."


# On her card


def test_her_mail_shows_in_her_thread_with_its_subject_and_without_the_quote(
    client, reachable, store, associate
):
    post_signed(client, MAIL, postmark_reply(HER, address_of(reachable, store), QUOTED))
    client.force_login(associate)

    page = client.get(f"/customers/{reachable.public_id}/").content.decode()

    thread = page.split('class="thread plain"')[1].split("</ol>")[0]
    assert "<strong>Re: The coat is in</strong> Yes, can you keep it for Saturday?" in thread
    assert "back in your size" not in thread
