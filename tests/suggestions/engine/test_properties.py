"""Whatever the data: the rules hold and the lists are well formed (hypothesis)."""

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suggestions.engine import (
    BUY_AGAIN,
    COMBINED,
    DISCOVER,
    Catalogue,
    Config,
    Interactions,
    Preferences,
    Stock,
    Suggestions,
)
from suggestions.engine.model import fit


@dataclass(frozen=True)
class World:
    interactions: Interactions
    catalogue: Catalogue
    preferences: Preferences
    config: Config
    customers: np.ndarray


def _pairs(
    draw: st.DrawFn, n_customers: int, values: st.SearchStrategy[int]
) -> tuple[np.ndarray, np.ndarray]:
    chosen = draw(st.lists(st.tuples(st.integers(0, n_customers - 1), values), max_size=6))
    return (
        np.array([who for who, _ in chosen], dtype=np.int32),
        np.array([what for _, what in chosen], dtype=np.int32),
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_customers = draw(st.integers(1, 6))
    n_items = draw(st.integers(1, 10))
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_customers - 1),  # customer
                st.integers(0, 4),  # her order number
                st.integers(0, n_items - 1),  # item
                st.integers(0, 120),  # day
            ),
            max_size=50,
        )
    )
    customer = np.array([line[0] for line in lines], dtype=np.int32)
    basket = np.array([line[0] * 10 + line[1] for line in lines], dtype=np.int64)
    # One day per order: the first drawn for it.
    first_day: dict[int, float] = {}
    for key, line in zip(basket.tolist(), lines, strict=True):
        first_day.setdefault(key, float(line[3]))
    interactions = Interactions(
        customer=customer,
        item=np.array([line[2] for line in lines], dtype=np.int32),
        day=np.array([first_day[key] for key in basket.tolist()], dtype=np.float64),
        quantity=np.ones(len(lines), dtype=np.float32),
        basket=basket,
        n_customers=n_customers,
        n_items=n_items,
    )
    flags = st.lists(st.booleans(), min_size=n_items, max_size=n_items)
    rarely = st.lists(st.sampled_from([False, False, False, True]), min_size=n_items, max_size=n_items)
    mostly = st.lists(st.sampled_from([True, True, True, False]), min_size=n_items, max_size=n_items)
    small = st.lists(st.integers(-1, 2), min_size=n_items, max_size=n_items)
    stock = None
    if draw(st.booleans()):
        rows = draw(
            st.lists(
                st.tuples(
                    st.integers(0, 1), st.integers(0, n_items - 1), st.integers(-1, 2), st.integers(0, 120)
                ),
                max_size=8,
            )
        )
        stock = Stock(
            store=np.array([row[0] for row in rows], dtype=np.int32),
            item=np.array([row[1] for row in rows], dtype=np.int32),
            size=np.array([row[2] for row in rows], dtype=np.int32),
            restocked_day=np.array([float(row[3]) for row in rows]),
        )
    catalogue = Catalogue.plain(
        n_items,
        category=[max(value, 0) for value in draw(small)],
        brand=draw(small),
        colour=draw(small),
        sensitive=draw(rarely),
        replenishable=draw(flags),
        suggestable=draw(mostly),
        new_since=[
            float(day) if day >= 0 else math.nan
            for day in draw(st.lists(st.integers(-1, 120), min_size=n_items, max_size=n_items))
        ],
        in_stock=draw(flags) if draw(st.booleans()) else None,
        stock=stock,
    )
    dismissed = draw(
        st.lists(
            st.tuples(st.integers(0, n_customers - 1), st.integers(0, n_items - 1), st.integers(0, 150)),
            max_size=6,
        )
    )
    values = st.integers(-1, 2)
    preferences = Preferences(
        liked_brands=_pairs(draw, n_customers, values),
        liked_categories=_pairs(draw, n_customers, values),
        liked_colours=_pairs(draw, n_customers, values),
        disliked_brands=_pairs(draw, n_customers, values),
        disliked_categories=_pairs(draw, n_customers, values),
        disliked_colours=_pairs(draw, n_customers, values),
        dismissed=(
            np.array([row[0] for row in dismissed], dtype=np.int32),
            np.array([row[1] for row in dismissed], dtype=np.int32),
            np.array([float(row[2]) for row in dismissed]),
        ),
        store=_pairs(draw, n_customers, st.integers(0, 1)),
        sizes=_pairs(draw, n_customers, st.integers(0, 2)),
    )
    config = Config(
        k_buy_again=draw(st.integers(0, 4)),
        k_discover=draw(st.integers(1, 4)),
        k_combined=draw(st.integers(1, 6)),
        max_per_category=draw(st.integers(0, 3)),
        recent_days=float(draw(st.integers(0, 60))),
        dismiss_days=float(draw(st.integers(0, 120))),
        now=draw(st.sampled_from([math.nan, 60.0, 130.0])),
        batch_size=draw(st.integers(1, 4)),
        candidates=draw(st.integers(1, 5)),
    )
    customers = np.array(
        draw(st.lists(st.integers(0, n_customers - 1), min_size=1, max_size=8)), dtype=np.int64
    )
    return World(interactions, catalogue, preferences, config, customers)


def _recommend(world: World) -> Suggestions:
    model = fit(world.interactions, world.catalogue, world.config)
    return model.recommend(
        world.customers, world.interactions, world.catalogue, world.preferences, world.config
    )


def _holds(pairs: tuple[np.ndarray, np.ndarray], customer: int, value: int) -> bool:
    who, what = pairs
    return bool(((who == customer) & (what == value)).any())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_no_forbidden_item_is_ever_suggested(world: World) -> None:
    suggestions = _recommend(world)
    catalogue, preferences = world.catalogue, world.preferences
    now = world.config.now
    if math.isnan(now):
        signal = ~catalogue.sensitive[world.interactions.item]
        now = float(world.interactions.day[signal].max()) if signal.any() else 0.0
    bought = {
        (int(c), int(i)): float(d)
        for c, i, d in zip(
            world.interactions.customer, world.interactions.item, world.interactions.day, strict=True
        )
    }
    who, what, when = preferences.dismissed
    for customer, item, which in zip(suggestions.customer, suggestions.item, suggestions.list, strict=True):
        customer, item = int(customer), int(item)
        assert not catalogue.sensitive[item]
        assert catalogue.suggestable[item]
        assert not _holds(preferences.disliked_brands, customer, int(catalogue.brand[item]))
        assert not _holds(preferences.disliked_categories, customer, int(catalogue.category[item]))
        assert not _holds(preferences.disliked_colours, customer, int(catalogue.colour[item]))
        hidden = (who == customer) & (what == item) & ((now - when) < world.config.dismiss_days)
        assert not hidden.any()
        if (customer, item) in bought:
            assert catalogue.replenishable[item]
            assert which != DISCOVER
        else:
            assert which != BUY_AGAIN


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_lists_are_ranked_from_one_without_gaps_duplicates_or_excess(world: World) -> None:
    suggestions = _recommend(world)
    config = world.config
    sizes = {BUY_AGAIN: config.k_buy_again, DISCOVER: config.k_discover, COMBINED: config.k_combined}
    assert set(suggestions.customer.tolist()) <= set(world.customers.tolist())
    assert np.isfinite(suggestions.score).all()
    for customer in np.unique(suggestions.customer):
        for which, k in sizes.items():
            rows = (suggestions.customer == customer) & (suggestions.list == which)
            ranks = np.sort(suggestions.rank[rows])
            assert ranks.tolist() == list(range(1, len(ranks) + 1))
            assert len(ranks) <= k
            items = suggestions.item[rows]
            assert len(set(items.tolist())) == len(items)
            scores = suggestions.score[rows][np.argsort(suggestions.rank[rows])]
            assert (np.diff(scores) <= 0).all()
            if config.max_per_category > 0 and len(items):
                assert np.bincount(world.catalogue.category[items]).max() <= config.max_per_category


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_sensitive_purchases_change_nothing(world: World) -> None:
    """The same lists, reasons and scores with every sensitive line removed from the history."""
    keep = ~world.catalogue.sensitive[world.interactions.item]
    interactions = world.interactions
    without = Interactions(
        customer=interactions.customer[keep],
        item=interactions.item[keep],
        day=interactions.day[keep],
        quantity=interactions.quantity[keep],
        basket=interactions.basket[keep],
        n_customers=interactions.n_customers,
        n_items=interactions.n_items,
    )
    with_them = _recommend(world)
    without_them = _recommend(
        World(without, world.catalogue, world.preferences, world.config, world.customers)
    )
    for name in ("customer", "item", "rank", "list", "reason", "anchor_item", "reason_value", "times_bought"):
        np.testing.assert_array_equal(getattr(with_them, name), getattr(without_them, name), err_msg=name)
    np.testing.assert_array_equal(with_them.score, without_them.score)
    np.testing.assert_array_equal(with_them.anchor_day, without_them.anchor_day)
