"""Item-kNN: items are similar when the same customers buy them; her score for an item is the sum of
its similarities to her items.

The weightings are ``implicit``'s item-item recommenders written again in numpy, so this baseline
does not need ``implicit`` (tests/suggestions/evaluation/test_item_knn.py checks they agree):

- ``cosine``: each item's vector of customers (binary, or how many of her orders hold it) scaled to
  unit length; similarity = dot product (``CosineRecommender``);
- ``tfidf``: a customer's entry weighted by sqrt(value) x idf, idf = log(items) - log(1 + her distinct
  items), then scaled to unit length (``TFIDFRecommender``);
- ``bm25``: value x (K1 + 1) / (K1 x length norm + value) x idf, length norm = (1 - B) + B x the item's
  total / the mean total, not scaled (``BM25Recommender``);

then optionally shrunk towards 0 where few customers bought both items (x co / (co + shrink): Koren,
KDD 2008), and each item keeps its ``neighbours`` most similar items (itself included: a repeat is a
hit). Her scores are her row of the same values (binary or counts) times that matrix.
"""

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import IntArray
from suggestions.evaluation.baselines.common import (
    Lists,
    order_counts,
    popular_items,
    popular_unbought,
    rank_lists,
)
from suggestions.evaluation.tuning import Search, Tuned, TuneSet, in_order

Weighting = Literal["cosine", "tfidf", "bm25"]
Values = Literal["binary", "counts"]

NEIGHBOURS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 100_000)
"""100,000: every item (K 1 keeps the item itself only: her own counts, as top-frequency ranks)."""
WEIGHTINGS: tuple[tuple[Weighting, float, float], ...] = (
    ("cosine", 0.0, 0.0),
    ("tfidf", 0.0, 0.0),
    ("bm25", 1.2, 0.75),  # BM25Recommender's defaults
    ("bm25", 100.0, 0.8),  # bm25_weight's defaults, as implicit's examples weight play counts
)
VALUES: tuple[Values, ...] = ("binary", "counts")
SHRINKS = (0.0, 10.0, 100.0, 1000.0)


@dataclass(frozen=True)
class ItemKnnParams:
    neighbours: int = 100
    weighting: Weighting = "cosine"
    values: Values = "binary"
    shrink: float = 0.0
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    def describe(self) -> str:
        weighting = (
            f"bm25 (K1 {self.bm25_k1:g}, B {self.bm25_b:g})" if self.weighting == "bm25" else self.weighting
        )
        return f"K {self.neighbours}, {weighting}, {self.values}, shrink {self.shrink:g}"


def customer_values(train: Interactions, values: Values) -> sp.csr_matrix:
    counts = order_counts(train)
    if values == "binary":
        counts.data[:] = 1.0
    return counts


def item_vectors(matrix: sp.csr_matrix, params: ItemKnnParams) -> sp.csr_matrix:
    """items x customers, weighted as ``params.weighting`` says."""
    items = matrix.T.tocoo()
    if params.weighting == "cosine":
        return _unit_rows(items)
    idf = np.log(items.shape[0]) - np.log1p(np.bincount(items.col, minlength=items.shape[1]))
    if params.weighting == "tfidf":
        weighted = sp.coo_matrix((np.sqrt(items.data) * idf[items.col], (items.row, items.col)), items.shape)
        return _unit_rows(weighted)
    totals = np.asarray(items.sum(axis=1)).ravel()
    length = (1.0 - params.bm25_b) + params.bm25_b * totals / totals.mean()
    k1 = params.bm25_k1
    data = items.data * (k1 + 1.0) / (k1 * length[items.row] + items.data) * idf[items.col]
    return sp.csr_matrix((data, (items.row, items.col)), shape=items.shape)


def _unit_rows(matrix: sp.coo_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.bincount(matrix.row, weights=matrix.data**2, minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    return sp.csr_matrix((matrix.data / norms[matrix.row], (matrix.row, matrix.col)), shape=matrix.shape)


def co_buyers(matrix: sp.csr_matrix) -> npt.NDArray[np.float32]:
    """items x items: how many customers bought both."""
    bought = (matrix > 0).astype(np.float32)
    return np.asarray((bought.T @ bought).toarray(), dtype=np.float32)


def similarity(
    matrix: sp.csr_matrix, params: ItemKnnParams, both: npt.NDArray[np.float32] | None = None
) -> npt.NDArray[np.float32]:
    """items x items, dense, before keeping the nearest neighbours (``both``: ``co_buyers``, when
    known)."""
    vectors = item_vectors(matrix, params)
    dense = np.asarray((vectors @ vectors.T).toarray(), dtype=np.float32)
    if params.shrink > 0:
        both = co_buyers(matrix) if both is None else both
        dense *= both / (both + np.float32(params.shrink))
    return dense


def neighbour_order(dense: npt.NDArray[np.float32]) -> IntArray:
    """Per item, every item by similarity (highest first; ties: lower index)."""
    return np.argsort(-dense, axis=1, kind="stable").astype(np.int32)


def keep_neighbours(
    dense: npt.NDArray[np.float32], order: IntArray, neighbours: int
) -> sp.csr_matrix | npt.NDArray[np.float32]:
    """Each item's ``neighbours`` most similar items (``order``: ``neighbour_order``); all of them,
    dense, when that is every item."""
    n = dense.shape[0]
    if neighbours >= n:
        return dense
    columns = order[:, :neighbours]
    rows = np.repeat(np.arange(n), columns.shape[1])
    values = np.take_along_axis(dense, columns, axis=1).ravel()
    kept = sp.csr_matrix((values, (rows, columns.ravel())), shape=dense.shape)
    kept.eliminate_zeros()
    return kept


def item_knn(
    train: Interactions, customers: IntArray, k: int, params: ItemKnnParams = ItemKnnParams()
) -> Lists:
    matrix = customer_values(train, params.values)
    dense = similarity(matrix, params)
    kept = keep_neighbours(dense, neighbour_order(dense), params.neighbours)
    hers = matrix[customers]
    filler = popular_unbought(train, customers, k)
    return rank_lists(hers @ kept, hers, k, popular_items(train), filler)


def search(tune: TuneSet, k: int, *, threads: int = 1) -> Tuned[ItemKnnParams]:
    """Every combination: the similarity once per weighting, values and shrinkage (``threads`` at
    once), then each K."""
    found = Search(
        ItemKnnParams(),
        space=(
            f"K in {list(NEIGHBOURS)} x weighting in cosine, tfidf, bm25 (K1 1.2, B 0.75), "
            f"bm25 (K1 100, B 0.8) x values in {list(VALUES)} x shrink in {list(SHRINKS)}"
        ),
    )
    ranking = popular_items(tune.train)
    filler = popular_unbought(tune.train, tune.customers, k)
    matrices = {values: customer_values(tune.train, values) for values in VALUES}
    both = co_buyers(matrices["binary"])
    similarities = []
    for values in VALUES:
        for weighting, k1, b in WEIGHTINGS:
            for shrink in SHRINKS:
                base = ItemKnnParams(weighting=weighting, values=values, shrink=shrink)
                similarities.append(replace(base, bm25_k1=k1, bm25_b=b) if weighting == "bm25" else base)

    def lists_of(base: ItemKnnParams) -> list[tuple[ItemKnnParams, Lists]]:
        matrix = matrices[base.values]
        hers = matrix[tune.customers]
        dense = similarity(matrix, base, both)
        order = neighbour_order(dense)
        out = []
        for neighbours in dict.fromkeys(min(n, dense.shape[0]) for n in NEIGHBOURS):
            kept = keep_neighbours(dense, order, neighbours)
            lists = rank_lists(hers @ kept, hers, k, ranking, filler)
            out.append((replace(base, neighbours=neighbours), lists))
        return out

    for results in in_order(lists_of, similarities, threads):
        for params, lists in results:
            found.offer(params, tune, top=lists.top, explore=lists.explore)
    return found.result()
