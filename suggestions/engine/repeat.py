"""How likely her next order holds an item she bought before: a model the engine learns.

Which of her items comes first is a score linear in features of (customer, item), all from her
signal history and the population's statistics:

    log decayed share   log Σ_{her orders ∋ i} decay**recency / Σ_{her orders} decay**recency
    log share           log (her orders holding i / her orders)
    log repeat rate     log of the item's population repeat rate
    log trend           log (popularity now, half-life ``popularity_half_life_days``)
    log popularity      log (lifetime popularity)
    log orders since    log (1 + her orders placed since she last bought it)
    and log orders since and log share, each times log (her orders): how much recency and habit
    tell grows with her history

learnt as a conditional logit over each customer's own items (``fitting``): it learns how her items
compare, not which customers buy more. How likely the item is then comes from a logistic regression
of that score with log (her orders) and log (her distinct items per order): the calibration that
keeps a repeat score a probability for Combined.

Both are learnt in ``fit`` from the data itself: for a sample of customers with two or more orders,
the latest order is hidden, the population statistics recomputed without those orders (no leak),
and the models predict which of her items it held. Each regression is pulled towards
``DEFAULT_WEIGHTS`` (learnt this way on Online Retail), so a small shop gets sensible ones.
"""

import numpy as np
import numpy.typing as npt

from suggestions.engine import population
from suggestions.engine.fitting import conditional_logit, ridge_logistic, sigmoid
from suggestions.engine.history import Lines, Profile, build_profile, without_latest_order
from suggestions.engine.types import Config, FloatArray

FEATURES = (
    "log_decayed_share",
    "log_share",
    "log_repeat_rate",
    "log_trend",
    "log_popularity",
    "log_orders_since",
    "log_orders_since x log_orders",
    "log_share x log_orders",
)
"""What ranks her items; ``Model.repeat_weights`` holds one weight each, then ``CALIBRATION``'s."""
CALIBRATION = ("rank_score", "log_orders", "log_basket")
"""What turns the rank score into a probability: one weight each, then the intercept."""
DEFAULT_WEIGHTS = np.array([0.01, 0.67, 0.31, 0.42, -0.19, -0.37, 0.01, -0.07, 1.24, 0.39, 0.08, -0.33])
"""``FEATURES``' weights, then ``CALIBRATION``'s and the intercept."""
POPULARITY_FLOOR = 1e-3
RATE_FLOOR = 1e-4
MIN_POSITIVES = 20


def features(
    profile: Profile,
    rows: npt.NDArray[np.integer] | slice,
    *,
    repeat_rate: FloatArray,
    trend: FloatArray,
    lifetime: FloatArray,
) -> FloatArray:
    """The ranking features (len x len(FEATURES)) of the profile entries at ``rows``."""
    customer = profile.customer[rows]
    item = profile.item[rows]
    log_orders = np.log(profile.orders[customer].astype(np.float64))
    log_share = np.log(profile.times[rows]) - log_orders
    log_since = np.log1p(profile.last_recency[rows].astype(np.float64))
    return np.column_stack(
        [
            np.log(profile.weight[rows] / profile.total_weight[customer]),
            log_share,
            np.log(repeat_rate[item] + RATE_FLOOR),
            np.log(trend[item] + POPULARITY_FLOOR),
            np.log(lifetime[item] + POPULARITY_FLOOR),
            log_since,
            log_since * log_orders,
            log_share * log_orders,
        ]
    )


def basket_sizes(
    customer: npt.NDArray[np.integer], times: npt.NDArray[np.integer], orders: npt.NDArray[np.integer]
) -> FloatArray:
    """Per customer (``orders``' length): her distinct items per order, from her entries' ``customer``
    and ``times`` (orders holding the item); 1 for a customer without any."""
    lines = np.bincount(customer, weights=times, minlength=len(orders))
    return np.maximum(lines / np.maximum(orders, 1), 1.0)


def learn_weights(lines: Lines, n_customers: int, n_items: int, config: Config, now: float) -> FloatArray:
    """Fit the weights on the data's own latest orders (see the module docstring)."""
    eligible = np.flatnonzero(lines.orders >= 2)
    if len(eligible) > config.repeat_training_customers:
        rng = np.random.default_rng(config.seed)
        eligible = np.sort(rng.choice(eligible, config.repeat_training_customers, replace=False))
    sampled = np.zeros(n_customers, dtype=bool)
    sampled[eligible] = True
    history, held = without_latest_order(lines, sampled)
    if not held.any() or not len(history.item):
        return DEFAULT_WEIGHTS.copy()
    profile = build_profile(history, n_items=n_items, basket_decay=config.basket_decay)
    trend = population.popularity(history, n_items, now=now, half_life_days=config.popularity_half_life_days)
    lifetime = population.popularity(history, n_items, now=now, half_life_days=np.inf)
    rows = np.flatnonzero(sampled[profile.customer])
    x = features(
        profile, rows, repeat_rate=population.repeat_rates(profile, n_items), trend=trend, lifetime=lifetime
    )
    targets = np.unique(lines.customer[held].astype(np.int64) * n_items + lines.item[held])
    keys = profile.customer[rows].astype(np.int64) * n_items + profile.item[rows]
    y = np.isin(keys, targets).astype(np.float64)
    if y.sum() < MIN_POSITIVES or y.sum() == len(y):
        return DEFAULT_WEIGHTS.copy()
    n_ranking = len(FEATURES)
    ranking = conditional_logit(
        x, y, profile.customer[rows].astype(np.int64), prior=DEFAULT_WEIGHTS[:n_ranking]
    )
    basket = basket_sizes(profile.customer, profile.times, profile.orders)
    customer = profile.customer[rows]
    calibrated = calibration_features(
        x @ ranking, orders=profile.orders[customer].astype(np.float64), basket=basket[customer]
    )
    calibration = ridge_logistic(
        calibrated, y, prior=DEFAULT_WEIGHTS[n_ranking:], strength=config.repeat_ridge
    )
    return np.r_[ranking, calibration]


def calibration_features(rank_score: FloatArray, *, orders: FloatArray, basket: FloatArray) -> FloatArray:
    """``CALIBRATION`` per entry (``orders`` and ``basket``, her distinct items per order, per entry)."""
    return np.column_stack([rank_score, np.log(np.maximum(orders, 1.0)), np.log(basket)])


def probability(x: FloatArray, weights: FloatArray) -> FloatArray:
    """A logistic model's probability: ``weights`` holds one per column of ``x``, then the intercept."""
    return sigmoid(x @ weights[:-1] + weights[-1])


def scores(
    profile: Profile,
    rows: npt.NDArray[np.integer] | slice,
    *,
    weights: FloatArray,
    repeat_rate: FloatArray,
    trend: FloatArray,
    lifetime: FloatArray,
    basket: FloatArray,
) -> FloatArray:
    """The chance (per the model) that her next order holds each profile entry at ``rows``
    (``basket``: her distinct items per order, per entry)."""
    x = features(profile, rows, repeat_rate=repeat_rate, trend=trend, lifetime=lifetime)
    ranking, calibration = weights[: len(FEATURES)], weights[len(FEATURES) :]
    orders = profile.orders[profile.customer[rows]].astype(np.float64)
    return probability(calibration_features(x @ ranking, orders=orders, basket=basket), calibration)
