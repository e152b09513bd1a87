"""The baselines on a history small enough to know their answers."""

import numpy as np

from suggestions.engine import Interactions
from suggestions.evaluation import baselines


def history() -> Interactions:
    # Item 0 is the best seller; customer 0 buys item 3 twice and item 4 once; 1 and 2 pair 1 with 2.
    rows = [
        (0, 0, 3),
        (0, 1, 3),
        (0, 1, 4),
        (1, 2, 1),
        (1, 2, 2),
        (2, 3, 1),
        (2, 3, 2),
        (1, 4, 0),
        (2, 5, 0),
        (3, 6, 0),
    ]
    return Interactions.build(
        customer=[row[0] for row in rows],
        basket=[row[1] for row in rows],
        item=[row[2] for row in rows],
        day=[float(row[1]) for row in rows],
        n_items=6,
    )


def test_popularity_ranks_items_by_orders_holding_them() -> None:
    top = baselines.popularity(history(), np.array([0, 3]), 3)
    assert top.tolist() == [[0, 1, 2], [0, 1, 2]]


def test_personal_top_frequency_puts_her_items_first_then_fills_with_popular_ones() -> None:
    top = baselines.personal_top_frequency(history(), np.array([0]), 4)
    assert top.tolist() == [[3, 4, 0, 1]]


def test_popular_unbought_leaves_out_what_she_bought() -> None:
    top = baselines.popular_unbought(history(), np.array([1]), 2)
    assert top.tolist() == [[3, 4]]  # 0, 1 and 2 are hers; 3 is in two orders, 4 in one


def test_item_knn_suggests_what_is_bought_with_her_items() -> None:
    customers = np.array([3])
    interactions = history()
    # Customer 3 only bought item 0, which customers 1 and 2 bought along with 1 and 2.
    top = baselines.item_knn(interactions, customers, 3)
    assert top[0, 0] == 0
    assert set(top[0, 1:].tolist()) == {1, 2}
    explore = baselines.item_knn(interactions, customers, 3, exclude_bought=True)
    assert 0 not in explore[0]
    assert set(explore[0, :2].tolist()) == {1, 2}
