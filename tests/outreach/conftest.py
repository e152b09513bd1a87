"""Outreach fixtures: a store with no quiet hours unless a test sets them, and a reachable customer."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from catalog.models import Product
from catalog.services import save_category
from customers.models import Customer, CustomerIdentifier
from outreach.defaults import install_default_templates
from outreach.models import MessageTemplate
from stores.models import Store
from tests.factories import BrandFactory, CategoryFactory, CustomerFactory, IdentifierFactory, ProductFactory


@pytest.fixture
def store(db: None) -> Store:
    """The shared store fixture, with quiet hours switched off so sends go at any time of the day."""
    from tests.factories import StoreFactory

    return StoreFactory(
        code="london", name="London Marylebone", quiet_hours_start=time(0, 0), quiet_hours_end=time(0, 0)
    )


def set_quiet_hours_around(store: Store, at: datetime | None = None) -> None:
    """Quiet hours from an hour before ``at`` to an hour after it, in the store's time zone."""
    local = (at or timezone.now()).astimezone(ZoneInfo(store.timezone))
    store.quiet_hours_start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    store.quiet_hours_end = (local + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    store.save()


@pytest.fixture
def reachable(store, grant) -> Customer:  # type: ignore[no-untyped-def]
    """A customer of ``store`` who grants every purpose and has an e-mail and a phone on file."""
    customer = CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=store, locale="en")
    IdentifierFactory(
        customer=customer, kind=CustomerIdentifier.Kind.EMAIL, value="zoe@example.com", is_primary=True
    )
    IdentifierFactory(
        customer=customer, kind=CustomerIdentifier.Kind.PHONE, value="+447911123456", is_primary=True
    )
    grant(customer, store=store)
    return customer


@pytest.fixture
def templates(db: None) -> None:
    """The default templates (a transactional test elsewhere may have flushed migration 0002's rows)."""
    install_default_templates(MessageTemplate)


@pytest.fixture
def private_category(db: None):  # type: ignore[no-untyped-def]
    return save_category(code="pharmacy", name="Pharmacy", sensitive=True, sensitive_label="health item")


@pytest.fixture
def sensitive_product(private_category):  # type: ignore[no-untyped-def]
    return ProductFactory(name="Pregnancy test", category=private_category)


from tests.outreach.fake_provider import fake_sms, fake_whatsapp  # noqa: E402, F401 - fixtures for every outreach test


@pytest.fixture
def products() -> dict[str, Product]:
    coats = CategoryFactory(code="coats", name="Coats")
    return {
        "coat": ProductFactory(
            name="Linen coat", category=coats, brand=BrandFactory(name="Toteme", slug="toteme")
        ),
        "scarf": ProductFactory(
            name="Silk scarf", category=coats, brand=BrandFactory(name="Khaite", slug="khaite")
        ),
        "belt": ProductFactory(
            name="Leather belt", category=coats, brand=BrandFactory(name="Loewe", slug="loewe")
        ),
    }
