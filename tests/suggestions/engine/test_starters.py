"""A customer with no history: her store's best sellers, the season's, what she told us, in her
store's price band, each named truthfully (``suggestions.engine.starters``)."""

import numpy as np

from suggestions.engine import (
    BUY_AGAIN,
    CATEGORY_YOU_LIKE,
    DISCOVER,
    IN_SEASON,
    IN_YOUR_SIZE,
    POPULAR_AT_STORE,
    Catalogue,
    Interactions,
    Preferences,
    Stock,
)
from tests.suggestions.engine.builders import items_of, row_of, suggest

# Day 100 is today. Store 1 sells jackets now; store 2 sells scarves; the chain's online best seller is
# a cheap wine; a year ago, in these weeks, store 1 sold coats.
JACKET, SCARF, WINE, GOWN, COAT, SHIRT, DRESS, PERFUME = range(8)
N_ITEMS = 8
PRICE = [50.0, 60.0, 5.0, 500.0, 55.0, 45.0, 50.0, 52.0]
CATEGORY = [0, 1, 2, 0, 3, 4, 7, 5]
NEWCOMERS = 4  # customers 0-3 have no orders


def _world(*, with_stores: bool = True, her_orders: tuple[tuple[float, int, int], ...] = ()) -> Interactions:
    """One customer per order of the population; customers 0-3 buy nothing, except customer 0's
    ``her_orders`` (day, store, item)."""
    placed: list[tuple[float, int, int]] = list(her_orders)
    placed += [(95.0, 1, JACKET)] * 20 + [(90.0, 1, SHIRT)] * 10 + [(60.0, 1, GOWN)] * 2
    placed += [(92.0, 2, SCARF)] * 30
    placed += [(98.0, -1, WINE)] * 40 + [(97.0, -1, DRESS)] * 3
    placed += [(100.0 - 365.0 + 10.0, 1, COAT)] * 10  # this season, a year ago
    placed += [(99.0, 1, PERFUME)] * 25
    others = len(placed) - len(her_orders)
    customer = [0] * len(her_orders) + list(range(NEWCOMERS, NEWCOMERS + others))
    return Interactions.build(
        customer=customer,
        item=[item for _, _, item in placed],
        day=[day for day, _, _ in placed],
        basket=list(range(len(placed))),
        store=[store for _, store, _ in placed] if with_stores else None,
        n_items=N_ITEMS,
    )


def _catalogue(**extra: object) -> Catalogue:
    sensitive = np.zeros(N_ITEMS, dtype=bool)
    sensitive[PERFUME] = True
    return Catalogue.plain(
        N_ITEMS, price=PRICE, category=CATEGORY, sensitive=sensitive, replenishable=np.zeros(N_ITEMS), **extra
    )


def _pairs(customers: list[int], values: list[int]) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(customers, dtype=np.int32), np.asarray(values, dtype=np.int32))


def test_a_newcomer_is_shown_her_stores_best_sellers_within_its_price_band_and_the_season() -> None:
    home = Preferences(store=_pairs([0, 1], [1, 2]))

    shown = suggest(_world(), _catalogue(), [0, 1], preferences=home, k_discover=N_ITEMS)

    assert items_of(shown, 0, BUY_AGAIN) == []
    store_one = items_of(shown, 0, DISCOVER)
    assert store_one[0] == JACKET
    jacket = row_of(shown, 0, DISCOVER, JACKET)
    assert (jacket["reason"], jacket["reason_value"]) == (POPULAR_AT_STORE, 1)
    assert row_of(shown, 0, DISCOVER, COAT)["reason"] == IN_SEASON
    # Store 1's lines cost 45-55 in the middle: neither the £5 wine nor the £500 gown.
    assert WINE not in store_one
    assert GOWN not in store_one
    assert PERFUME not in store_one  # a sensitive best seller stays out
    assert items_of(shown, 1, DISCOVER)[0] == SCARF
    assert row_of(shown, 1, DISCOVER, SCARF)["reason_value"] == 2


def test_a_newcomer_is_shown_the_categories_she_likes_and_what_is_in_stock_in_her_size() -> None:
    stock = Stock(
        store=np.array([1], dtype=np.int32),
        item=np.array([SHIRT], dtype=np.int32),
        size=np.array([3], dtype=np.int32),
        restocked_day=np.array([np.nan]),
    )
    told = Preferences(
        store=_pairs([2], [1]), sizes=_pairs([2], [3]), liked_categories=_pairs([2], [CATEGORY[DRESS]])
    )

    shown = suggest(_world(), _catalogue(stock=stock), [2], preferences=told, k_discover=N_ITEMS)

    dress = row_of(shown, 2, DISCOVER, DRESS)
    assert (dress["reason"], dress["reason_value"]) == (CATEGORY_YOU_LIKE, CATEGORY[DRESS])
    shirt = row_of(shown, 2, DISCOVER, SHIRT)
    assert (shirt["reason"], shirt["reason_value"]) == (IN_YOUR_SIZE, 3)


def test_without_a_known_store_a_newcomer_gets_the_chains_price_band() -> None:
    shown = suggest(_world(), _catalogue(), [3], k_discover=N_ITEMS)

    chain = items_of(shown, 3, DISCOVER)
    assert chain
    assert GOWN not in chain
    assert PERFUME not in chain


def test_starters_change_nothing_for_a_customer_with_history() -> None:
    hers = ((80.0, 1, SCARF), (85.0, 1, DRESS))
    with_stores = suggest(_world(her_orders=hers), _catalogue(), [0], k_discover=N_ITEMS)
    without = suggest(
        _world(with_stores=False, her_orders=hers),
        Catalogue.plain(
            N_ITEMS, category=CATEGORY, sensitive=_catalogue().sensitive, replenishable=np.zeros(8)
        ),
        [0],
        k_discover=N_ITEMS,
    )

    assert items_of(with_stores, 0, DISCOVER) == items_of(without, 0, DISCOVER)
    assert np.allclose(with_stores.score, without.score)
