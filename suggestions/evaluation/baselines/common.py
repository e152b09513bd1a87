"""What every baseline shares: order counts, popularity, each order's place in her history, and ranking
with ties broken towards popular items.

Every baseline returns two lists per customer (``Lists``): ``top``, its ten best items whatever she
bought (scored as Recall@10 and NDCG@10), and ``explore``, its ten best among the items she has not
bought (the counterpart of the engine's Discover list).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.ranking import fill_from
from suggestions.engine.types import IntArray

BATCH = 4096
"""Customers ranked at once (a dense block of BATCH x items scores)."""


@dataclass(frozen=True)
class Lists:
    top: IntArray
    """(customers, k) items, best first, -1 where shorter (never: every list is filled)."""
    explore: IntArray
    """The same among the items she has not bought."""


@dataclass(frozen=True)
class OrderItems:
    """The distinct (order, item) pairs of a history, each with its order's place in her history."""

    customer: IntArray
    item: IntArray
    position: IntArray
    """0 for her first order; orders are sorted by day, then order id (as the protocol does)."""
    orders: IntArray
    """How many orders she has."""


def order_items(train: Interactions) -> OrderItems:
    baskets, first, basket_of_row = np.unique(train.basket, return_index=True, return_inverse=True)
    pair_keys = np.unique(basket_of_row.astype(np.int64) * train.n_items + train.item)
    at, item = np.divmod(pair_keys, train.n_items)
    owner = train.customer[first]
    order = np.lexsort((baskets, train.day[first], owner))
    per_customer = np.bincount(owner, minlength=train.n_customers)
    starts = np.cumsum(per_customer) - per_customer
    position = np.empty(len(baskets), dtype=np.int32)
    position[order] = np.arange(len(baskets)) - starts[owner[order]]
    return OrderItems(
        customer=owner[at].astype(np.int32),
        item=item.astype(np.int32),
        position=position[at],
        orders=per_customer[owner[at]].astype(np.int32),
    )


def order_counts(train: Interactions) -> sp.csr_matrix:
    """customers x items: how many of her orders hold the item."""
    pairs = order_items(train)
    return customer_item_matrix(pairs, np.ones(len(pairs.item)), train)


def customer_item_matrix(
    pairs: OrderItems, weights: npt.NDArray[np.floating], train: Interactions
) -> sp.csr_matrix:
    """customers x items: the sum of ``weights`` over her (order, item) pairs."""
    matrix = sp.csr_matrix(
        (weights.astype(np.float64), (pairs.customer, pairs.item)),
        shape=(train.n_customers, train.n_items),
        dtype=np.float64,
    )
    matrix.sum_duplicates()
    return matrix


def popular_items(train: Interactions) -> IntArray:
    """Every item, most orders first (ties: lower index)."""
    counts = np.asarray(order_counts(train).sum(axis=0)).ravel()
    return np.lexsort((np.arange(train.n_items), -counts)).astype(np.int32)


def popularity(train: Interactions, customers: IntArray, k: int) -> IntArray:
    return np.broadcast_to(popular_items(train)[:k], (len(customers), k)).copy()


def popular_unbought(train: Interactions, customers: IntArray, k: int) -> IntArray:
    """The most popular items each customer has not bought (popularity's explore list)."""
    counts = order_counts(train)
    popular = np.asarray(counts.sum(axis=0)).ravel().astype(np.float64)
    ranking = np.lexsort((np.arange(train.n_items), -popular)).astype(np.int32)
    out = np.empty((len(customers), k), dtype=np.int32)
    for start in range(0, len(customers), BATCH):
        rows = counts[customers[start : start + BATCH]].tocoo()
        scores = np.broadcast_to(popular + 1.0, (rows.shape[0], train.n_items)).copy()
        scores[rows.row, rows.col] = 0.0
        out[start : start + BATCH] = rank(scores, k, ranking)
    return out


def rank(scores: npt.NDArray[np.floating], k: int, ranking: IntArray) -> IntArray:
    """Each row's ``k`` highest positive scores, best first, padded with -1; equal scores go to the
    item earlier in ``ranking`` (every item, most popular first), also at the k-th place, where
    counts tie often."""
    ordered = scores[:, ranking]
    n_rows, n_cols = ordered.shape
    out = np.full((n_rows, k), -1, dtype=np.int32)
    k_eff = min(k, n_cols)
    if k_eff == 0 or n_rows == 0:
        return out
    kth = -np.partition(-ordered, k_eff - 1, axis=1)[:, k_eff - 1]
    rows, columns = np.nonzero((ordered >= kth[:, None]) & (ordered > 0))
    values = ordered[rows, columns]
    order = np.lexsort((columns, -values, rows))
    rows, columns = rows[order], columns[order]
    place = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = place < k
    out[rows[keep], place[keep]] = ranking[columns[keep]]
    return out


def rank_top(scores: sp.csr_matrix | npt.NDArray[np.floating], k: int, ranking: IntArray) -> IntArray:
    """Each row's ``k`` best items by ``scores`` (equal scores: the more popular first), filled with
    popular items."""
    top = np.empty((scores.shape[0], k), dtype=np.int32)
    for start in range(0, scores.shape[0], BATCH):
        top[start : start + BATCH] = rank(_dense(scores[start : start + BATCH]), k, ranking)
    return fill_from(top, ranking)


def rank_explore(
    scores: sp.csr_matrix | npt.NDArray[np.floating],
    bought: sp.csr_matrix,
    k: int,
    ranking: IntArray,
    filler: IntArray,
) -> IntArray:
    """The same among the items she has not bought (her rows of ``bought`` set aside), filled from
    ``filler`` (``popular_unbought`` of the same customers)."""
    unbought = np.empty((scores.shape[0], k), dtype=np.int32)
    for start in range(0, scores.shape[0], BATCH):
        dense = _dense(scores[start : start + BATCH])
        hers = bought[start : start + BATCH].tocoo()
        dense[hers.row, hers.col] = 0.0
        unbought[start : start + BATCH] = rank(dense, k, ranking)
    return fill_rows(unbought, filler)


def rank_lists(
    scores: sp.csr_matrix | npt.NDArray[np.floating],
    bought: sp.csr_matrix,
    k: int,
    ranking: IntArray,
    filler: IntArray,
) -> Lists:
    """Both lists from one score per (customer, item)."""
    return Lists(top=rank_top(scores, k, ranking), explore=rank_explore(scores, bought, k, ranking, filler))


def _dense(block: sp.csr_matrix | npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    if isinstance(block, np.ndarray):
        return np.array(block, dtype=np.float64)
    return np.asarray(block.toarray(), dtype=np.float64)


def fill_rows(top: IntArray, filler: IntArray) -> IntArray:
    """Pad each row's -1 slots with the first items of the same row of ``filler`` not already in it."""
    short = np.flatnonzero((top < 0).any(axis=1))
    if len(short) == 0:
        return top
    out = top.copy()
    for row in short:
        present = out[row][out[row] >= 0]
        extra = filler[row][~np.isin(filler[row], present)][: top.shape[1] - len(present)]
        out[row] = -1
        out[row, : len(present)] = present
        out[row, len(present) : len(present) + len(extra)] = extra
    return out
