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
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.ranking import fill_from
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
from suggestions.evaluation.tuning import Search, Tuned, TuneSet, in_order, sample

DecayFrom = Literal["last order", "group end"]

GROUPS = (1, 2, 3, 5, 7, 10)
WITHIN_DECAYS = (0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
GROUP_DECAYS = (0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
DECAY_FROM: tuple[DecayFrom, ...] = ("last order", "group end")
NEIGHBOURS = (10, 25, 50, 100, 200, 300, 500, 700, 900, 1100, 1300)
ALPHAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
PUBLISHED = ((7, 0.9, 0.7), (3, 0.9, 0.7), (3, 0.9, 0.6), (7, 1.0, 0.6))
"""(m, r_b, r_g) published as best for Ta-Feng, Instacart, Dunnhumby and ValuedShopper (with k 300,
900, 900, 300 and alpha 0.7, 0.9, 0.2, 0.7, all in the grids above). The paper's own search ranges
could not be checked here; these grids hold every published value and reach beyond them."""
TRIES = 36
"""Random (m, r_b, r_g, decay_from) settings tried besides the published ones, each with every k and
alpha."""
SEED = 0


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


def mixed_tops(
    hers: sp.csr_matrix,
    mean: npt.NDArray[np.float64],
    explore: IntArray,
    alphas: tuple[float, ...],
    k: int,
    ranking: IntArray,
) -> list[IntArray]:
    """``rank_top(alpha * hers + (1 - alpha) * mean)`` for each alpha, ranking only her items and her
    list of items she has not bought (``explore``: the best of ``mean`` among the others, none of
    hers, as ``rank_explore`` with ``popular_unbought`` for filler gives it). Exact:
    outside her items the mix is (1 - alpha) x mean, so an item it ranks below those ten cannot
    reach her top ten."""
    n = hers.shape[0]
    place_of = np.empty(len(ranking), dtype=np.int64)
    place_of[ranking] = np.arange(len(ranking))
    extra = explore >= 0
    rows = np.concatenate([np.repeat(np.arange(n), np.diff(hers.indptr)), np.nonzero(extra)[0]])
    items = np.concatenate([hers.indices, explore[extra]])
    by_place = np.lexsort((place_of[items], rows))  # sorted once; the sorts below are stable
    rows, items = rows[by_place], items[by_place]
    own = np.concatenate([hers.data, np.zeros(int(extra.sum()))])[by_place]
    theirs = mean[rows, items]
    tops = []
    for alpha in alphas:
        score = alpha * own + (1.0 - alpha) * theirs
        by_score = np.argsort(-score, kind="stable")
        order = by_score[np.argsort(rows[by_score], kind="stable")]
        order = order[score[order] > 0]
        row, item = rows[order], items[order]
        place = np.arange(len(row)) - np.searchsorted(row, row)
        first = place < k
        top = np.full((n, k), -1, dtype=np.int32)
        top[row[first], place[first]] = item[first]
        tops.append(fill_from(top, ranking))
    return tops


def search(tune: TuneSet, k: int, *, tries: int = TRIES, threads: int = 1) -> Tuned[TifuParams]:
    """The published (m, r_b, r_g) and ``tries`` random ones (fixed seed), each with every k and
    alpha (the list of items she has not bought does not depend on alpha); ``threads`` settings at
    once."""
    grid = [(m, rb, rg, d) for m in GROUPS for rb in WITHIN_DECAYS for rg in GROUP_DECAYS for d in DECAY_FROM]
    found = Search(
        TifuParams(),
        space=(
            f"published (m, r_b, r_g) {list(PUBLISHED)} and {tries} of {len(grid)} drawn from m in "
            f"{list(GROUPS)} x r_b in {list(WITHIN_DECAYS)} x r_g in {list(GROUP_DECAYS)} x r_b from "
            f"{list(DECAY_FROM)}; each with k in {list(NEIGHBOURS)} x alpha in {list(ALPHAS)}"
        ),
    )
    settings = [TifuParams(groups=m, within_decay=rb, group_decay=rg) for m, rb, rg in PUBLISHED]
    settings += [
        TifuParams(groups=m, within_decay=rb, group_decay=rg, decay_from=d)
        for m, rb, rg, d in (grid[at] for at in sample(grid, tries, SEED))
    ]
    pairs = order_items(tune.train)
    ranking = popular_items(tune.train)
    filler = popular_unbought(tune.train, tune.customers, k)

    def lists_of(base: TifuParams) -> list[tuple[TifuParams, IntArray, IntArray | None]]:
        vectors = personal_vectors(pairs, tune.train, base)
        hers = vectors[tune.customers]
        nearest = nearest_customers(vectors, tune.customers, max(NEIGHBOURS))
        out: list[tuple[TifuParams, IntArray, IntArray | None]] = []
        for neighbours, mean in neighbour_means(vectors, nearest, NEIGHBOURS):
            explore = rank_explore(mean, hers, k, ranking, filler)
            tops = mixed_tops(hers, mean, explore, ALPHAS, k, ranking)
            for alpha, top in zip(ALPHAS, tops, strict=True):
                params = replace(base, neighbours=neighbours, alpha=alpha)
                out.append((params, top, explore if alpha == ALPHAS[0] else None))
        return out

    for results in in_order(lists_of, list(dict.fromkeys(settings)), threads):
        for params, top, explore in results:
            found.offer(params, tune, top=top, explore=explore)
    return found.result()
