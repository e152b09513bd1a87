"""The audit trail: one event per card opened, with the request's id; no personal data in it; the
database refuses to change or delete events (the managers' reading of it: tests/managers)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from customers.services.profiles import update_profile
from relationships.services import add_note
from tests.factories import IdentifierFactory, OrderFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def card(customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("tablet:card", args=[customer.public_id])


def views_of(customer) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(action="customer.viewed", customer=customer))


def test_each_opening_of_a_card_is_one_event_with_the_requests_id(
    client, associate, consenting_customer, store
):
    for n in range(25):
        OrderFactory(customer=consenting_customer, store=store, placed_at=timezone.now() - timedelta(days=n))
    client.force_login(associate)

    opened = client.get(card(consenting_customer), HTTP_X_REQUEST_ID="lb-1234567890")
    cursor = opened.context["page"].next_cursor
    client.get(card(consenting_customer), {"cursor": cursor}, **HTMX)  # more of her timeline: not an opening
    from_search = client.get(card(consenting_customer), {"via": "search"})

    events = sorted(views_of(consenting_customer), key=lambda e: e.pk)
    assert len(events) == 2
    assert (events[0].request_id, events[0].actor, events[0].store) == ("lb-1234567890", associate, store)
    assert opened["X-Request-ID"] == "lb-1234567890"
    assert events[1].detail == {"via": "search"}
    assert events[1].request_id == from_search["X-Request-ID"] != "lb-1234567890"
    assert len(events[1].request_id) == 32  # made here


def test_a_request_id_that_is_not_sane_is_replaced(client, associate, consenting_customer):
    client.force_login(associate)

    response = client.get(card(consenting_customer), HTTP_X_REQUEST_ID="<script>alert(1)</script>")

    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert views_of(consenting_customer)[0].request_id == response["X-Request-ID"]


def test_no_event_holds_her_name_email_phone_or_what_a_note_says(
    client, associate, consenting_customer, store
):
    IdentifierFactory(customer=consenting_customer, kind="email", value="zoe.okafor@example.com")
    client.force_login(associate)
    client.get(card(consenting_customer))
    update_profile(by=associate, customer=consenting_customer, preferred_name="Zozo")
    add_note(
        by=associate,
        customer=consenting_customer,
        store=store,
        body="Zoë Okafor, call 07911 123456",
        confirmed=True,
    )

    trail = str(list(AuditEvent.objects.values_list("actor_kind", "action", "detail", "request_id")))

    assert set(AuditEvent.objects.filter(customer=consenting_customer).values_list("action", flat=True)) == {
        "customer.viewed",
        "customer.profile_updated",
        "note.added",
    }
    for personal in ("Zoë", "Okafor", "Zozo", "zoe.okafor", "07911", "123456"):
        assert personal not in trail


def test_the_database_refuses_to_change_or_delete_an_event(associate, consenting_customer):
    event = AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=associate,
        actor_kind="staff",
        action="customer.viewed",
        customer=consenting_customer,
    )

    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened"),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(occurred_at=timezone.now() - timedelta(days=9)),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(detail={"added": 1}),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        # The app's role has no right to (tests/audit/test_least_privilege.py); the owner meets the trigger.
        with pytest.raises(DatabaseError, match=r"append-only|permission denied"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).action == "customer.viewed"
