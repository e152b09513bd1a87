"""A customer who has bought nothing yet: suggestions from her store, the season and what she told us,
through PostgreSQL and the card's sentences."""

from decimal import Decimal

import pytest

from customers.models import Preference, PreferenceKind
from suggestions import refresh
from suggestions.models import Reason, Suggestion
from suggestions.selectors import card_suggestions
from tests.factories import CustomerFactory, ProductFactory
from tests.suggestions.conftest import SUGGESTIONS, buy

pytestmark = pytest.mark.django_db


def test_a_newcomer_hears_her_stores_best_sellers_first_and_the_category_she_likes(crowd, shop, store, grant):
    newcomer = CustomerFactory(given_name="Ines", home_store=store)
    grant(newcomer, SUGGESTIONS, store=store)
    Preference.objects.create(
        customer=newcomer, kind=PreferenceKind.CATEGORY, likes=True, category=shop["trousers"].category
    )

    refresh.run_full_refresh()

    rows = list(Suggestion.objects.filter(customer=newcomer))
    assert rows
    assert {row.list for row in rows} == {"discover"}
    assert {Reason.POPULAR_AT_STORE, Reason.CATEGORY_YOU_LIKE} <= {row.reason for row in rows}
    assert min(rows, key=lambda row: row.rank).reason == Reason.POPULAR_AT_STORE
    card = card_suggestions(newcomer, purposes=list(SUGGESTIONS))
    said = {s.product.name: s.sentence for s in card.discover}
    assert said["Pleated trousers"] == "More trousers, which you like"
    assert "One of your store's best sellers this month" in said.values()


def test_a_newcomer_is_not_shown_what_costs_far_more_or_less_than_her_store_sells(crowd, shop, store, grant):
    gold = ProductFactory(name="Gold cufflinks", category=shop["shirt"].category, price=Decimal("4900.00"))
    for n in range(8):  # a few rich customers of the store buy it, often enough to be its best seller
        someone = CustomerFactory(given_name=f"R{n}", home_store=store)
        grant(someone, SUGGESTIONS, store=store)
        buy(someone, store, gold, days_ago=2)
    newcomer = CustomerFactory(given_name="Ines", home_store=store)
    grant(newcomer, SUGGESTIONS, store=store)

    refresh.run_full_refresh()

    shown = set(Suggestion.objects.filter(customer=newcomer).values_list("product_id", flat=True))
    assert shown
    assert gold.pk not in shown


def test_a_newcomer_hears_what_the_clients_who_like_her_brand_buy(crowd, shop, store, grant):
    # The serum buyers of the crowd all told us they love Acne Studios, as she did.
    for person in crowd[20:]:
        Preference.objects.create(
            customer=person, kind=PreferenceKind.BRAND, likes=True, brand=shop["blazer"].brand
        )
    newcomer = CustomerFactory(given_name="Ines", home_store=store)
    grant(newcomer, SUGGESTIONS, store=store)
    Preference.objects.create(
        customer=newcomer, kind=PreferenceKind.BRAND, likes=True, brand=shop["blazer"].brand
    )

    refresh.run_full_refresh()

    card = card_suggestions(newcomer, purposes=list(SUGGESTIONS))
    said = {s.product.name: s.sentence for s in card.discover}
    assert said["Night serum"] == "A favourite of clients who like what you like"
    assert "Iron tablets" not in said  # they bought it too, but it is sensitive
