"""The engine's regressions: a ridge logistic one that converges from any start, and a conditional
logit that learns only how one customer's candidates compare."""

import numpy as np

from suggestions.engine.fitting import conditional_logit, ridge_logistic, sigmoid


def test_the_logistic_fit_reaches_the_same_optimum_from_a_start_far_from_it() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 2))
    y = (rng.random(2000) < sigmoid(1.5 * x[:, 0] - 3.0)).astype(float)

    near = ridge_logistic(x, y, prior=np.array([1.5, 0.0, -3.0]), strength=1e-6)
    far = ridge_logistic(x, y, prior=np.array([40.0, -40.0, 30.0]), strength=1e-6)

    np.testing.assert_allclose(far, near, atol=1e-3)
    assert 1.0 < near[0] < 2.0


def test_the_conditional_logit_ignores_what_is_the_same_for_all_of_one_customers_candidates() -> None:
    rng = np.random.default_rng(4)
    n_rows, per_row = 300, 8
    rows = np.repeat(np.arange(n_rows), per_row)
    within = rng.normal(size=len(rows))
    # A customer-level value: the same for all her candidates, and tied to how many she buys.
    level = np.repeat(rng.normal(size=n_rows), per_row)
    y = (rng.random(len(rows)) < sigmoid(2.0 * within + 1.5 * level - 2.0)).astype(float)

    weights = conditional_logit(np.column_stack([within, level]), y, rows, prior=np.zeros(2))

    assert weights[0] > 0.5  # a softmax's weight, not the logistic one it was drawn with
    assert abs(weights[1]) < 1e-6


def test_customers_without_a_positive_teach_the_conditional_logit_nothing() -> None:
    rows = np.repeat(np.arange(3), 2)
    x = np.array([[1.0], [0.0], [5.0], [-5.0], [3.0], [1.0]])
    y = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    without_them = conditional_logit(x[:2], y[:2], rows[:2], prior=np.zeros(1))

    np.testing.assert_allclose(conditional_logit(x, y, rows, prior=np.zeros(1)), without_them)
