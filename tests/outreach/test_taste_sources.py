"""What she liked on a look or put on her wishlist counts towards the brands suggested to her, and
nothing sensitive ever does."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from catalog.models import Category
from customers.models import Customer
from outreach.looks import create_look, mark_item
from outreach.models import Look, LookItem, WishlistItem
from suggestions import data
from suggestions.incremental import changed_since
from tests.factories import ProductFactory
from tests.outreach.rows import outreach_of

pytestmark = pytest.mark.django_db


def _liked_brands(customer: Customer) -> set[int]:
    preferences = data.load_preferences(np.array([customer.pk]), data.item_index(), dismiss_days=90)
    customers, brands = preferences.liked_brands
    assert set(customers.tolist()) <= {0}
    return set(brands.tolist())


def test_a_product_liked_on_a_look_and_one_on_her_wishlist_count_as_liking_their_brands(
    associate, store, consenting_customer, products
):
    before = timezone.now() - timedelta(seconds=1)
    outreach_of(consenting_customer, store, associate, products)  # coat liked, scarf not, belt wished

    assert _liked_brands(consenting_customer) == {products["coat"].brand_id, products["belt"].brand_id}
    assert consenting_customer.pk in changed_since(before)


def test_a_like_on_a_look_is_picked_up_by_the_next_incremental_refresh(
    associate, store, consenting_customer, products
):
    look = create_look(
        by=associate,
        customer=consenting_customer,
        store=store,
        title="Ideas",
        note="",
        product_ids=[products["scarf"].pk],
    )
    before = timezone.now()
    assert consenting_customer.pk not in changed_since(before)

    mark_item(look=look, item_id=look.items.get().pk, liked=True)

    assert consenting_customer.pk in changed_since(before)
    assert _liked_brands(consenting_customer) == {products["scarf"].brand_id}


def test_a_sensitive_product_never_counts_even_if_one_got_onto_a_look_or_wishlist(store, consenting_customer):
    health = Category.objects.create(
        code="health", name="Health", sensitive=True, is_sensitive=True, masked_as="health item"
    )
    pills = ProductFactory(name="Iron tablets", category=health)
    now = timezone.now()
    # Straight into the tables: the services refuse sensitive products.
    look = Look.objects.create(
        customer=consenting_customer,
        store=store,
        title="x",
        created_at=now,
        expires_at=now + timedelta(days=1),
    )
    LookItem.objects.create(look=look, product=pills, liked_at=now)
    WishlistItem.objects.create(
        customer=consenting_customer, product=pills, added_via=WishlistItem.AddedVia.CUSTOMER, created_at=now
    )

    assert _liked_brands(consenting_customer) == set()
