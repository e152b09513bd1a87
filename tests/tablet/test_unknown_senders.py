"""A message from a number nobody has: staff read it and link it to the client it is — only a client
they may see, audited, her consent deciding whether it may be answered; the number is added to her
profile if they say so, and refused when another profile holds it; a second link finds nothing."""

from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEvent
from audit.services import LISTED
from consent.models import ConsentState, PurposeCode
from customers.models import CustomerIdentifier
from outreach.inbound import Incoming, receive_message
from outreach.models import Channel, Conversation, InboundMessage
from privacy.retention import apply_retention
from tests.factories import CustomerFactory, IdentifierFactory, StoreFactory
from tests.outreach import conftest as outreach
from tests.tablet.test_inbox import HTMX, text

store = outreach.store
reachable = outreach.reachable

NEW_NUMBER = "+447700123456"


def link(client, conversation: Conversation, customer, save_number: bool = True):  # type: ignore[no-untyped-def]
    data = {"customer": str(customer.public_id)} | ({"save_number": "1"} if save_number else {})
    return client.post(f"/inbox/{conversation.pk}/sender/link/", data)


def test_staff_read_what_the_stranger_wrote_and_find_her_by_name(signed_in, reachable, store):
    stranger = text(NEW_NUMBER, "It's Zoë, new phone: is my coat in?")

    page = signed_in.get(f"/inbox/{stranger.pk}/sender/").content.decode()
    found = signed_in.post(f"/inbox/{stranger.pk}/sender/search/", {"q": "Okafor"}, headers=HTMX)

    assert "is my coat in?" in page
    assert NEW_NUMBER in page
    assert found.status_code == 200
    assert reachable.display_name in found.content.decode()
    assert "<html" not in found.content.decode()  # the results alone
    listing = AuditEvent.objects.get(action=LISTED, detail__page="link-sender")
    assert listing.detail["shown"] == [reachable.pk]


def test_linking_moves_the_messages_to_her_saves_the_number_and_is_audited(
    signed_in, reachable, store, associate
):
    stranger = text(NEW_NUMBER, "It's Zoë, new phone: is my coat in?")

    response = link(signed_in, stranger, reachable)

    assert response.status_code == 302
    assert response.url == f"/customers/{reachable.public_id}/"
    message = InboundMessage.objects.get()
    assert (message.customer, message.not_to_be_answered) == (reachable, False)
    hers = Conversation.objects.get()
    assert (hers.customer, hers.sender, hers.store) == (reachable, "", store)
    assert reachable.identifiers.filter(kind=CustomerIdentifier.Kind.PHONE, value=NEW_NUMBER).exists()
    event = AuditEvent.objects.get(action="conversation.linked")
    assert (event.actor_id, event.customer_id) == (associate.pk, reachable.pk)
    assert event.detail == {"conversation_id": hers.pk, "messages": 1, "number_saved": True}
    assert NEW_NUMBER not in str(event.detail)
    assert "coat" not in str(event.detail)
    # Her next text finds her, and her thread on the card shows the linked one.
    assert receive_message_from(NEW_NUMBER, "Saturday then", n=2).customer == reachable
    card = signed_in.get(f"/customers/{reachable.public_id}/").content.decode()
    assert "is my coat in?" in card
    assert "Saturday then" in card


def receive_message_from(sender: str, body: str, n: int) -> InboundMessage:
    text(sender, body, n)
    return InboundMessage.objects.get(provider_message_id=f"SM-{sender}-{n}")


def test_linked_into_her_existing_conversation_unread_stays_unread(signed_in, reachable, store):
    text("+447911123456", "Hello from my usual phone")
    hers = Conversation.objects.get(customer=reachable)
    signed_in.post(f"/inbox/{hers.pk}/read/", {"show": "mine"})
    stranger = text(NEW_NUMBER, "And from the new one")

    link(signed_in, stranger, reachable, save_number=False)

    assert list(Conversation.objects.values_list("pk", flat=True)) == [hers.pk]
    hers.refresh_from_db()
    assert hers.last_inbound_at == InboundMessage.objects.get(sender=NEW_NUMBER).received_at
    assert hers.last_read_at is None or hers.last_read_at < hers.last_inbound_at  # the new one is unread
    assert not reachable.identifiers.filter(value=NEW_NUMBER).exists()
    assert AuditEvent.objects.get(action="conversation.linked").detail["number_saved"] is False


def test_a_message_on_a_channel_she_did_not_agree_to_is_linked_as_not_to_be_answered(
    signed_in, reachable, store
):
    ConsentState.objects.filter(customer=reachable, purpose_id=PurposeCode.CONTACT_SMS).update(granted=False)
    stranger = text(NEW_NUMBER, "Hi, it's Zoë")

    link(signed_in, stranger, reachable, save_number=False)

    assert InboundMessage.objects.get().not_to_be_answered


def test_a_number_another_profile_holds_is_refused_and_nothing_is_linked(signed_in, reachable, store):
    stranger = text(NEW_NUMBER, "Hi, it's Zoë")
    # Since the text came, the number was given to another client's profile.
    IdentifierFactory(customer=CustomerFactory(home_store=store), kind="phone", value=NEW_NUMBER)

    response = link(signed_in, stranger, reachable)

    assert response.status_code == 409
    assert "profile holds this number: it cannot be added to hers" in response.content.decode()
    assert InboundMessage.objects.get().customer is None
    assert Conversation.objects.get(pk=stranger.pk).customer is None
    assert not AuditEvent.objects.filter(action__in=["conversation.linked", "customer.identifier_added"])


def test_linking_twice_is_a_404_the_second_time(signed_in, reachable, store):
    stranger = text(NEW_NUMBER, "Hi")
    link(signed_in, stranger, reachable, save_number=False)

    assert link(signed_in, stranger, reachable).status_code == 404
    assert signed_in.get(f"/inbox/{stranger.pk}/sender/").status_code == 404


def test_only_a_client_she_may_see_and_a_conversation_of_her_stores(signed_in, reachable, store, grant):
    stranger = text(NEW_NUMBER, "Hi")
    withdrawn = CustomerFactory(home_store=store)
    grant(withdrawn, store=store)
    ConsentState.objects.filter(customer=withdrawn, purpose_id=PurposeCode.PROFILE).update(granted=False)
    elsewhere = StoreFactory(code="paris", name="Paris")
    theirs = Conversation.objects.create(
        store=elsewhere, sender="+447700999888", created_at=stranger.created_at
    )

    assert link(signed_in, stranger, withdrawn).status_code == 404
    assert signed_in.get(f"/inbox/{theirs.pk}/sender/").status_code == 404
    assert link(signed_in, theirs, reachable).status_code == 404
    assert InboundMessage.objects.get().customer is None


def test_the_inbox_row_of_a_stranger_opens_their_page(signed_in, store):
    stranger = text(NEW_NUMBER, "Hi")

    page = signed_in.get("/inbox/?show=all").content.decode()

    assert f"/inbox/{stranger.pk}/sender/" in page


def test_an_email_stranger_is_saved_as_an_email_address(signed_in, reachable, store):
    message = receive_message(
        Incoming(
            provider="mail", provider_message_id="<m1@x>", channel=Channel.EMAIL,
            sender="Zoe.Work@Example.com", body="From my work address",
        )
    ).message  # fmt: skip
    stranger = Conversation.objects.get(customer=None)

    link(signed_in, stranger, reachable)

    assert message.sender == "zoe.work@example.com"
    assert reachable.identifiers.filter(
        kind=CustomerIdentifier.Kind.EMAIL, value="zoe.work@example.com"
    ).exists()


def test_what_nobody_linked_goes_after_the_keeping_time_and_a_linked_message_stays(
    signed_in, reachable, store, settings
):
    settings.RETENTION_UNKNOWN_SENDER_DAYS = 90
    old = text("+447700111222", "Anyone there?")
    recent = text("+447700333444", "Open on Sunday?")
    linked = text(NEW_NUMBER, "It's Zoë")
    InboundMessage.objects.update(received_at=timezone.now() - timedelta(days=91))
    InboundMessage.objects.filter(sender="+447700333444").update(received_at=timezone.now())
    link(signed_in, linked, reachable, save_number=False)

    report = apply_retention()

    assert report.unknown_sender_messages_deleted == 1
    assert set(InboundMessage.objects.values_list("sender", flat=True)) == {"+447700333444", NEW_NUMBER}
    assert not Conversation.objects.filter(pk=old.pk).exists()
    assert Conversation.objects.filter(pk=recent.pk).exists()
    assert Conversation.objects.filter(customer=reachable).exists()
    event = AuditEvent.objects.get(action="retention.unknown_senders_deleted")
    assert (event.detail["messages"], event.detail["conversations"], event.detail["days"]) == (1, 1, 90)
