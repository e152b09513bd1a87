"""The engine on tiny hand-made histories whose right answers can be told in advance."""

import math

import numpy as np
import pytest

from suggestions.engine import (
    BOUGHT_BEFORE,
    BRAND_YOU_LOVE,
    BUY_AGAIN,
    COMBINED,
    DISCOVER,
    GOES_WITH,
    IN_STOCK,
    MODEL_VERSION,
    NEW_FROM_BRAND,
    POPULAR,
    Catalogue,
    Config,
    Interactions,
    Preferences,
    Stock,
)
from suggestions.engine.model import fit
from tests.suggestions.engine.builders import crowd, items_of, orders, row_of, suggest

BLAZER, SCARF, SANDALS, SUNHAT, SOAP, SERUM = 0, 1, 2, 3, 4, 5
N_ITEMS = 12


def pairs(x: list[int], y: list[int]) -> tuple:  # type: ignore[type-arg]
    return (np.asarray(x, dtype=np.int32), np.asarray(y, dtype=np.int32))


def blazer_world(*her_orders: tuple[int, float, list[int]]) -> Interactions:
    """Customer 0's own orders, and 40 others: 10 buy blazer + scarf together, 10 sandals + sun hat,
    20 buy soap."""
    placed = list(her_orders)
    placed += crowd([[BLAZER, SCARF], [SANDALS, SUNHAT]], first_customer=1, times=10, day=80.0)
    placed += crowd([[SOAP]], first_customer=21, times=20, day=90.0)
    return orders(*placed, n_items=N_ITEMS)


def test_buy_again_puts_what_she_buys_most_often_first_with_when_and_how_often() -> None:
    history = blazer_world((0, 10.0, [SOAP]), (0, 40.0, [SOAP, SERUM]), (0, 70.0, [SOAP]))

    suggestions = suggest(history, Catalogue.plain(N_ITEMS), [0])

    assert items_of(suggestions, 0, BUY_AGAIN) == [SOAP, SERUM]
    soap = row_of(suggestions, 0, BUY_AGAIN, SOAP)
    assert soap["reason"] == BOUGHT_BEFORE
    assert (soap["anchor_item"], soap["anchor_day"], soap["times_bought"]) == (SOAP, 70.0, 3)
    serum = row_of(suggestions, 0, BUY_AGAIN, SERUM)
    assert (serum["anchor_day"], serum["times_bought"]) == (40.0, 1)


def test_discover_suggests_what_goes_with_her_purchase_and_names_it() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))

    suggestions = suggest(history, Catalogue.plain(N_ITEMS, replenishable=[False] * N_ITEMS), [0])

    assert items_of(suggestions, 0, DISCOVER)[0] == SCARF
    scarf = row_of(suggestions, 0, DISCOVER, SCARF)
    assert scarf["reason"] == GOES_WITH
    assert (scarf["anchor_item"], scarf["anchor_day"]) == (BLAZER, 40.0)
    assert BLAZER not in items_of(suggestions, 0, DISCOVER)


def test_discover_only_holds_items_she_has_not_bought() -> None:
    history = blazer_world((0, 40.0, [BLAZER, SOAP]), (0, 60.0, [SANDALS]))

    suggestions = suggest(history, Catalogue.plain(N_ITEMS), [0], k_discover=N_ITEMS)

    assert not {BLAZER, SOAP, SANDALS} & set(items_of(suggestions, 0, DISCOVER))
    assert set(items_of(suggestions, 0, BUY_AGAIN)) == {BLAZER, SOAP, SANDALS}


@pytest.mark.parametrize("attribute", ["brand", "category", "colour"])
def test_a_disliked_brand_category_or_colour_is_never_suggested(attribute: str) -> None:
    history = blazer_world((0, 40.0, [BLAZER]), (0, 50.0, [SOAP]))
    values = np.arange(N_ITEMS, dtype=np.int32) + 100  # every item its own brand/category/colour
    catalogue = Catalogue.plain(N_ITEMS, **{attribute: values})
    dislikes = pairs([0, 0], [100 + SCARF, 100 + SOAP])  # the best new item and her own soap
    field = {"brand": "disliked_brands", "category": "disliked_categories", "colour": "disliked_colours"}
    preferences = Preferences(**{field[attribute]: dislikes})

    suggestions = suggest(history, catalogue, [0], preferences=preferences, k_discover=N_ITEMS)

    assert not {SCARF, SOAP} & set(suggestions.item.tolist())
    assert BLAZER in items_of(suggestions, 0, BUY_AGAIN)
    plain = suggest(history, catalogue, [0], k_discover=N_ITEMS)
    assert {SCARF, SOAP} <= set(plain.item.tolist())


def test_a_dismissed_item_stays_hidden_for_the_window_then_comes_back() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    catalogue = Catalogue.plain(N_ITEMS)
    preferences = Preferences(dismissed=(np.array([0]), np.array([SCARF]), np.array([50.0])))

    within = suggest(history, catalogue, [0], preferences=preferences, now=100.0, dismiss_days=90.0)
    after = suggest(history, catalogue, [0], preferences=preferences, now=150.0, dismiss_days=90.0)

    assert SCARF not in within.item
    assert SCARF in items_of(after, 0, DISCOVER)


def test_a_dismissal_by_someone_else_does_not_hide_the_item_from_her() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    preferences = Preferences(dismissed=(np.array([5]), np.array([SCARF]), np.array([99.0])))

    suggestions = suggest(history, Catalogue.plain(N_ITEMS), [0], preferences=preferences)

    assert SCARF in items_of(suggestions, 0, DISCOVER)


def test_a_non_replenishable_item_she_bought_recently_or_long_ago_is_not_suggested_again() -> None:
    history = blazer_world((0, 10.0, [SANDALS]), (0, 95.0, [BLAZER, SOAP]))
    replenishable = np.zeros(N_ITEMS, dtype=bool)
    replenishable[SOAP] = True

    suggestions = suggest(history, Catalogue.plain(N_ITEMS, replenishable=replenishable), [0])

    assert not {BLAZER, SANDALS} & set(suggestions.item.tolist())
    assert items_of(suggestions, 0, BUY_AGAIN) == [SOAP]


def test_recent_days_holds_even_for_a_list_that_could_show_bought_items() -> None:
    """The rule is checked on its own too: here through the rules module directly."""
    from suggestions.engine.rules import PreferenceIndex, allowed

    catalogue = Catalogue.plain(3, replenishable=[False, True, False])
    index = PreferenceIndex.build(Preferences(), now=100.0, dismiss_days=90.0)
    ok = allowed(
        np.zeros(3, dtype=np.int32),
        np.arange(3, dtype=np.int32),
        catalogue=catalogue,
        index=index,
        last_bought=np.array([95.0, 95.0, 10.0]),
        now=100.0,
        config=Config(recent_days=30.0),
    )
    assert ok.tolist() == [False, True, True]


def test_no_list_holds_more_than_max_per_category_items_of_one_category() -> None:
    mine = [(0, float(day), [0, 1, 2, 3, 4, 5]) for day in (10, 20, 30)]
    history = orders(
        *mine, *crowd([[0, 6], [1, 7], [2, 8]], first_customer=1, times=5, day=80.0), n_items=N_ITEMS
    )
    category = np.array([0] * 6 + [1] * 3 + [2] * 3, dtype=np.int32)

    capped = suggest(history, Catalogue.plain(N_ITEMS, category=category), [0], max_per_category=2)
    free = suggest(history, Catalogue.plain(N_ITEMS, category=category), [0], max_per_category=0)

    for which in (BUY_AGAIN, DISCOVER, COMBINED):
        shown = items_of(capped, 0, which)
        assert np.bincount(category[shown], minlength=3).max() <= 2
    assert len(items_of(capped, 0, BUY_AGAIN)) == 2  # all she bought is category 0
    assert len(items_of(free, 0, BUY_AGAIN)) == 5  # max_per_category=0: no cap


def test_a_sensitive_item_is_never_suggested_even_to_its_buyers() -> None:
    history = blazer_world((0, 40.0, [SERUM]), (0, 60.0, [SERUM]), (0, 70.0, [BLAZER]))
    sensitive = np.zeros(N_ITEMS, dtype=bool)
    sensitive[[SERUM, SOAP]] = True  # soap is also the best seller

    suggestions = suggest(
        history, Catalogue.plain(N_ITEMS, sensitive=sensitive), range(41), k_discover=N_ITEMS
    )

    assert not {SERUM, SOAP} & set(suggestions.item.tolist())


def test_a_sensitive_purchase_is_no_signal_her_lists_are_those_of_a_customer_without_history() -> None:
    # Others buy the sensitive item 8 together with item 9: 9 must not follow from her buying 8.
    placed = [(0, 50.0, [8]), *crowd([[8, 9], [BLAZER, SCARF]], first_customer=2, times=10, day=80.0)]
    history = orders(*placed, n_items=N_ITEMS)  # customer 1 bought nothing
    sensitive = np.zeros(N_ITEMS, dtype=bool)
    sensitive[8] = True
    catalogue = Catalogue.plain(N_ITEMS, sensitive=sensitive)

    suggestions = suggest(history, catalogue, [0, 1])

    hers, nobody = (suggestions.customer == 0), (suggestions.customer == 1)
    assert suggestions.item[hers].tolist() == suggestions.item[nobody].tolist()
    assert suggestions.reason[hers].tolist() == suggestions.reason[nobody].tolist()
    assert set(suggestions.reason[hers].tolist()) == {POPULAR}
    assert 8 not in suggestions.anchor_item


def test_sensitive_lines_change_nothing_the_model_learns() -> None:
    base = blazer_world((0, 40.0, [BLAZER]), (0, 60.0, [SOAP]))
    sensitive = np.zeros(N_ITEMS, dtype=bool)
    sensitive[8] = True
    catalogue = Catalogue.plain(N_ITEMS, sensitive=sensitive)
    extra = orders(
        (0, 99.0, [8, SCARF]), (5, 99.0, [8, SUNHAT]), n_customers=base.n_customers, n_items=N_ITEMS
    )
    keep = extra.item == 8  # only the sensitive lines are added
    with_sensitive = Interactions.build(
        customer=np.r_[base.customer, extra.customer[keep]],
        item=np.r_[base.item, extra.item[keep]],
        day=np.r_[base.day, extra.day[keep]],
        basket=np.r_[base.basket, extra.basket[keep] + 1000],
        n_customers=base.n_customers,
        n_items=N_ITEMS,
    )

    plain_model = fit(base, catalogue, Config())
    model = fit(with_sensitive, catalogue, Config())

    assert (model.similarity != plain_model.similarity).nnz == 0
    np.testing.assert_array_equal(model.popularity, plain_model.popularity)
    np.testing.assert_array_equal(model.repeat_weights, plain_model.repeat_weights)
    assert model.fitted_at == plain_model.fitted_at == 90.0  # the sensitive lines' day 99 is ignored


def test_a_customer_without_history_gets_best_sellers_and_no_buy_again() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    suggestions = suggest(
        Interactions.build(
            customer=history.customer,
            item=history.item,
            day=history.day,
            basket=history.basket,
            n_customers=history.n_customers + 1,
            n_items=N_ITEMS,
        ),
        Catalogue.plain(N_ITEMS),
        [history.n_customers],
    )
    newcomer = history.n_customers
    assert items_of(suggestions, newcomer, BUY_AGAIN) == []
    assert items_of(suggestions, newcomer, DISCOVER)[0] == SOAP  # the best seller
    assert set(suggestions.reason.tolist()) == {POPULAR}


def test_a_new_arrival_from_a_brand_she_loves_says_so() -> None:
    history = blazer_world((0, 20.0, [BLAZER]), (0, 40.0, [SANDALS]))
    brand = np.full(N_ITEMS, 9, dtype=np.int32)
    brand[[BLAZER, SANDALS, 10]] = 3
    new_since = np.full(N_ITEMS, np.nan)
    new_since[10] = 90.0  # item 10 arrived ten days ago; nobody has bought it yet
    catalogue = Catalogue.plain(N_ITEMS, brand=brand, new_since=new_since)

    suggestions = suggest(history, catalogue, [0], k_discover=N_ITEMS)

    arrival = row_of(suggestions, 0, DISCOVER, 10)
    assert (arrival["reason"], arrival["reason_value"]) == (NEW_FROM_BRAND, 3)


def test_a_brand_she_says_she_likes_is_favoured_and_named() -> None:
    history = blazer_world((0, 40.0, [SOAP]))
    brand = np.arange(N_ITEMS, dtype=np.int32)
    catalogue = Catalogue.plain(N_ITEMS, brand=brand)
    likes = Preferences(liked_brands=pairs([0], [11]))  # item 11: brand 11, never bought by anyone

    suggestions = suggest(history, catalogue, [0], preferences=likes, k_discover=N_ITEMS)

    liked = row_of(suggestions, 0, DISCOVER, 11)
    assert (liked["reason"], liked["reason_value"]) == (BRAND_YOU_LOVE, 11)
    plain = suggest(history, catalogue, [0], k_discover=N_ITEMS)
    assert 11 not in plain.item


def test_back_in_stock_in_her_store_and_size_is_boosted_and_named() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    stock = Stock(
        store=np.array([1, 2], dtype=np.int32),
        item=np.array([SCARF, SUNHAT], dtype=np.int32),
        size=np.array([2, -1], dtype=np.int32),
        restocked_day=np.array([95.0, np.nan]),
    )
    catalogue = Catalogue.plain(N_ITEMS, stock=stock)
    hers = Preferences(store=pairs([0], [1]), sizes=pairs([0], [2]))
    other_size = Preferences(store=pairs([0], [1]), sizes=pairs([0], [4]))

    in_stock = suggest(history, catalogue, [0], preferences=hers)
    not_her_size = suggest(history, catalogue, [0], preferences=other_size)

    scarf = row_of(in_stock, 0, DISCOVER, SCARF)
    assert (scarf["reason"], scarf["reason_value"]) == (IN_STOCK, 2)
    elsewhere = row_of(not_her_size, 0, DISCOVER, SCARF)
    assert elsewhere["reason"] == GOES_WITH
    assert scarf["score"] == pytest.approx(elsewhere["score"] * (1 + Config().in_stock_boost), rel=1e-5)


def test_combined_merges_both_lists_by_score_and_every_list_is_ranked_from_one() -> None:
    history = blazer_world((0, 10.0, [SOAP]), (0, 40.0, [SOAP, BLAZER]), (0, 70.0, [SOAP]))

    suggestions = suggest(history, Catalogue.plain(N_ITEMS), [0])

    combined = items_of(suggestions, 0, COMBINED)
    assert combined[0] == SOAP
    assert SCARF in combined
    for which in (BUY_AGAIN, DISCOVER, COMBINED):
        rows = (suggestions.customer == 0) & (suggestions.list == which)
        assert sorted(suggestions.rank[rows].tolist()) == list(range(1, int(rows.sum()) + 1))
        scores = suggestions.score[rows][np.argsort(suggestions.rank[rows])]
        assert (np.diff(scores) <= 0).all()
    assert suggestions.model_version == MODEL_VERSION


def test_rows_come_sorted_by_customer_list_and_rank_whatever_order_customers_are_asked_in() -> None:
    history = blazer_world((0, 40.0, [BLAZER]), (1, 40.0, [SANDALS]))

    suggestions = suggest(history, Catalogue.plain(N_ITEMS), [3, 1, 0, 1])

    keys = list(zip(suggestions.customer, suggestions.list, suggestions.rank, strict=True))
    assert keys == sorted(keys)
    assert set(suggestions.customer.tolist()) == {0, 1, 3}


def test_anchor_day_is_nan_when_nothing_she_bought_explains_the_item() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    suggestions = suggest(history, Catalogue.plain(N_ITEMS), [0])
    popular = suggestions.reason == POPULAR
    assert popular.any()
    assert all(math.isnan(day) for day in suggestions.anchor_day[popular])
    assert (suggestions.anchor_item[popular] == -1).all()


def test_recommend_refuses_a_catalogue_of_another_size() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    model = fit(history, Catalogue.plain(N_ITEMS), Config())
    with pytest.raises(ValueError, match="fitted on 12 items"):
        model.recommend(np.array([0]), history, Catalogue.plain(N_ITEMS + 1))


def test_recommend_refuses_an_unknown_customer_index() -> None:
    history = blazer_world((0, 40.0, [BLAZER]))
    model = fit(history, Catalogue.plain(N_ITEMS), Config())
    with pytest.raises(ValueError, match="outside"):
        model.recommend(np.array([history.n_customers]), history, Catalogue.plain(N_ITEMS))


def test_interactions_refuse_columns_of_different_lengths() -> None:
    with pytest.raises(ValueError, match=r"Interactions\.item has 1 rows"):
        Interactions.build(customer=[0, 0], item=[1], day=[1.0, 2.0], basket=[0, 0], n_items=2)


def test_with_shared_places_the_lists_split_ten_places_as_her_combined_ranking_does() -> None:
    # She buys four things again and again; the crowd gives her plenty to discover.
    staples = [SOAP, SERUM, 6, 7]
    placed = [(0, float(day), staples) for day in (10, 30, 50, 70, 90)]
    history = orders(
        *placed,
        *crowd([[BLAZER, SCARF, SANDALS, SUNHAT, 8, 9, 10, 11]], first_customer=1, times=30, day=80.0),
        n_items=N_ITEMS,
    )
    shared = suggest(history, Catalogue.plain(N_ITEMS), [0], min_per_list=3)
    fixed = suggest(history, Catalogue.plain(N_ITEMS), [0])

    assert len(items_of(fixed, 0, BUY_AGAIN)) == 4
    assert len(items_of(fixed, 0, DISCOVER)) == 5
    assert sorted(items_of(shared, 0, BUY_AGAIN)) == sorted(staples)
    assert len(items_of(shared, 0, DISCOVER)) == 6  # ten places: her four staples, then new things
    assert items_of(shared, 0, COMBINED)[:4] == items_of(shared, 0, BUY_AGAIN)


def test_with_shared_places_each_list_keeps_its_floor() -> None:
    # Nine things she rebuys: her combined ten is all Buy again, yet Discover keeps three places.
    staples = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    placed = [(0, float(day), staples) for day in (10, 30, 50, 70, 90)]
    history = orders(*placed, *crowd([[9, 10, 11]], first_customer=1, times=30, day=80.0), n_items=N_ITEMS)

    shared = suggest(history, Catalogue.plain(N_ITEMS), [0], min_per_list=3)

    assert len(items_of(shared, 0, BUY_AGAIN)) == 7
    assert items_of(shared, 0, DISCOVER) == [9, 10, 11]
