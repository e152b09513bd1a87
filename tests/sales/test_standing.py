"""Each customer's standing per store, derived from sales: activity, spend net of refunds."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from customers.models import StoreRelationship
from sales.services import refresh_store_relationships
from tests.factories import CustomerFactory, OrderFactory, ReturnFactory

pytestmark = pytest.mark.django_db


def test_store_relationship_nets_refunds_and_counts_orders(store):

    customer = CustomerFactory(home_store=store)
    OrderFactory(customer=customer, store=store, total_amount=Decimal("100.00"))
    OrderFactory(customer=customer, store=store, total_amount=Decimal("50.00"))
    ReturnFactory(customer=customer, store=store, refund_amount=Decimal("20.00"))

    refresh_store_relationships(customer_ids=[customer.pk])

    relationship = StoreRelationship.objects.get(customer=customer, store=store)
    assert relationship.orders_count == 2
    assert relationship.lifetime_spend == Decimal("130.00")


def test_twelve_month_spend_is_measured_back_from_the_as_of_moment(store):
    from decimal import Decimal

    customer = CustomerFactory(home_store=store)
    OrderFactory(
        customer=customer, store=store, placed_at=datetime(2025, 6, 1, tzinfo=UTC), total_amount=Decimal("70")
    )

    refresh_store_relationships(customer_ids=[customer.pk], as_of=datetime(2026, 1, 1, tzinfo=UTC))
    assert StoreRelationship.objects.get(customer=customer).spend_12m == Decimal("70.00")

    refresh_store_relationships(customer_ids=[customer.pk], as_of=datetime(2026, 7, 1, tzinfo=UTC))
    assert StoreRelationship.objects.get(customer=customer).spend_12m == Decimal("0.00")
