"""The repeat model: learnt from the data's own latest orders, sensible when data is scarce."""

import numpy as np

from suggestions.engine import Catalogue, Config, Interactions
from suggestions.engine.history import signal_lines
from suggestions.engine.model import fit
from suggestions.engine.repeat import DEFAULT_WEIGHTS, FEATURES, learn_weights, ridge_logistic


def loyal_shoppers(n_customers: int = 400, seed: int = 0) -> Interactions:
    """Each customer has a staple (item c % 5) in every order, plus a random one-off (items 5..49)."""
    rng = np.random.default_rng(seed)
    customer, item, day, basket = [], [], [], []
    order = 0
    for who in range(n_customers):
        for visit in range(4):
            for product in (who % 5, int(rng.integers(5, 50))):
                customer.append(who)
                item.append(product)
                day.append(float(visit * 10 + who % 7))
                basket.append(order)
            order += 1
    return Interactions.build(customer=customer, item=item, day=day, basket=basket, n_items=50)


def test_a_shop_too_small_to_learn_from_keeps_the_default_weights() -> None:
    tiny = Interactions.build(
        customer=[0, 0, 1], item=[0, 0, 1], day=[1.0, 2.0, 3.0], basket=[0, 1, 2], n_items=2
    )
    lines = signal_lines(tiny, np.zeros(2, dtype=bool))
    weights = learn_weights(lines, 2, 2, Config(), now=3.0)
    np.testing.assert_array_equal(weights, DEFAULT_WEIGHTS)
    assert len(weights) == len(FEATURES) + 1


def test_the_weights_learnt_favour_what_she_buys_every_time() -> None:
    history = loyal_shoppers()
    model = fit(history, Catalogue.plain(50), Config(now=40.0))

    share = FEATURES.index("log_share")
    assert model.repeat_weights[share] > 0
    assert not np.array_equal(model.repeat_weights, DEFAULT_WEIGHTS)


def test_the_staple_comes_before_the_one_offs_in_buy_again() -> None:
    history = loyal_shoppers()
    model = fit(history, Catalogue.plain(50), Config(now=40.0))
    suggestions = model.recommend(np.arange(10), history, Catalogue.plain(50), config=Config(now=40.0))
    first = suggestions.item[(suggestions.list == 0) & (suggestions.rank == 1)]
    np.testing.assert_array_equal(first, np.arange(10) % 5)


def test_the_ridge_pulls_towards_the_prior_as_it_strengthens() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=500) > 0).astype(float)
    prior = np.array([0.0, 1.0, 0.0])

    free = ridge_logistic(x, y, prior=prior, strength=1e-6)
    held = ridge_logistic(x, y, prior=prior, strength=1e6)

    assert free[0] > 2.0  # the first feature decides
    np.testing.assert_allclose(held, prior, atol=1e-3)
