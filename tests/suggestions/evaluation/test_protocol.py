"""The last-order protocol: what is held out, what stays for training, how customers are split."""

import numpy as np

from suggestions.engine import Interactions
from suggestions.evaluation.protocol import last_order_holdout, tune_half

IDS = np.array(["ann", "bob", "cat"])


def history() -> Interactions:
    # ann: 3 orders (the last two on the same day); bob: 2 orders; cat: 4 orders, an item twice.
    rows = [
        # customer, order, item, day
        (0, 0, 1, 10.0),
        (0, 1, 2, 20.0),
        (0, 2, 3, 30.0),
        (0, 3, 4, 30.0),  # same day as order 2, greater order id: this is ann's last order
        (0, 3, 1, 30.0),
        (1, 4, 1, 5.0),
        (1, 5, 2, 50.0),
        (2, 6, 5, 1.0),
        (2, 7, 5, 2.0),
        (2, 8, 6, 3.0),
        (2, 9, 5, 4.0),
        (2, 9, 5, 4.0),
        (2, 9, 7, 4.0),
    ]
    return Interactions.build(
        customer=[row[0] for row in rows],
        basket=[row[1] for row in rows],
        item=[row[2] for row in rows],
        day=[row[3] for row in rows],
        n_customers=3,
        n_items=8,
    )


def test_each_customer_with_three_orders_loses_her_last_order_to_the_test() -> None:
    holdout = last_order_holdout(history(), IDS)

    assert holdout.customers.tolist() == [0, 2]
    assert holdout.truth.toarray()[0].nonzero()[0].tolist() == [1, 4]  # ann's order 3
    assert holdout.truth.toarray()[1].nonzero()[0].tolist() == [5, 7]  # cat's order 9, item 5 once
    assert not np.isin(holdout.train.basket, [3, 9]).any()


def test_everything_else_stays_for_training_including_customers_with_fewer_orders() -> None:
    holdout = last_order_holdout(history(), IDS)

    assert sorted(set(holdout.train.basket.tolist())) == [0, 1, 2, 4, 5, 6, 7, 8]
    assert holdout.train.n_customers == 3
    assert holdout.seen.toarray()[0].nonzero()[0].tolist() == [1, 2, 3]  # ann bought 1, 2, 3 before
    assert holdout.seen.toarray()[1].nonzero()[0].tolist() == [5, 6]


def test_the_split_of_customers_is_a_fixed_hash_of_their_own_ids() -> None:
    first = tune_half(np.array([f"customer-{n}" for n in range(1000)]))
    again = tune_half(np.array([f"customer-{n}" for n in range(1000)]))

    assert (first == again).all()
    assert 400 < first.sum() < 600


def test_limit_customers_evaluates_only_that_many() -> None:
    holdout = last_order_holdout(history(), IDS, limit_customers=1)
    assert len(holdout.customers) == 1
    assert holdout.truth.shape == (1, 8)
