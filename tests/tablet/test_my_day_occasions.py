"""My day around her own book: her occasions first, then the store's queue, then her colleagues';
each with its reason; done, a call logged, snoozed or dismissed in one tap (audited); a message
written from it marks it done; nothing of a customer who withdrew; the page's queries flat."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import LISTED
from consent.models import ConsentState, PurposeCode
from customers.models import StoreRelationship
from occasions import generate
from occasions.models import Kind, Occasion
from outreach.models import Message
from relationships.models import Interaction
from tests.factories import CustomerFactory, OrderFactory
from tests.occasions.conftest import her, rules  # noqa: F401 - fixtures
from tests.outreach import conftest as outreach

reachable = outreach.reachable
templates = outreach.templates
HTMX = {"HX-Request": "true"}


def thanks_for(customer, store) -> Occasion:  # type: ignore[no-untyped-def]
    OrderFactory(
        customer=customer,
        store=store,
        total_amount=Decimal("420.00"),
        placed_at=timezone.now() - timedelta(hours=3),
    )
    generate.for_customers([customer.pk], [Kind.THANK_YOU])
    return Occasion.objects.get(customer=customer, kind=Kind.THANK_YOU)


@pytest.fixture
def three(store, associate, teammate, grant, rules):  # type: ignore[no-untyped-def]  # noqa: F811
    """A client of each bucket: Ava's, the queue's, Ben's."""
    people = []
    for name, owner in (("Mine", associate), ("Queued", None), ("Bens", teammate)):
        customer = CustomerFactory(given_name=name, family_name="Client", home_store=store)
        StoreRelationship.objects.create(customer=customer, store=store, assigned_associate=owner)
        grant(customer, store=store)
        people.append(thanks_for(customer, store))
    return people


def test_her_own_occasions_come_first_then_the_queue_then_her_colleagues(signed_in, three):
    page = signed_in.get("/").content.decode()

    section = page.split('id="occasions"')[1].split("</section>")[0]
    assert section.index("Mine Client") < section.index("Queued Client") < section.index("Bens Client")
    assert "She spent 420.00 GBP" in section
    assert "for your colleagues" in section
    listing = AuditEvent.objects.filter(action=LISTED, detail__page="my day").last()
    assert {o.customer_id for o in three} <= set(listing.detail["shown"])


def test_done_call_snooze_and_dismiss_each_in_one_tap(signed_in, three, associate):
    mine, queued, bens = three

    assert signed_in.post(f"/occasions/{mine.pk}/call/", headers=HTMX).status_code == 200
    signed_in.post(f"/occasions/{queued.pk}/snooze/", {"days": "3"}, headers=HTMX)
    answer = signed_in.post(f"/occasions/{bens.pk}/dismiss/", {"reason": "already"}, headers=HTMX)

    assert "<html" not in answer.content.decode()  # the list alone
    mine.refresh_from_db()
    assert (mine.status, mine.outcome, mine.closed_by) == ("done", "call", associate)
    assert Interaction.objects.filter(customer=mine.customer, kind=Interaction.Kind.CALL).exists()
    queued.refresh_from_db()
    assert queued.snoozed_until == timezone.localdate() + timedelta(days=3)
    assert "Queued Client" not in signed_in.get("/").content.decode()  # out of My day until then
    bens.refresh_from_db()
    assert (bens.status, bens.dismissal) == ("dismissed", "already")
    actions = set(AuditEvent.objects.filter(action__startswith="occasion.").values_list("action", flat=True))
    assert actions == {"occasion.done", "occasion.snoozed", "occasion.dismissed"}
    # Closed: a second tap finds nothing.
    assert signed_in.post(f"/occasions/{mine.pk}/done/", headers=HTMX).status_code == 404


def test_a_message_written_from_it_marks_it_done(signed_in, reachable, store, templates, rules):  # noqa: F811
    StoreRelationship.objects.update_or_create(customer=reachable, store=store)
    occasion = thanks_for(reachable, store)

    form = signed_in.get(f"/customers/{reachable.public_id}/messages/compose/?occasion={occasion.pk}").content
    sent = signed_in.post(
        f"/customers/{reachable.public_id}/messages/",
        {
            "channel": "email",
            "subject": "Thank you",
            "body": "Thank you for coming in!",
            "occasion": occasion.pk,
        },
    )

    assert b"thank you for your visit" in form.lower()  # its rule's template, filled in
    assert sent.status_code == 302
    assert Message.objects.filter(customer=reachable).exists()
    occasion.refresh_from_db()
    assert (occasion.status, occasion.outcome) == ("done", "message")


def test_a_customer_who_withdrew_since_is_not_listed(signed_in, three):
    mine = three[0]
    ConsentState.objects.filter(customer=mine.customer, purpose_id=PurposeCode.PROFILE).update(granted=False)

    assert "Mine Client" not in signed_in.get("/").content.decode()
    assert (
        signed_in.post(f"/occasions/{mine.pk}/done/", headers=HTMX).status_code == 200
    )  # still hers to close


def test_an_occasion_of_another_store_is_not_hers_to_touch(signed_in, other_store, grant, rules):  # noqa: F811
    customer = CustomerFactory(home_store=other_store)
    grant(customer, store=other_store)
    elsewhere = thanks_for(customer, other_store)

    assert signed_in.post(f"/occasions/{elsewhere.pk}/done/", headers=HTMX).status_code == 404


def test_my_day_costs_the_same_queries_however_many_occasions(signed_in, store, associate, grant, rules):  # noqa: F811
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/").status_code == 200
        return len(queries.captured_queries)

    def clients(n: int) -> None:
        for _ in range(n):
            customer = CustomerFactory(home_store=store)
            StoreRelationship.objects.create(customer=customer, store=store, assigned_associate=associate)
            grant(customer, store=store)
            thanks_for(customer, store)

    clients(1)
    count()  # the first page of a session reads more (the device, the store chosen)
    few = count()
    clients(6)

    assert count() == few
