"""Her way out: the e-mail's unsubscribe link and a STOP reply withdraw that channel's consent
through the consent ledger, cancel what was waiting, and nothing else changes."""

import pytest

from audit.models import AuditEvent
from consent.models import ConsentEvent, ConsentState, Method, PurposeCode, Verification
from outreach.messaging import queue_message
from outreach.models import Channel, Message, Use
from outreach.optout import is_stop, unsubscribe_token
from tests.webhook_calls import post_signed, text_from


def write(customer, store, by, channel=Channel.EMAIL) -> Message:  # type: ignore[no-untyped-def]
    return queue_message(
        by=by, customer=customer, store=store, channel=channel, use=Use.OUTREACH, subject="Hi", body="New in."
    )


def granted(customer) -> set[str]:  # type: ignore[no-untyped-def]
    return set(
        ConsentState.objects.filter(customer=customer, granted=True).values_list("purpose_id", flat=True)
    )


def test_opening_the_unsubscribe_link_asks_first_and_changes_nothing(visitor, reachable, store, associate):
    message = write(reachable, store, associate)

    response = visitor.get(f"/u/{unsubscribe_token(message)}/")

    assert response.status_code == 200
    assert b"Stop e-mails" in response.content
    assert PurposeCode.CONTACT_EMAIL in granted(reachable)


def test_unsubscribing_withdraws_emails_through_the_ledger_and_cancels_what_was_waiting(
    visitor, reachable, store, associate, settings
):
    settings.OUTREACH_CAP = 5
    sent = write(reachable, store, associate)
    waiting = write(reachable, store, associate)  # not delivered yet (no worker ran)
    text = write(reachable, store, associate, Channel.SMS)
    Message.objects.filter(pk=text.pk).update(status=Message.Status.SENT, sent_at=sent.created_at)

    # A mail client's one-click POST (RFC 8058): no session, no CSRF token.
    response = visitor.post(f"/u/{unsubscribe_token(sent)}/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert PurposeCode.CONTACT_EMAIL not in granted(reachable)
    assert PurposeCode.CONTACT_SMS in granted(reachable)  # only the channel she left
    event = ConsentEvent.objects.filter(customer=reachable).latest("id")
    assert (event.purpose_id, event.granted, event.method, event.verification) == (
        PurposeCode.CONTACT_EMAIL,
        False,
        Method.UNSUBSCRIBE,
        Verification.MAGIC_LINK,
    )
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED
    audit = AuditEvent.objects.get(action="consent.changed", customer=reachable)
    assert audit.actor_kind == "customer"
    assert audit.detail["withdrawn"] == [PurposeCode.CONTACT_EMAIL]

    again = visitor.post(f"/u/{unsubscribe_token(sent)}/")
    assert again.status_code == 200
    assert ConsentEvent.objects.filter(customer=reachable, granted=False).count() == 1  # said once


def test_a_forged_or_changed_unsubscribe_link_is_a_clear_400(visitor, reachable, store, associate):
    token = unsubscribe_token(write(reachable, store, associate))

    response = visitor.post(f"/u/{token[:-2]}xx/")

    assert response.status_code == 400
    assert b"does not open" in response.content
    assert PurposeCode.CONTACT_EMAIL in granted(reachable)


@pytest.fixture
def replies(settings, client):  # type: ignore[no-untyped-def]
    settings.SMS_INBOUND_SECRET = "s3cret"

    def _reply(sender: str, text: str, signature: str | None = None):  # type: ignore[no-untyped-def]
        return post_signed(client, "/sms/replies/", text_from(sender, text), signature=signature)

    return _reply


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "ARRÊT", "STOP ALL", "Stop please"])
def test_a_stop_reply_withdraws_texts_for_that_number(replies, reachable, store, associate, text):
    waiting = write(reachable, store, associate, Channel.SMS)

    response = replies("+44 7911 123456", text)

    assert response.status_code == 200
    assert response.json()["withdrawn"] == 1
    assert PurposeCode.CONTACT_SMS not in granted(reachable)
    assert PurposeCode.CONTACT_EMAIL in granted(reachable)
    event = ConsentEvent.objects.filter(customer=reachable).latest("id")
    assert (event.method, event.verification) == (Method.SMS_REPLY, Verification.SENDER_NUMBER)
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED


def test_other_replies_change_nothing(replies, reachable):
    response = replies("+447911123456", "Yes please, Saturday works")

    assert response.json()["withdrawn"] == 0
    assert PurposeCode.CONTACT_SMS in granted(reachable)


def test_a_reply_with_a_forged_signature_is_refused(replies, reachable):
    response = replies("+447911123456", "STOP", signature="0" * 64)

    assert response.status_code == 403
    assert PurposeCode.CONTACT_SMS in granted(reachable)


def test_without_a_configured_secret_every_reply_is_refused(replies, reachable, settings):
    settings.SMS_INBOUND_SECRET = ""

    assert replies("+447911123456", "STOP", signature="").status_code == 403
    assert PurposeCode.CONTACT_SMS in granted(reachable)


def test_a_malformed_reply_is_a_400(client, settings):
    settings.SMS_INBOUND_SECRET = "s3cret"

    response = post_signed(client, "/sms/replies/", None, raw=b"not json")

    assert response.status_code == 400
    assert response.json() == {"error": "The body is not JSON."}


def test_stop_words():
    assert all(is_stop(text) for text in ("stop", "Arrêt", "UNSUBSCRIBE", "stop all"))
    assert not any(is_stop(text) for text in ("don't stop", "Stopped by yesterday, thanks"))
