from decimal import Decimal

import pytest

from customers.models import StoreRelationship, ValueTier
from customers.services import compute_value_tiers
from tests.factories import CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def relationships_with_spend(store, spends):
    return [
        StoreRelationship.objects.create(customer=CustomerFactory(), store=store, spend_12m=Decimal(spend))
        for spend in spends
    ]


def test_the_top_1_percent_and_top_10_percent_of_a_store_get_their_tiers(store):
    rows = relationships_with_spend(store, [1000 - n for n in range(200)])  # 200 spenders

    compute_value_tiers()

    tiers = [StoreRelationship.objects.get(pk=row.pk).tier for row in rows]
    assert tiers.count(ValueTier.PRIVATE_CLIENT) == 2
    assert tiers.count(ValueTier.PREFERRED) == 18
    assert tiers[:2] == [ValueTier.PRIVATE_CLIENT] * 2


def test_tiers_are_ranked_per_store(store):
    small = StoreFactory(code="small")
    big_spender_elsewhere = relationships_with_spend(store, [5000])[0]
    modest_but_best_here = relationships_with_spend(small, [50, 10, 5])[0]

    compute_value_tiers()

    assert StoreRelationship.objects.get(pk=big_spender_elsewhere.pk).tier == ValueTier.PRIVATE_CLIENT
    assert StoreRelationship.objects.get(pk=modest_but_best_here.pk).tier == ValueTier.PRIVATE_CLIENT


def test_customers_who_spent_nothing_this_year_are_never_top_tier(store):
    rows = relationships_with_spend(store, [0, 0, 0])

    compute_value_tiers()

    assert {StoreRelationship.objects.get(pk=row.pk).tier for row in rows} == {ValueTier.CLIENT}
