"""How a product is bought again, settled by each full refresh: the retailer's word, else the sales'."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Product
from suggestions import refresh
from suggestions.models import ProductCycle, Reason, Suggestion
from suggestions.selectors import sentence
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory
from tests.suggestions.conftest import SUGGESTIONS, buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def pantry(store, grant):
    """Soap nobody said anything of, bought every three weeks; a coat the retailer says is not bought
    again, bought twice all the same; tea, under a category that says it lasts two weeks."""
    home = CategoryFactory(code="home", name="Home")
    coats = CategoryFactory(code="coats", name="Coats")
    groceries = CategoryFactory(
        code="groceries", name="Groceries", replenishable=True, replenish_after_days=14
    )
    tea_shelf = CategoryFactory(code="tea", name="Tea", parent=groceries)
    products = {
        "soap": ProductFactory(name="Olive soap", category=home),
        "coat": ProductFactory(name="Wool coat", category=coats, replenishable=False),
        "tea": ProductFactory(name="Breakfast tea", category=tea_shelf),
        "vase": ProductFactory(name="Glass vase", category=CategoryFactory(code="decor", name="Decor")),
    }
    # Sixty buyers: enough for an item's own buyers to outweigh the pull towards all items.
    for _ in range(60):
        person = CustomerFactory(home_store=store)
        grant(person, SUGGESTIONS, store=store)
        buy(person, store, products["soap"], products["coat"], products["vase"], days_ago=70)
        buy(person, store, products["soap"], products["coat"], days_ago=49)
        buy(person, store, products["soap"], products["tea"], days_ago=28)
    return products


def cycle_of(product):
    row = ProductCycle.objects.get(product=product)
    return (row.replenishable, row.said, None if row.cycle_days is None else round(row.cycle_days))


def test_a_refresh_learns_what_is_bought_again_and_how_often_unless_the_retailer_said(pantry):
    refresh.run_full_refresh()

    assert cycle_of(pantry["soap"]) == (True, False, 21)
    assert cycle_of(pantry["coat"]) == (False, True, None)
    assert cycle_of(pantry["tea"]) == (True, True, 14)  # its parent category's word
    assert cycle_of(pantry["vase"])[:2] == (False, False)
    soap = ProductCycle.objects.get(product=pantry["soap"])
    assert soap.buyers == 60
    assert soap.repeat_share > 0.9
    buy_again = set(Suggestion.objects.filter(list="buy_again").values_list("product_id", flat=True))
    assert pantry["soap"].pk in buy_again
    assert pantry["coat"].pk not in buy_again
    assert pantry["vase"].pk not in buy_again


def test_the_next_refresh_replaces_the_cycles_and_follows_the_retailers_change_of_mind(pantry):
    refresh.run_full_refresh()
    Product.objects.filter(pk=pantry["soap"].pk).update(replenishable=False)

    refresh.run_full_refresh()

    assert cycle_of(pantry["soap"]) == (False, True, None)
    assert ProductCycle.objects.count() == 4
    assert not Suggestion.objects.filter(product=pantry["soap"], list="buy_again").exists()


def test_time_for_a_new_one_comes_after_the_learnt_cycle(pantry):
    refresh.run_full_refresh()
    soap = Product.objects.select_related("cycle", "brand").get(pk=pantry["soap"].pk)
    today = timezone.localdate()

    def said(days_ago):
        row = Suggestion(product=soap, reason=Reason.BOUGHT_BEFORE, anchor_on=today - timedelta(days_ago))
        return sentence(row, sizes={}, today=today)

    assert "time for a new one" not in said(20)
    assert "time for a new one" in said(22)  # its cycle is three weeks, under SUGGESTIONS_RECENT_DAYS
