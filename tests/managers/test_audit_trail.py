"""The managers' reading of the audit trail: scoped to their stores, with unusual access flagged."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from managers import audit_trail
from sales.models import Order
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def card(customer) -> str:  # type: ignore[no-untyped-def]
    return reverse("tablet:card", args=[customer.public_id])


def viewed(user, customer, at):  # type: ignore[no-untyped-def]
    AuditEvent.objects.create(
        occurred_at=at, actor=user, actor_kind="staff", action="customer.viewed", customer=customer
    )


def test_an_hour_of_far_more_cards_than_her_usual_is_flagged(
    manager, associate, teammate, consenting_customer, settings
):
    settings.AUDIT_BUSY_HOUR_MIN = 10
    now = timezone.now().replace(minute=30)
    for day in range(2, 12):  # Ava: 2 cards an hour, most days; Ben: 12 an hour
        for _ in range(2):
            viewed(associate, consenting_customer, now - timedelta(days=day))
        for _ in range(12):
            viewed(teammate, consenting_customer, now - timedelta(days=day))
    for _ in range(12):  # yesterday, both opened 12 in an hour
        viewed(associate, consenting_customer, now - timedelta(days=1))
        viewed(teammate, consenting_customer, now - timedelta(days=1))

    busy = audit_trail.busy_hours(manager, since=now - timedelta(days=1, hours=1))

    assert [(row.user, row.cards, row.usual) for row in busy] == [(associate, 12, 2.0)]  # Ben's usual hour


def test_cards_of_customers_outside_the_openers_stores_are_flagged(
    manager, associate, consenting_customer, other_store
):
    elsewhere = CustomerFactory(home_store=other_store)
    Order.objects.all().delete()
    viewed(associate, consenting_customer, timezone.now())
    viewed(associate, elsewhere, timezone.now())
    viewed(associate, elsewhere, timezone.now())

    outside = audit_trail.outside_access(manager, since=timezone.now() - timedelta(days=1))

    assert [(row.user, row.cards, row.customers) for row in outside] == [(associate, 2, 1)]


def test_managers_read_their_stores_trail_and_no_one_elses(
    client, manager, associate, other_store, consenting_customer
):
    client.force_login(associate)
    client.get(card(consenting_customer))
    assert client.get(reverse("managers:access-review")).status_code == 403

    client.force_login(manager)
    trail = client.get(reverse("managers:staff-trail", args=[associate.pk]))
    about_her = client.get(reverse("managers:customer-trail", args=[consenting_customer.public_id]))
    assert trail.status_code == about_her.status_code == 200
    assert "customer.viewed" in trail.content.decode()
    assert consenting_customer.display_name in trail.content.decode()

    paris = UserFactory(username="paul", role="manager", stores=[other_store])
    other = Client()
    other.force_login(paris)
    assert other.get(reverse("managers:staff-trail", args=[associate.pk])).status_code == 404
    assert (
        other.get(reverse("managers:customer-trail", args=[consenting_customer.public_id])).status_code == 404
    )
    assert other.get(reverse("managers:access-review")).status_code == 200
