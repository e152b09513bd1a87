"""What the card says of a suggestion: true of her history, dates from the store's today."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from consent.models import PurposeCode
from suggestions.models import Reason, Suggestion
from suggestions.selectors import card_suggestions, sentence
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory

TODAY = date(2026, 12, 3)


def said(
    reason: str,
    *,
    anchor_on: date | None = None,
    times: int = 1,
    cycle: int | None = None,
    sizes: dict[int, str] | None = None,
) -> str:
    product = ProductFactory.build(
        name="Rose palette", replenishable=cycle is not None, replenish_after_days=cycle, category_id=7
    )
    row = Suggestion(product=product, reason=reason, anchor_on=anchor_on, times_bought=times)
    return sentence(row, sizes=sizes or {}, today=TODAY)


def test_something_bought_yesterday_is_not_time_for_a_new_one():
    assert said(Reason.BOUGHT_BEFORE, anchor_on=TODAY - timedelta(days=1)) == "You bought this yesterday"


def test_once_its_cycle_has_passed_it_is_time_for_a_new_one():
    assert said(Reason.BOUGHT_BEFORE, anchor_on=date(2026, 8, 20), cycle=60) == (
        "You bought this in August; time for a new one?"
    )
    assert said(Reason.BOUGHT_BEFORE, anchor_on=date(2026, 11, 1), cycle=60) == "You bought this last month"
    assert said(Reason.BOUGHT_BEFORE, anchor_on=date(2025, 12, 20)) == (
        "You bought this last December; time for a new one?"
    )


def test_what_she_buys_often_says_how_often_and_when_last():
    assert said(Reason.BOUGHT_BEFORE, anchor_on=date(2026, 11, 26), times=3) == (
        "You have bought this 3 times, most recently last week"
    )


def test_a_newcomers_reasons_say_where_the_suggestion_comes_from():
    assert said(Reason.POPULAR_AT_STORE) == "One of your store's best sellers this month"
    assert said(Reason.IN_SEASON) == "A favourite of our clients at this time of year"
    assert said(Reason.LIKED_BY_PEERS) == "A favourite of clients who like what you like"
    assert said(Reason.IN_YOUR_SIZE, sizes={7: "M"}) == "In stock in your size (M) at your store"
    assert said(Reason.POPULAR) == "Popular with our clients"


@pytest.mark.django_db
def test_the_card_leaves_out_buying_again_what_she_bought_since_last_night(store, grant):
    her = CustomerFactory(home_store=store)
    grant(her, [PurposeCode.PROFILE, PurposeCode.SUGGESTIONS], store=store)
    palette, perfume = ProductFactory(name="Palette"), ProductFactory(name="Perfume")
    for rank, product in enumerate((palette, perfume), start=1):
        Suggestion.objects.create(
            customer=her, product=product, list="buy_again", rank=rank, score=1.0,
            reason=Reason.BOUGHT_BEFORE, anchor_on=TODAY - timedelta(days=200), model_version="t",
            created_at=timezone.now(),
        )  # fmt: skip
    OrderLineFactory(order=OrderFactory(customer=her, store=store, placed_at=timezone.now()), product=palette)

    lists = card_suggestions(her, purposes=[PurposeCode.PROFILE, PurposeCode.SUGGESTIONS])

    assert [s.product.name for s in lists.buy_again] == ["Perfume"]
