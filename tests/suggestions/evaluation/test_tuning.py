"""Choosing the baselines' hyper-parameters on the tune half: the best value wins, and nothing of the
report half's held-out orders can sway the choice."""

from dataclasses import replace

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from suggestions.engine import Interactions
from suggestions.evaluation.baselines import factorisation, frequency, item_neighbours, tifu
from suggestions.evaluation.baselines.frequency import TopFrequencyParams
from suggestions.evaluation.protocol import Holdout, last_order_holdout
from suggestions.evaluation.tuning import Best, Tuned, TuneSet, tune_set


def test_the_best_score_wins_and_the_first_of_equals_stays() -> None:
    best = Best("default")
    for params, score in [("a", 0.2), ("b", 0.5), ("c", 0.5), ("d", 0.1)]:
        best.offer(params, score)
    assert (best.params, best.score) == ("b", 0.5)


def test_the_search_picks_the_decay_that_ranks_her_next_order_first() -> None:
    # Every customer bought item 1 in her first two orders and item 2 in the third; her fourth, held
    # out, holds item 2 again. With one suggestion, only a decay below (sqrt 5 - 1) / 2 puts 2 first.
    rows = []
    for customer in range(6):
        for order, item in enumerate([1, 1, 2, 2]):
            rows.append((customer, customer * 4 + order, item, float(order)))
    interactions = Interactions.build(
        customer=[r[0] for r in rows],
        basket=[r[1] for r in rows],
        item=[r[2] for r in rows],
        day=[r[3] for r in rows],
        n_items=3,
    )
    holdout = last_order_holdout(interactions, np.array([f"c{n}" for n in range(6)]))
    everyone = tune_set(replace(holdout, tune=np.ones(6, dtype=bool)))

    tuned = frequency.search(everyone, 1)

    assert tuned.top == TopFrequencyParams(decay=0.6)  # the first of the grid below 0.618
    assert tuned.top_score == 1.0
    assert tuned.tried == len(frequency.DECAYS)


def shop(seed: int = 0, customers: int = 60) -> tuple[Interactions, np.ndarray]:
    """Customers of four tastes, each with a staple she rebuys, over three to six orders."""
    rng = np.random.default_rng(seed)
    rows = []
    basket = 0
    for customer in range(customers):
        taste = customer % 4
        for order in range(int(rng.integers(3, 7))):
            items = {24 + customer % 3} | {taste * 6 + int(n) for n in rng.integers(0, 6, 3)}
            rows += [(customer, basket, item, float(order * 7 + customer % 5)) for item in sorted(items)]
            basket += 1
    interactions = Interactions.build(
        customer=[r[0] for r in rows],
        basket=[r[1] for r in rows],
        item=[r[2] for r in rows],
        day=[r[3] for r in rows],
        n_items=30,
    )
    return interactions, np.array([f"customer-{n}" for n in range(customers)])


def held_out_rows(interactions: Interactions, holdout: Holdout, *, half_is_tune: bool) -> np.ndarray:
    """The rows of ``interactions`` in the held-out last orders of one half's customers."""
    held = ~np.isin(interactions.basket, holdout.train.basket)
    in_half = np.zeros(interactions.n_customers, dtype=bool)
    in_half[holdout.customers[holdout.tune == half_is_tune]] = True
    return np.flatnonzero(held & in_half[interactions.customer])


def with_other_items(interactions: Interactions, rows: np.ndarray, seed: int) -> Interactions:
    items = interactions.item.copy()
    shift = np.random.default_rng(seed).integers(1, interactions.n_items, len(rows))
    items[rows] = (items[rows] + shift) % interactions.n_items
    return replace(interactions, item=items.astype(np.int32))


def searches(tune: TuneSet) -> dict[str, Tuned[object]]:
    found: dict[str, Tuned[object]] = {
        "top_frequency": frequency.search(tune, 10),
        "item_knn": item_neighbours.search(tune, 10),
        "tifu_knn": tifu.search(tune, 10, tries=2),
    }
    try:
        factorisation.load_implicit()
    except ImportError:
        return found
    with threadpool_limits(1, "blas"):
        found["als"] = factorisation.search(tune, 10, threads=1, tries=4, refine=2)
    return found


def choices(tuned: Tuned[object]) -> tuple[object, ...]:
    return (tuned.top, tuned.explore, tuned.top_score, tuned.explore_score, tuned.tried)


def test_no_search_looks_at_the_report_halfs_held_out_orders() -> None:
    interactions, ids = shop()
    holdout = last_order_holdout(interactions, ids)
    assert holdout.tune.any()
    assert (~holdout.tune).any()
    report_rows = held_out_rows(interactions, holdout, half_is_tune=False)
    changed = last_order_holdout(with_other_items(interactions, report_rows, seed=1), ids)
    assert (changed.truth[~holdout.tune] != holdout.truth[~holdout.tune]).nnz > 0

    before = searches(tune_set(holdout))
    after = searches(tune_set(changed))

    for name, tuned in before.items():
        assert choices(after[name]) == choices(tuned), name


def test_the_tune_halfs_held_out_orders_do_sway_the_scores() -> None:
    # The counterpart of the test above: the same change on the tune half is seen.
    interactions, ids = shop()
    holdout = last_order_holdout(interactions, ids)
    tune_rows = held_out_rows(interactions, holdout, half_is_tune=True)
    changed = last_order_holdout(with_other_items(interactions, tune_rows, seed=1), ids)

    before = frequency.search(tune_set(holdout), 10)
    after = frequency.search(tune_set(changed), 10)

    assert after.top_score != pytest.approx(before.top_score)
