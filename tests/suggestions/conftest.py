"""A small shop and its customers for the suggestion tests that go through PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Category
from consent.models import PurposeCode
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)

SUGGESTIONS = [PurposeCode.PROFILE, PurposeCode.SUGGESTIONS]


def buy(customer, store, *products, days_ago=60):
    order = OrderFactory(customer=customer, store=store, placed_at=timezone.now() - timedelta(days=days_ago))
    for number, product in enumerate(products, start=1):
        OrderLineFactory(order=order, product=product, line_number=number)
    return order


@pytest.fixture
def shop(store):
    """A small catalogue: tops that go with trousers, a replenishable serum, and a sensitive range."""
    tops = CategoryFactory(code="tops", name="Tops")
    trousers = CategoryFactory(code="trousers", name="Trousers")
    beauty = CategoryFactory(code="beauty", name="Beauty")
    health = Category.objects.create(
        code="health", name="Health", sensitive=True, is_sensitive=True, masked_as="health item"
    )
    acne = BrandFactory(name="Acne Studios", slug="acne")
    return {
        "blazer": ProductFactory(name="Linen blazer", category=tops, brand=acne),
        "shirt": ProductFactory(name="Poplin shirt", category=tops, brand=acne),
        "trousers": ProductFactory(name="Pleated trousers", category=trousers, brand=acne),
        "serum": ProductFactory(name="Night serum", category=beauty, replenishable=True),
        "pills": ProductFactory(name="Iron tablets", category=health),
        "test": ProductFactory(name="Pregnancy test", category=health),
    }


@pytest.fixture
def crowd(shop, store, grant):
    """Forty consenting customers: twenty buy blazers with trousers (and shirts later), twenty buy
    serum again and again (and something sensitive with it)."""
    people = []
    for n in range(40):
        person = CustomerFactory(given_name=f"P{n}", home_store=store)
        grant(person, SUGGESTIONS, store=store)
        if n < 20:
            buy(person, store, shop["blazer"], shop["trousers"], days_ago=200 + n)
            buy(person, store, shop["shirt"], days_ago=90)
        else:
            buy(person, store, shop["serum"], shop["pills"], days_ago=120)
            buy(person, store, shop["serum"], days_ago=90)
        people.append(person)
    return people


@pytest.fixture
def zoe(shop, store, grant):
    """She bought a blazer and serum twice, and something sensitive; she wants suggestions."""
    zoe = CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=store)
    grant(zoe, SUGGESTIONS, store=store)
    buy(zoe, store, shop["blazer"], shop["pills"], days_ago=150)
    buy(zoe, store, shop["serum"], days_ago=100)
    buy(zoe, store, shop["serum"], shop["test"], days_ago=50)
    return zoe
