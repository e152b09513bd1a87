"""Tiny purchase histories written the way one would tell them, for tests with known answers."""

from collections.abc import Sequence

import numpy as np

from suggestions.engine import Catalogue, Config, Interactions, Preferences, Suggestions
from suggestions.engine.model import fit

Order = tuple[int, float, Sequence[int]]
"""(customer, day, items): one order."""


def orders(*placed: Order, n_customers: int | None = None, n_items: int) -> Interactions:
    """One line per item of each order; orders are numbered in the order given."""
    customer, item, day, basket = [], [], [], []
    for number, (who, when, what) in enumerate(placed):
        for product in what:
            customer.append(who)
            item.append(product)
            day.append(when)
            basket.append(number)
    return Interactions.build(
        customer=customer,
        item=item,
        day=day,
        basket=basket,
        n_customers=n_customers if n_customers is not None else max(who for who, _, _ in placed) + 1,
        n_items=n_items,
    )


def crowd(pairs: Sequence[Sequence[int]], *, first_customer: int, times: int, day: float) -> list[Order]:
    """``times`` customers (numbered from ``first_customer``) each buying every group of ``pairs``
    together in one order: the population's "bought together" statistics."""
    placed: list[Order] = []
    who = first_customer
    for _ in range(times):
        for group in pairs:
            placed.append((who, day, group))
            who += 1
    return placed


def suggest(
    interactions: Interactions,
    catalogue: Catalogue,
    customers: Sequence[int],
    *,
    preferences: Preferences | None = None,
    **config: object,
) -> Suggestions:
    """Fit and recommend; ``now`` is day 100 and there is no category cap unless ``config`` says."""
    settings = Config(**{"now": 100.0, "max_per_category": 0, **config})  # type: ignore[arg-type]
    model = fit(interactions, catalogue, settings)
    return model.recommend(np.asarray(customers), interactions, catalogue, preferences, settings)


def items_of(suggestions: Suggestions, customer: int, which: int) -> list[int]:
    """Her list ``which`` (BUY_AGAIN, DISCOVER, COMBINED) as item indices in rank order."""
    rows = (suggestions.customer == customer) & (suggestions.list == which)
    order = np.argsort(suggestions.rank[rows])
    return [int(item) for item in suggestions.item[rows][order]]


def row_of(suggestions: Suggestions, customer: int, which: int, item: int) -> dict[str, object]:
    """One suggestion as a dict of its fields."""
    rows = np.flatnonzero(
        (suggestions.customer == customer) & (suggestions.list == which) & (suggestions.item == item)
    )
    assert len(rows) == 1, f"item {item} is not (once) in list {which} of customer {customer}"
    at = rows[0]
    return {
        "rank": int(suggestions.rank[at]),
        "score": float(suggestions.score[at]),
        "reason": int(suggestions.reason[at]),
        "anchor_item": int(suggestions.anchor_item[at]),
        "anchor_day": float(suggestions.anchor_day[at]),
        "reason_value": int(suggestions.reason_value[at]),
        "times_bought": int(suggestions.times_bought[at]),
    }
