"""The reply address of her conversation with a store: it names her and the store, nobody can make
one without our key, and every e-mail we send her carries it as its Reply-To."""

import re
import uuid
from email.utils import parseaddr

import pytest
from django.core import mail

from outreach import delivery
from outreach.messaging import queue_message
from outreach.models import Channel, Use
from outreach.reply_address import Named, conversation_named, reply_address, reply_token, token_in

SOMEONE = uuid.UUID("8c1f6a0e-3b7d-4e6f-9a51-2d4c7b9e0f13")


def test_a_token_names_her_and_the_store_it_was_made_for():
    token = reply_token(SOMEONE, 42)

    assert conversation_named(token) == Named(SOMEONE, 42)
    assert conversation_named(token.upper()) == Named(SOMEONE, 42)  # mail servers may change its case
    assert re.fullmatch(r"[a-z2-7]{56}", token)


def test_a_store_id_as_large_as_a_big_integer_still_fits():
    assert conversation_named(reply_token(SOMEONE, 2**63 - 1)) == Named(SOMEONE, 2**63 - 1)


@pytest.mark.parametrize("at", [0, 10, 25, 30, 55])
def test_a_token_with_one_character_changed_names_no_one(at):
    token = reply_token(SOMEONE, 42)
    changed = token[:at] + ("b" if token[at] != "b" else "c") + token[at + 1 :]

    assert conversation_named(changed) is None


def test_a_token_for_another_customer_cannot_be_made_without_the_key(settings):
    ours, key = reply_token(SOMEONE, 42), settings.SECRET_KEY
    settings.SECRET_KEY = "a-key-someone-guessed-" + "x" * 50
    forged = reply_token(uuid.uuid4(), 42)
    settings.SECRET_KEY = key

    assert conversation_named(forged) is None
    assert conversation_named(ours) == Named(SOMEONE, 42)


@pytest.mark.parametrize("token", ["", "abc", "1" * 56, "a" * 56, "a" * 64, "é" * 56])
def test_what_is_not_a_token_names_no_one(token):
    assert conversation_named(token) is None


def test_a_token_made_before_the_key_was_rotated_is_still_read(settings):
    settings.SECRET_KEY = "the-old-key-" + "o" * 50
    token = reply_token(SOMEONE, 7)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = (
        "the-new-key-" + "n" * 50,
        ["the-old-key-" + "o" * 50],
    )

    assert conversation_named(token) == Named(SOMEONE, 7)

    settings.SECRET_KEY_FALLBACKS = []
    assert conversation_named(token) is None


def test_the_token_is_found_among_the_recipients_whatever_their_form():
    token = reply_token(SOMEONE, 42)

    assert token_in(["", f"London Marylebone <REPLY+{token.upper()}@Reply.Shop.Example>"]) == token
    assert token_in([f"someone@example.com, reply+{token}@reply.shop.example"]) == token
    assert token_in(["someone@example.com", "reply+short@reply.shop.example"]) == ""


def test_the_reply_address_names_the_store_and_keeps_its_local_part_within_64_characters(
    reachable, store, settings
):
    settings.CONVERSATION_REPLY_DOMAIN = "reply.shop.example"

    name, address = parseaddr(reply_address(reachable, store))

    local_part, domain = address.split("@")
    assert (name, domain) == (store.name, "reply.shop.example")
    assert len(local_part) <= 64
    assert conversation_named(local_part.removeprefix("reply+")) == Named(reachable.public_id, store.pk)


def test_an_email_we_send_her_carries_her_conversations_reply_address(reachable, store, associate, settings):
    settings.CONVERSATION_REPLY_DOMAIN = "reply.shop.example"
    message = queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.EMAIL, use=Use.OUTREACH,
        subject="The coat is in", body="Your size is back.",
    )  # fmt: skip

    delivery.deliver(message.pk)

    (email,) = mail.outbox
    [reply_to] = email.reply_to
    assert parseaddr(reply_to)[1] == f"reply+{reply_token(reachable.public_id, store.pk)}@reply.shop.example"
    assert "Reply-To" in email.message().as_string()


def test_without_a_reply_domain_her_replies_go_where_the_from_goes(reachable, store, associate, settings):
    settings.CONVERSATION_REPLY_DOMAIN = ""
    message = queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.EMAIL, use=Use.OUTREACH,
        subject="The coat is in", body="Your size is back.",
    )  # fmt: skip

    delivery.deliver(message.pk)

    (email,) = mail.outbox
    assert email.reply_to == []
    assert "Reply-To" not in email.message().as_string()
