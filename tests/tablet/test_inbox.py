"""The store's inbox: conversations waiting for an answer, unread first, with a count in the top bar;
read, done, assign; a customer who withdrew shows as hidden, a sensitive preview is masked, a
stranger shows by number; every list of customers is accounted for."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import LISTED
from consent.models import PurposeCode
from customers.models import CustomerIdentifier, StoreRelationship
from outreach.inbound import Incoming, receive_message
from outreach.models import Channel, Conversation
from tests.factories import CustomerFactory, IdentifierFactory, StoreFactory
from tests.outreach import conftest as outreach

store = outreach.store
reachable = outreach.reachable

HTMX = {"HX-Request": "true"}
NUMBER = "+447911123456"


def text(sender: str, body: str, n: int = 1) -> Conversation:
    """A text received as the webhook would keep it; its conversation."""
    message = receive_message(
        Incoming(
            provider="sms",
            provider_message_id=f"SM-{sender}-{n}",
            channel=Channel.SMS,
            sender=sender,
            body=body,
        )
    ).message
    if message.customer_id:
        return Conversation.objects.get(store=message.store, customer=message.customer)
    return Conversation.objects.get(store=message.store, customer=None, sender=message.sender)


def unread(client) -> str:  # type: ignore[no-untyped-def]
    return client.get("/inbox/unread/", headers=HTMX).content.decode()


def test_her_reply_is_in_the_inbox_and_counted_in_the_top_bar(signed_in, reachable, store):
    assert "inbox-unread" in signed_in.get("/").content.decode()  # the top bar polls for it
    text(NUMBER, "Can you keep it for Saturday?")

    page = signed_in.get("/inbox/").content.decode()

    assert reachable.display_name in page
    assert "Can you keep it for Saturday?" in page
    assert "New" in page
    assert ">1<" in unread(signed_in)


def test_marking_it_read_clears_the_count_and_a_new_message_brings_it_back(signed_in, reachable, store):
    conversation = text(NUMBER, "Hello")

    response = signed_in.post(f"/inbox/{conversation.pk}/read/", {"show": "mine"}, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the list alone
    assert 'class="badge empty"' in unread(signed_in)
    text(NUMBER, "Are you there?", n=2)
    assert ">1<" in unread(signed_in)


def test_done_takes_it_out_of_the_open_list_until_she_writes_again(signed_in, reachable, store):
    conversation = text(NUMBER, "Thanks!")

    signed_in.post(f"/inbox/{conversation.pk}/done/", {"show": "mine"})

    assert "Thanks!" not in signed_in.get("/inbox/").content.decode()
    assert "Thanks!" in signed_in.get("/inbox/?show=done").content.decode()
    text(NUMBER, "One more thing", n=2)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_without_javascript_an_action_returns_to_the_list(signed_in, reachable, store):
    conversation = text(NUMBER, "Hello")

    response = signed_in.post(f"/inbox/{conversation.pk}/done/", {"show": "all"})

    assert response.status_code == 302
    assert response["Location"] == "/inbox/?show=all"


def test_her_associate_gets_it_and_it_can_be_handed_to_a_colleague_or_the_queue(
    signed_in, reachable, store, associate, teammate
):
    StoreRelationship.objects.create(customer=reachable, store=store, assigned_associate=teammate)
    conversation = text(NUMBER, "Hello")
    assert conversation.assigned_to == teammate
    assert 'class="badge empty"' in unread(signed_in)  # not hers, not the queue's

    signed_in.post(f"/inbox/{conversation.pk}/assign/", {"to": associate.pk})

    conversation.refresh_from_db()
    assert conversation.assigned_to == associate
    assert ">1<" in unread(signed_in)
    signed_in.post(f"/inbox/{conversation.pk}/assign/", {"to": ""})
    conversation.refresh_from_db()
    assert conversation.assigned_to is None
    assert AuditEvent.objects.filter(action="conversation.assigned", customer_id=reachable.pk).count() == 2


def test_a_conversation_cannot_be_given_to_someone_of_another_store(signed_in, reachable, store, outsider):
    conversation = text(NUMBER, "Hello")

    assert signed_in.post(f"/inbox/{conversation.pk}/assign/", {"to": outsider.pk}).status_code == 404
    conversation.refresh_from_db()
    assert conversation.assigned_to is None


def test_another_stores_conversation_is_out_of_reach(client, reachable, store, outsider):
    conversation = text(NUMBER, "Hello")
    client.force_login(outsider)

    assert client.post(f"/inbox/{conversation.pk}/done/").status_code == 404
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_a_customer_who_withdrew_is_listed_without_her_name_or_words(signed_in, reachable, store, withdraw):
    text(NUMBER, "My private news")
    withdraw(reachable, [PurposeCode.PROFILE])

    page = signed_in.get("/inbox/").content.decode()

    assert "A customer (details hidden)" in page
    assert reachable.display_name not in page
    assert "My private news" not in page


def test_a_sensitive_message_is_masked_in_the_preview(signed_in, reachable, store):
    text(NUMBER, "I was in hospital for my chemotherapy, sorry")

    page = signed_in.get("/inbox/").content.decode()

    assert "chemotherapy" not in page
    assert "may mention something sensitive" in page


def test_a_stranger_shows_by_number_in_the_default_store(signed_in, store):
    text("+447400123456", "Do you have the coat in blue?")

    page = signed_in.get("/inbox/").content.decode()

    assert "Unknown sender" in page
    assert "+447400123456" in page


def test_the_list_is_accounted_for_as_a_listing(signed_in, reachable, store):
    text(NUMBER, "Hello")

    signed_in.get("/inbox/")

    event = AuditEvent.objects.filter(action=LISTED).latest("pk")
    assert event.detail["shown"] == [reachable.pk]


def test_the_fragment_is_the_list_alone(signed_in, reachable, store):
    text(NUMBER, "Hello")

    response = signed_in.get("/inbox/?show=all", headers=HTMX)

    assert "<html" not in response.content.decode()
    assert 'id="inbox-list"' in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_the_inbox_costs_the_same_queries_however_many_conversations(signed_in, reachable, store, grant):
    text(NUMBER, "Hello")
    signed_in.get("/inbox/")
    with CaptureQueriesContext(connection) as one:
        signed_in.get("/inbox/")
    for n in range(12):
        someone = CustomerFactory(home_store=store)
        IdentifierFactory(customer=someone, kind=CustomerIdentifier.Kind.PHONE, value=f"+4479112{n:05d}")
        grant(someone, store=store)
        text(f"+4479112{n:05d}", f"Message {n}")
    text("+447400123456", "A stranger")

    with CaptureQueriesContext(connection) as many:
        page = signed_in.get("/inbox/").content.decode()

    assert "Message 11" in page
    assert len(many) == len(one)


def test_someone_of_another_store_sees_an_empty_inbox(client, reachable, store, outsider):
    StoreFactory(code="elsewhere")
    text(NUMBER, "Hello")
    client.force_login(outsider)

    page = client.get("/inbox/").content.decode()

    assert "Hello" not in page


def test_her_thread_seen_on_her_card_is_read_and_the_top_bar_is_told(signed_in, reachable, store):
    text(NUMBER, "Can you keep it for Saturday?")
    card = signed_in.get(f"/customers/{reachable.public_id}/").content.decode()
    assert f"/customers/{reachable.public_id}/thread/read/" in card  # posted once the thread is in view

    seen = signed_in.post(f"/customers/{reachable.public_id}/thread/read/", headers=HTMX)
    again = signed_in.post(f"/customers/{reachable.public_id}/thread/read/", headers=HTMX)

    assert seen.status_code == 200
    assert 'class="badge empty"' in seen.content.decode()  # the top bar's count, redrawn out of band
    assert 'hx-swap-oob="true"' in seen.content.decode()
    assert 'class="badge empty"' in unread(signed_in)
    assert again.status_code == 204  # nothing was unread: nothing changed, nothing audited twice
    assert AuditEvent.objects.filter(action="conversation.read", customer_id=reachable.pk).count() == 1


def test_reading_the_thread_of_someone_out_of_sight_is_not_found(signed_in, reachable, withdraw):
    text(NUMBER, "Hello")
    withdraw(reachable, [PurposeCode.PROFILE])

    response = signed_in.post(f"/customers/{reachable.public_id}/thread/read/", headers=HTMX)

    assert response.status_code == 404
