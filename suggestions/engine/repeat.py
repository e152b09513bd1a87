"""How likely her next order holds an item she bought before: a logistic model the engine learns.

Features of (customer, item), all from her signal history and the population's statistics:

    log decayed share   log Σ_{her orders ∋ i} decay**recency / Σ_{her orders} decay**recency
    log share           log (her orders holding i / her orders)
    log repeat rate     log of the item's population repeat rate
    log trend           log (popularity now, half-life ``popularity_half_life_days``)
    log popularity      log (lifetime popularity)
    log orders since    log (1 + her orders placed since she last bought it)
    log orders          log (her orders)

The weights are learnt in ``fit`` from the data itself: for a sample of customers with two or more
orders, the latest order is hidden, the population statistics recomputed without those orders (no
leak), and a ridge-regularised logistic regression predicts which of her items it held. The ridge pulls
towards ``DEFAULT_WEIGHTS`` (learnt this way on Online Retail), so a small shop gets sensible weights.
"""

import numpy as np
import numpy.typing as npt

from suggestions.engine import population
from suggestions.engine.history import Lines, Profile, build_profile, without_latest_order
from suggestions.engine.types import Config, FloatArray

FEATURES = (
    "log_decayed_share",
    "log_share",
    "log_repeat_rate",
    "log_trend",
    "log_popularity",
    "log_orders_since",
    "log_orders",
)
DEFAULT_WEIGHTS = np.array([0.0, 0.9, 0.4, 0.38, -0.15, -0.45, 0.64, -0.18])
"""One per feature, then the intercept."""
POPULARITY_FLOOR = 1e-3
RATE_FLOOR = 1e-4
NEWTON_STEPS = 25
MIN_POSITIVES = 20


def features(
    profile: Profile,
    rows: npt.NDArray[np.integer] | slice,
    *,
    repeat_rate: FloatArray,
    trend: FloatArray,
    lifetime: FloatArray,
) -> FloatArray:
    """The feature matrix (len x len(FEATURES)) of the profile entries at ``rows``."""
    customer = profile.customer[rows]
    item = profile.item[rows]
    orders = profile.orders[customer].astype(np.float64)
    return np.column_stack(
        [
            np.log(profile.weight[rows] / profile.total_weight[customer]),
            np.log(profile.times[rows] / orders),
            np.log(repeat_rate[item] + RATE_FLOOR),
            np.log(trend[item] + POPULARITY_FLOOR),
            np.log(lifetime[item] + POPULARITY_FLOOR),
            np.log1p(profile.last_recency[rows].astype(np.float64)),
            np.log(orders),
        ]
    )


def _sigmoid(z: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def probability(x: FloatArray, weights: FloatArray) -> FloatArray:
    return _sigmoid(x @ weights[:-1] + weights[-1])


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
    return ridge_logistic(x, y, prior=DEFAULT_WEIGHTS, strength=config.repeat_ridge)


def ridge_logistic(x: FloatArray, y: FloatArray, *, prior: FloatArray, strength: float) -> FloatArray:
    """Newton's method on logloss + strength * |w - prior|² (the intercept included)."""
    design = np.column_stack([x, np.ones(len(x))])
    weights = prior.copy()
    eye = np.eye(len(weights))
    for _ in range(NEWTON_STEPS):
        p = _sigmoid(design @ weights)
        gradient = design.T @ (p - y) + 2 * strength * (weights - prior)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 2 * strength * eye
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-5:
            break
    return weights


def scores(
    profile: Profile,
    rows: npt.NDArray[np.integer] | slice,
    *,
    weights: FloatArray,
    repeat_rate: FloatArray,
    trend: FloatArray,
    lifetime: FloatArray,
) -> FloatArray:
    """The chance (per the model) that her next order holds each profile entry at ``rows``."""
    x = features(profile, rows, repeat_rate=repeat_rate, trend=trend, lifetime=lifetime)
    return probability(x, weights)
