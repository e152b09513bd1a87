"""TIFU-KNN (Hu, He, Gao and Zhang, "Modeling Personalized Item Frequency Information for
Next-basket Recommendation", SIGIR 2020), in numpy and scipy.

Her personal item frequency vector: her orders (each a binary vector of items), oldest first, fall
into ``groups`` (m) groups of consecutive orders, as equal as possible with the later groups the
larger (as the authors' code, TIFUKNN.py, splits them; with fewer than m orders, one order a group).
An order weighs ``within_decay`` (r_b) to the power of its distance from her last order (the
authors' code) or from the last order of its group (``decay_from="group end"``: the paper's
within-group sum as we read it); a group is the mean of its orders' weighted vectors; her vector is
the sum of group i's vector times ``group_decay`` (r_g) to the power m - 1 - i, divided by the number
of groups she has. Her ``neighbours`` (k) nearest customers by Euclidean distance between these
vectors (herself left out) are averaged, and her scores are alpha x her vector + (1 - alpha) x their
mean. Equal scores go to the more popular item; popular items fill short lists.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import FloatArray, IntArray
from suggestions.evaluation.baselines.common import (
    Lists,
    OrderItems,
    customer_item_matrix,
    order_items,
    popular_items,
    popular_unbought,
    rank_explore,
    rank_top,
)

DecayFrom = Literal["last order", "group end"]


@dataclass(frozen=True)
class TifuParams:
    neighbours: int = 300
    within_decay: float = 0.9
    group_decay: float = 0.7
    alpha: float = 0.7
    groups: int = 7
    decay_from: DecayFrom = "last order"

    def describe(self) -> str:
        return (
            f"k {self.neighbours}, m {self.groups}, r_b {self.within_decay:g}, r_g {self.group_decay:g}, "
            f"alpha {self.alpha:g}, r_b from {self.decay_from}"
        )


def pif_weights(position: IntArray, orders: IntArray, params: TifuParams) -> FloatArray:
    """The weight of an (order, item) pair in her vector, from the order's place and her order count."""
    m = params.groups
    p = position.astype(np.int64)
    n = orders.astype(np.int64)
    base = n // m
    longer = n - base * m  # the last `longer` groups hold base + 1 orders
    short_end = (m - longer) * base  # orders before this position fall in groups of `base`
    in_short = p < short_end
    group = np.where(in_short, p // np.maximum(base, 1), m - longer + (p - short_end) // (base + 1))
    size = np.where(in_short, base, base + 1)
    last_of_group = np.where(
        in_short, (group + 1) * base - 1, short_end + (group - (m - longer) + 1) * (base + 1) - 1
    )
    few = n < m
    group = np.where(few, p, group)
    size = np.where(few, 1, size)
    last_of_group = np.where(few, p, last_of_group)
    distance = n - 1 - p if params.decay_from == "last order" else last_of_group - p
    within = np.power(params.within_decay, distance.astype(np.float64))
    across = np.power(params.group_decay, (m - 1 - group).astype(np.float64))
    return within / size * across / np.minimum(n, m)


def personal_vectors(pairs: OrderItems, train: Interactions, params: TifuParams) -> sp.csr_matrix:
    """customers x items: every customer's personal item frequency vector."""
    return customer_item_matrix(pairs, pif_weights(pairs.position, pairs.orders, params), train)


def nearest_customers(vectors: sp.csr_matrix, customers: IntArray, most: int) -> IntArray:
    """(customers, most): each one's nearest other customers with a history, nearest first (equal
    distances: lower index), by Euclidean distance."""
    pool = np.flatnonzero(np.diff(vectors.indptr) > 0)
    most = max(0, min(most, len(pool) - 1))
    squares = np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()
    out = np.empty((len(customers), most), dtype=np.int32)
    others = vectors[pool]
    for start in range(0, len(customers), 1024):
        mine = customers[start : start + 1024]
        dots = (vectors[mine] @ others.T).toarray()
        distance = squares[mine][:, None] + squares[pool][None, :] - 2.0 * dots
        distance[pool[None, :] == mine[:, None]] = np.inf
        out[start : start + 1024] = pool[np.argsort(distance, axis=1, kind="stable")[:, :most]]
    return out


def neighbour_means(
    vectors: sp.csr_matrix, nearest: IntArray, neighbours: tuple[int, ...]
) -> Iterator[tuple[int, npt.NDArray[np.float64]]]:
    """For each k in ``neighbours`` (ascending): the mean vector of each row's k nearest customers
    (all of them where fewer), as (k used, dense rows); a k that comes to the same as the one before
    is skipped."""
    rows = nearest.shape[0]
    total = np.zeros((rows, vectors.shape[1]))
    done = 0
    for wanted in neighbours:
        k = min(wanted, nearest.shape[1])
        if k == done:
            continue
        columns = nearest[:, done:k]
        pick = sp.csr_matrix(
            (np.ones(columns.size), (np.repeat(np.arange(rows), k - done), columns.ravel())),
            shape=(rows, vectors.shape[0]),
        )
        total += (pick @ vectors).toarray()
        done = k
        yield k, total / k
    if done == 0:
        yield 0, total


def tifu_knn(train: Interactions, customers: IntArray, k: int, params: TifuParams = TifuParams()) -> Lists:
    pairs = order_items(train)
    vectors = personal_vectors(pairs, train, params)
    nearest = nearest_customers(vectors, customers, params.neighbours)
    _, mean = next(neighbour_means(vectors, nearest, (params.neighbours,)))
    hers = vectors[customers]
    ranking = popular_items(train)
    scores = params.alpha * hers.toarray() + (1.0 - params.alpha) * mean
    filler = popular_unbought(train, customers, k)
    return Lists(top=rank_top(scores, k, ranking), explore=rank_explore(mean, hers, k, ranking, filler))
