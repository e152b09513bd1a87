"""Her purchase history as the engine reads it: signal rows only, one entry per (customer, item).

Sensitive purchases are dropped here, before anything is counted: a sensitive order line changes no
statistic, no order count, no recency. What remains is aggregated per (customer, item) with a
TIFU-style decay across her orders: her latest order weighs 1, the one before ``basket_decay``, then
``basket_decay**2``…
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from suggestions.engine.types import BoolArray, FloatArray, IntArray, Interactions, LongArray


@dataclass(frozen=True)
class Lines:
    """Signal rows with duplicates within an order folded: one row per (order, item)."""

    customer: IntArray
    item: IntArray
    day: FloatArray
    basket: LongArray
    recency: IntArray
    """How many of her orders came after this one (0: her latest)."""
    orders: IntArray
    """Per customer (length n_customers): her orders with at least one signal line."""


@dataclass(frozen=True)
class Profile:
    """Per (customer, item) she bought, sorted by customer then item."""

    customer: IntArray
    item: IntArray
    weight: FloatArray
    """Σ basket_decay**recency over her orders holding the item."""
    times: IntArray
    """Her orders holding the item."""
    last_day: FloatArray
    first_order: IntArray
    """Position of her first order holding it among her orders (0: her first order)."""
    last_recency: IntArray
    """Her orders placed since the latest one holding it (0: it was in her latest order)."""
    total_weight: FloatArray
    """Per customer (length n_customers): Σ basket_decay**recency over all her orders."""
    orders: IntArray
    """Per customer: her orders with at least one signal line."""


def signal_lines(
    interactions: Interactions, sensitive: BoolArray, *, customers: BoolArray | None = None
) -> Lines:
    """The rows that may inform anything, for every customer or those flagged in ``customers``."""
    keep = ~sensitive[interactions.item]
    if customers is not None:
        keep &= customers[interactions.customer]
    customer = interactions.customer[keep]
    item = interactions.item[keep]
    day = interactions.day[keep]
    basket = interactions.basket[keep]
    # Fold repeated (order, item) lines; an order keeps its customer and its day.
    key = basket * np.int64(interactions.n_items) + item
    key, first = np.unique(key, return_index=True)
    customer, item, day, basket = customer[first], item[first], day[first], basket[first]
    baskets, start, inverse = np.unique(basket, return_index=True, return_inverse=True)
    basket_customer = customer[start]
    # One order, one day: the order's earliest line (lines of an order normally share it).
    basket_day = np.full(len(baskets), np.inf)
    np.minimum.at(basket_day, inverse, day)
    order = np.lexsort((baskets, basket_day, basket_customer))
    orders = np.bincount(basket_customer, minlength=interactions.n_customers).astype(np.int32)
    ends = np.cumsum(orders)
    position = np.empty(len(baskets), dtype=np.int64)
    position[order] = np.arange(len(baskets)) - np.repeat(ends - orders, orders)
    recency = (orders[basket_customer] - 1 - position).astype(np.int32)
    return Lines(
        customer=customer,
        item=item,
        day=basket_day[inverse],
        basket=basket,
        recency=recency[inverse],
        orders=orders,
    )


def build_profile(lines: Lines, *, n_items: int, basket_decay: float) -> Profile:
    """Aggregate ``lines`` per (customer, item)."""
    decay = np.power(basket_decay, lines.recency.astype(np.float64))
    key = lines.customer.astype(np.int64) * n_items + lines.item
    keys, inverse, times = np.unique(key, return_inverse=True, return_counts=True)
    weight = np.bincount(inverse, weights=decay, minlength=len(keys))
    last_day = np.full(len(keys), -np.inf)
    np.maximum.at(last_day, inverse, lines.day)
    oldest = np.zeros(len(keys), dtype=np.int32)
    np.maximum.at(oldest, inverse, lines.recency)
    newest = np.full(len(keys), np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(newest, inverse, lines.recency)
    customer = (keys // n_items).astype(np.int32)
    n_customers = len(lines.orders)
    total = np.zeros(n_customers)
    # Σ over her orders of decay**recency = geometric series over 0..orders-1.
    orders = lines.orders.astype(np.float64)
    if basket_decay == 1.0:
        total[:] = orders
    else:
        total[:] = (1.0 - np.power(basket_decay, orders)) / (1.0 - basket_decay)
    return Profile(
        customer=customer,
        item=(keys % n_items).astype(np.int32),
        weight=weight,
        times=times.astype(np.int32),
        last_day=last_day,
        first_order=(lines.orders[customer] - 1 - oldest).astype(np.int32),
        last_recency=newest,
        total_weight=total,
        orders=lines.orders,
    )


def without_latest_order(lines: Lines, customers: BoolArray) -> tuple[Lines, BoolArray]:
    """``lines`` minus the latest order of each flagged customer who has at least two orders, and
    which rows were removed (the orders to predict when the engine learns from its own history)."""
    held = customers[lines.customer] & (lines.recency == 0) & (lines.orders[lines.customer] >= 2)
    keep = ~held
    shifted = customers & (lines.orders >= 2)
    return (
        Lines(
            customer=lines.customer[keep],
            item=lines.item[keep],
            day=lines.day[keep],
            basket=lines.basket[keep],
            recency=(lines.recency[keep] - shifted[lines.customer[keep]]).astype(np.int32),
            orders=(lines.orders - shifted).astype(np.int32),
        ),
        held,
    )


def customer_spans(sorted_customers: npt.NDArray[np.integer], n_customers: int) -> LongArray:
    """Offsets such that rows of customer c are ``[spans[c], spans[c + 1])`` in a customer-sorted array."""
    return np.searchsorted(sorted_customers, np.arange(n_customers + 1)).astype(np.int64)
