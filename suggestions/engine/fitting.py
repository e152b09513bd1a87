"""The two regressions the engine learns with: a ridge logistic one and a conditional logit.

A score that only has to rank one customer's candidates is learnt as a conditional logit (a softmax
over each customer's own candidates): it learns how items compare for one customer, not who buys
more. How likely the best of them is then comes from a logistic regression of that score with her
own terms (calibration), so scores of different lists and customers mean the same thing.
"""

import numpy as np
from scipy.optimize import minimize  # type: ignore[import-untyped]

from suggestions.engine.types import FloatArray, LongArray

NEWTON_STEPS = 25
HALVINGS = 20
RANKING_RIDGE = 1.0
"""Pull of a conditional logit's weights (in standard deviations of each feature) to its prior."""


def sigmoid(z: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def ridge_logistic(x: FloatArray, y: FloatArray, *, prior: FloatArray, strength: float) -> FloatArray:
    """Newton's method on logloss + strength * |w - prior|² (the intercept included), each step halved
    until the objective falls (a start far from the optimum would otherwise overshoot)."""
    design = np.column_stack([x, np.ones(len(x))])
    weights = prior.copy()
    eye = np.eye(len(weights))

    def objective(w: FloatArray) -> float:
        z = design @ w
        loss = np.logaddexp(0.0, z).sum() - float(y @ z)  # Σ log(1 + e^z) - y z, stably
        return float(loss + strength * np.sum((w - prior) ** 2))

    current = objective(weights)
    for _ in range(NEWTON_STEPS):
        p = sigmoid(design @ weights)
        gradient = design.T @ (p - y) + 2 * strength * (weights - prior)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 2 * strength * eye
        step = np.linalg.solve(hessian, gradient)
        for _ in range(HALVINGS):
            trial = objective(weights - step)
            if trial <= current:
                break
            step = step / 2
        else:
            break
        weights = weights - step
        current = trial
        if np.abs(step).max() < 1e-5:
            break
    return weights


def conditional_logit(x: FloatArray, y: FloatArray, rows: LongArray, *, prior: FloatArray) -> FloatArray:
    """The weights of a softmax of ``y`` over the candidates of each row (``rows`` ascending), ridge-
    pulled towards ``prior``; rows without a positive teach nothing and are left out."""
    n_rows = int(rows.max(initial=-1)) + 1
    positives = np.bincount(rows, weights=y, minlength=n_rows)
    keep = positives[rows] > 0
    x, y, rows = x[keep], y[keep], rows[keep]
    if not len(rows) or y.sum() == len(y):
        return prior.copy()
    _, rows = np.unique(rows, return_inverse=True)
    n_rows = int(rows.max()) + 1
    positives = np.bincount(rows, weights=y, minlength=n_rows)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    scale = x.std(axis=0) + 1e-9  # optimised in standardised units, returned in raw ones
    z = x / scale
    start = prior * scale

    def loss(w: FloatArray) -> tuple[float, FloatArray]:
        logit = z @ w
        top = np.maximum.reduceat(logit, starts)
        e = np.exp(logit - top[rows])
        total = np.bincount(rows, weights=e, minlength=n_rows)
        value = float(positives @ (np.log(total) + top) - y @ logit)
        p = e / total[rows]
        gradient = z.T @ (positives[rows] * p - y) + 2 * RANKING_RIDGE * (w - start)
        return value + RANKING_RIDGE * float(np.sum((w - start) ** 2)), gradient

    found = minimize(loss, start, jac=True, method="L-BFGS-B")
    weights: FloatArray = found.x / scale
    return weights
