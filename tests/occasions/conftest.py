"""Occasions' fixtures: her, a client of the London store whose associate is Ava, who agreed to
everything; the default rules (a transactional test elsewhere may have flushed migration 0002's)."""

from datetime import UTC, datetime

import pytest

from customers.models import Customer, StoreRelationship
from occasions.defaults import install_default_rules
from occasions.models import OccasionRule
from outreach.models import MessageTemplate
from tests.factories import CustomerFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def rules(db: None) -> None:
    install_default_rules(OccasionRule, MessageTemplate)


@pytest.fixture
def her(store, associate, grant, rules) -> Customer:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=store)
    StoreRelationship.objects.update_or_create(
        customer=customer, store=store, defaults={"assigned_associate": associate}
    )
    grant(customer, store=store, at=datetime(2025, 1, 10, tzinfo=UTC))
    return customer
