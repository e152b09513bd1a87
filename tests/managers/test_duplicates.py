"""The manager's duplicate queue: evidence side by side, merge or keep apart, undo with a reason."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from customers.models import Customer
from identity.duplicates import find_duplicates
from identity.models import CustomerMerge, DuplicateCandidate
from sales.models import Order
from stores.models import Store
from tests.conftest import Grant
from tests.factories import CustomerFactory, IdentifierFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("managers:duplicates")


@pytest.fixture
def pair(store: Store, grant: Grant) -> tuple[Customer, Customer]:
    """Caroline, who consents, and a profile from sales data that looks like her."""
    caroline = CustomerFactory(
        given_name="Caroline", family_name="Dupont", home_store=store, birth_date=date(1980, 3, 1)
    )
    grant(caroline, store=store)
    IdentifierFactory(customer=caroline, kind="email", value="caroline.dupont@gmail.com")
    twin = CustomerFactory(given_name="Caroline", family_name="Dupond", source="sales")
    IdentifierFactory(customer=twin, kind="email", value="caroline.dupont@outlook.com")
    OrderFactory(customer=twin, store=store)
    find_duplicates()
    return caroline, twin


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_the_manager_sees_the_evidence_side_by_side_without_the_other_sides_details(
    client, manager, pair
) -> None:
    _caroline, _twin = pair
    page = signed_in(client, manager).get(QUEUE)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Caroline Dupont" in html
    assert "same e-mail name at another provider" in html
    assert "c•••@gmail.com" in html  # hers, masked
    assert "C.D. (not consenting to be seen)" in html  # the twin, by initials only
    assert "outlook" not in html
    assert "Dupond" not in html


def test_associates_and_other_stores_managers_cannot_see_the_queue(
    client, associate, other_store, pair
) -> None:
    assert signed_in(client, associate).get(QUEUE).status_code == 403
    elsewhere = UserFactory(role="manager", stores=[other_store])
    page = signed_in(Client(), elsewhere).get(QUEUE)
    assert "Caroline" not in page.content.decode()
    candidate = DuplicateCandidate.objects.get()
    refused = signed_in(Client(), elsewhere).post(
        reverse("managers:decide-pair", args=[candidate.pk]), {"action": "distinct"}
    )
    assert refused.status_code == 404


def test_merging_from_the_queue_then_undoing_it(client, manager, pair) -> None:
    caroline, twin = pair
    candidate = DuplicateCandidate.objects.get()
    client = signed_in(client, manager)

    merged = client.post(
        reverse("managers:decide-pair", args=[candidate.pk]),
        {"action": "merge", "keep": str(caroline.public_id), "reason": "Same person, checked at the till"},
    )

    assert merged.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == caroline
    merge = CustomerMerge.objects.get()
    assert (merge.kind, merge.merged_by, merge.reason) == (
        "reviewed",
        manager,
        "Same person, checked at the till",
    )
    candidate.refresh_from_db()
    assert (candidate.status, candidate.merge) == ("merged", merge)
    assert Order.objects.get().customer == caroline

    # The same form sent again (another tab): a clear conflict, nothing merged twice.
    stale = client.post(
        reverse("managers:decide-pair", args=[candidate.pk]),
        {"action": "merge", "keep": str(caroline.public_id)},
    )
    assert stale.status_code == 409
    assert "already decided" in stale.content.decode()

    no_reason = client.post(reverse("managers:undo-merge", args=[merge.pk]), {"reason": " "})
    assert no_reason.status_code == 302
    assert CustomerMerge.objects.get().undone_at is None

    client.post(reverse("managers:undo-merge", args=[merge.pk]), {"reason": "Her cousin"})
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert Order.objects.get().customer == twin
    candidate.refresh_from_db()
    assert candidate.status == "open"  # back in the queue to decide again
    again = client.post(reverse("managers:undo-merge", args=[merge.pk]), {"reason": "twice"})
    assert again.status_code == 409


def test_keeping_apart_is_remembered(client, manager, pair) -> None:
    candidate = DuplicateCandidate.objects.get()
    signed_in(client, manager).post(
        reverse("managers:decide-pair", args=[candidate.pk]), {"action": "distinct"}
    )

    find_duplicates()

    candidate.refresh_from_db()
    assert candidate.status == "distinct"
    assert not CustomerMerge.objects.exists()
    assert AuditEvent.objects.filter(action="customer.duplicate_dismissed").count() == 2
    assert "Nothing to review" in client.get(QUEUE).content.decode()


def test_the_profile_kept_must_be_one_she_can_see(client, manager, pair) -> None:
    _caroline, twin = pair
    candidate = DuplicateCandidate.objects.get()
    response = signed_in(client, manager).post(
        reverse("managers:decide-pair", args=[candidate.pk]), {"action": "merge", "keep": str(twin.public_id)}
    )
    assert response.status_code == 400
    assert not CustomerMerge.objects.exists()
