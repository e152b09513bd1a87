"""Which items are bought again, and how often, learnt from the histories unless the retailer says."""

import math

import numpy as np
import pytest

from suggestions.engine import BUY_AGAIN, Catalogue, Config
from suggestions.engine.history import build_profile, signal_lines
from suggestions.engine.model import fit
from suggestions.engine.replenishment import Cycles, eligible, learn
from tests.suggestions.engine.builders import Order, items_of, orders, suggest

SOAP, DRESS, SCARF, TIGHTS = 0, 1, 2, 3
N_ITEMS = 6
UNKNOWN = np.zeros(N_ITEMS, dtype=bool)
"""The retailer said nothing: every item is learnt."""


def shoppers(count: int, *, first: int, every: float, items: list[int], again: list[int]) -> list[Order]:
    """``count`` customers each buying ``items`` on day 0 and coming back ``every`` days later (and
    twice that) for ``again``, plus a scarf so that every one of them comes back."""
    placed: list[Order] = []
    for who in range(first, first + count):
        placed.append((who, 0.0, items))
        placed.append((who, every, [*again, SCARF]))
        placed.append((who, 2 * every, [*again, SCARF]))
    return placed


def cycles_of(*placed: Order, category: list[int] | None = None, **config: object) -> Cycles:
    history = orders(*placed, n_items=N_ITEMS)
    categories = np.asarray(category if category is not None else [0] * N_ITEMS, dtype=np.int32)
    lines = signal_lines(history, np.zeros(N_ITEMS, dtype=bool))
    profile = build_profile(lines, n_items=N_ITEMS, basket_decay=0.9)
    return learn(profile, lines, categories, Config(**config))  # type: ignore[arg-type]


def test_what_most_buyers_buy_again_is_bought_again_and_what_nobody_does_is_not() -> None:
    placed = shoppers(200, first=0, every=14.0, items=[SOAP, DRESS], again=[SOAP])
    cycles = cycles_of(*placed, category=[0, 1, 2, 3, 0, 0])

    assert cycles.repeat_share[SOAP] > 0.9
    assert cycles.repeat_share[DRESS] < 0.1
    assert cycles.buyers[SOAP] == cycles.buyers[DRESS] == 200
    catalogue = Catalogue.plain(N_ITEMS, replenishable=False, replenishable_known=UNKNOWN)
    learnt = eligible(cycles, catalogue, Config())
    assert learnt[SOAP]
    assert not learnt[DRESS]


def test_the_interval_is_the_typical_gap_between_two_of_her_orders_holding_it() -> None:
    placed = shoppers(20, first=0, every=14.0, items=[SOAP], again=[SOAP])
    placed += shoppers(20, first=20, every=60.0, items=[TIGHTS], again=[TIGHTS])

    cycles = cycles_of(*placed, category=[0, 0, 1, 2, 0, 0], replenish_shrink=1.0)

    assert cycles.interval_days[SOAP] == pytest.approx(14.0, rel=0.1)
    assert cycles.interval_days[TIGHTS] == pytest.approx(60.0, rel=0.1)


def test_an_item_with_few_buyers_behaves_like_its_category() -> None:
    # Soap's category is bought again by all; the dress's by none. One buyer each of a new soap and
    # a new dress, who both bought their item twice.
    new_soap, new_dress = 4, 5
    placed = shoppers(300, first=0, every=14.0, items=[SOAP, DRESS], again=[SOAP])
    placed += [(300, 0.0, [new_soap, new_dress]), (300, 30.0, [new_soap, new_dress])]
    category = [0, 1, 2, 3, 0, 1]

    cycles = cycles_of(*placed, category=category)

    assert cycles.repeat_share[new_soap] > 0.5
    assert cycles.repeat_share[new_dress] < Config().replenish_min_share
    # Her one gap of 30 days hardly moves the new dress from its category's (soap's 14 days, since no
    # dress was ever bought twice).
    assert cycles.interval_days[new_dress] == pytest.approx(cycles.interval_days[DRESS], rel=0.1)
    assert cycles.interval_days[DRESS] == pytest.approx(cycles.interval_days[SCARF], rel=0.5)


def test_the_retailers_word_wins_both_ways() -> None:
    cycles = cycles_of(*shoppers(30, first=0, every=14.0, items=[SOAP, DRESS], again=[SOAP]))
    said = np.zeros(N_ITEMS, dtype=bool)
    said[[SOAP, DRESS]] = True
    catalogue = Catalogue.plain(
        N_ITEMS, replenishable=[False, True, False, False, False, False], replenishable_known=said
    )

    result = eligible(cycles, catalogue, Config())

    assert not result[SOAP]
    assert result[DRESS]


def test_nothing_bought_twice_anywhere_has_no_interval() -> None:
    cycles = cycles_of((0, 0.0, [SOAP]), (1, 5.0, [DRESS]))

    assert math.isnan(cycles.interval_days[SOAP])
    assert math.isnan(cycles.interval_days[DRESS])
    assert (cycles.repeat_share == 0).all()


def test_after_an_import_that_says_nothing_buy_again_holds_what_is_bought_again() -> None:
    placed = shoppers(200, first=1, every=14.0, items=[SOAP, DRESS], again=[SOAP])
    placed += [(0, 60.0, [SOAP, DRESS]), (0, 80.0, [SCARF])]
    history = orders(*placed, n_items=N_ITEMS)
    catalogue = Catalogue.plain(
        N_ITEMS, category=[0, 1, 2, 3, 0, 0], replenishable=False, replenishable_known=UNKNOWN
    )

    suggestions = suggest(history, catalogue, [0])

    assert SOAP in items_of(suggestions, 0, BUY_AGAIN)
    assert DRESS not in items_of(suggestions, 0, BUY_AGAIN)


def test_the_learnt_cycles_are_kept_with_the_model() -> None:
    history = orders(*shoppers(30, first=0, every=14.0, items=[SOAP], again=[SOAP]), n_items=N_ITEMS)

    model = fit(history, Catalogue.plain(N_ITEMS), Config(now=100.0))

    assert model.interval_days is not None
    assert model.interval_days[SOAP] == pytest.approx(14.0, rel=0.1)
    assert model.cycles().buyers[SOAP] == 30
