"""The last-order protocol: hold out each customer's last order, train on everything else.

Customers with at least ``min_orders`` orders are evaluated: the distinct items of their last order
(latest day; among orders of the same day, the greatest order id as text) are what a method should
predict; every other row, including the whole history of customers with fewer orders, is training
data. Evaluated customers fall into two fixed halves by a hash of their own id, "tune" and "report":
hyper-parameters are chosen on the first, figures are quoted from the second.
"""

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import BoolArray, IntArray

TUNE = "tune"
REPORT = "report"


@dataclass(frozen=True)
class Holdout:
    train: Interactions
    customers: IntArray
    """Evaluated customers (dense indices), ascending."""
    truth: sp.csr_matrix
    """Row r: the items of the last order of ``customers[r]`` (binary, len(customers) x n_items)."""
    seen: sp.csr_matrix
    """Row r: the items ``customers[r]`` bought in training (binary), to split repeat from new."""
    tune: BoolArray
    """Per evaluated customer: in the "tune" half (else "report")."""


def tune_half(customer_ids: npt.NDArray[np.str_]) -> BoolArray:
    """A fixed split of external ids: crc32 of the id is even → "tune"."""
    return np.array([zlib.crc32(str(value).encode()) % 2 == 0 for value in customer_ids], dtype=bool)


def last_order_holdout(
    interactions: Interactions,
    customer_ids: npt.NDArray[np.str_],
    *,
    min_orders: int = 3,
    limit_customers: int | None = None,
) -> Holdout:
    """Split ``interactions`` by the last-order protocol; ``limit_customers`` evaluates only the
    first N eligible customers (by hash order, so both halves stay represented)."""
    n_items = interactions.n_items
    baskets, first = np.unique(interactions.basket, return_index=True)
    basket_customer = interactions.customer[first]
    basket_day = interactions.day[first]
    orders = np.bincount(basket_customer, minlength=interactions.n_customers)
    # The last order of each customer: sort her orders by (day, basket) and take the final one.
    order = np.lexsort((baskets, basket_day, basket_customer))
    ends = np.cumsum(orders)[orders > 0] - 1
    last_basket = baskets[order[ends]]
    owners = basket_customer[order[ends]]
    eligible = orders[owners] >= min_orders
    customers = owners[eligible].astype(np.int32)
    held = last_basket[eligible]
    if limit_customers is not None and limit_customers < len(customers):
        keys = np.array([zlib.crc32(b"limit" + str(customer_ids[c]).encode()) for c in customers])
        keep = np.sort(np.argsort(keys, kind="stable")[:limit_customers])
        customers, held = customers[keep], held[keep]
    is_held = np.isin(interactions.basket, held)
    train = _subset(interactions, ~is_held)
    row_of = np.full(interactions.n_customers, -1, dtype=np.int64)
    row_of[customers] = np.arange(len(customers))
    truth = _binary(
        row_of[interactions.customer[is_held]], interactions.item[is_held], len(customers), n_items
    )
    in_train = row_of[train.customer] >= 0
    seen = _binary(row_of[train.customer[in_train]], train.item[in_train], len(customers), n_items)
    return Holdout(
        train=train, customers=customers, truth=truth, seen=seen, tune=tune_half(customer_ids[customers])
    )


def _subset(interactions: Interactions, keep: BoolArray) -> Interactions:
    return Interactions(
        customer=interactions.customer[keep],
        item=interactions.item[keep],
        day=interactions.day[keep],
        quantity=interactions.quantity[keep],
        basket=interactions.basket[keep],
        n_customers=interactions.n_customers,
        n_items=interactions.n_items,
    )


def _binary(rows: npt.NDArray[np.int64], cols: IntArray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_rows, n_cols), dtype=np.float32
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix
