"""Recall@K and NDCG@K on top-K lists, overall and split into repeat and new items, and coverage.

``top`` is an ``(n_customers, K)`` int array of item indices, best first, padded with -1. ``truth`` and
``seen`` are binary CSR matrices (rows aligned with ``top``): the held-out items, and the items each
customer bought in training. Per customer:

- Recall@K = |top ∩ truth| / |truth|;
- NDCG@K = Σ_{hits at rank r} 1/log2(r + 1) divided by the same sum over min(|truth|, K) hits;
- repeat Recall@K = |top ∩ truth ∩ seen| / |truth ∩ seen| (customers with such items only), new
  Recall@K the same with truth minus seen.

Each is the mean over the customers where it is defined (NaN when none is).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine.types import BoolArray, IntArray


@dataclass(frozen=True)
class Scores:
    recall: float
    ndcg: float
    repeat_recall: float
    new_recall: float
    customers: int


def hits(top: IntArray, truth: sp.csr_matrix) -> BoolArray:
    """``hits[r, j]``: item ``top[r, j]`` is in row r of ``truth``."""
    rows = np.repeat(np.arange(top.shape[0]), top.shape[1])
    items = top.ravel()
    found = np.zeros(len(items), dtype=bool)
    valid = items >= 0
    if valid.any():
        found[valid] = np.asarray(truth[rows[valid], items[valid]]).ravel() > 0
    return found.reshape(top.shape)


def _mean(values: npt.NDArray[np.float64], defined: BoolArray) -> float:
    return float(values[defined].mean()) if defined.any() else float("nan")


def score_lists(
    top: IntArray, truth: sp.csr_matrix, seen: sp.csr_matrix, *, rows: BoolArray | None = None
) -> Scores:
    """All four measures over the customers in ``rows`` (default: all)."""
    if rows is None:
        rows = np.ones(top.shape[0], dtype=bool)
    top, truth, seen = top[rows], truth[rows], seen[rows]
    k = top.shape[1]
    truth_size = np.diff(truth.indptr).astype(np.float64)
    repeat_truth = truth.multiply(seen).tocsr()
    new_truth = (truth - repeat_truth).tocsr()
    new_truth.eliminate_zeros()
    all_hits = hits(top, truth)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (all_hits * discount).sum(axis=1)
    ideal = np.cumsum(discount)[np.minimum(truth_size, k).astype(int) - 1]
    has_truth = truth_size > 0
    recall = np.divide(all_hits.sum(axis=1), truth_size, out=np.zeros_like(truth_size), where=has_truth)
    ndcg = np.divide(dcg, ideal, out=np.zeros_like(truth_size), where=has_truth)
    split = []
    for part in (repeat_truth, new_truth):
        size = np.diff(part.indptr).astype(np.float64)
        found = hits(top, part).sum(axis=1)
        split.append(_mean(np.divide(found, size, out=np.zeros_like(size), where=size > 0), size > 0))
    return Scores(
        recall=_mean(recall, has_truth),
        ndcg=_mean(ndcg, has_truth),
        repeat_recall=split[0],
        new_recall=split[1],
        customers=int(has_truth.sum()),
    )


def new_item_recall(top: IntArray, truth: sp.csr_matrix, seen: sp.csr_matrix, *, rows: BoolArray) -> float:
    """Recall of the items she had not bought before (a Discover list's job)."""
    return score_lists(top, truth, seen, rows=rows).new_recall


def coverage(top: IntArray, n_items: int) -> float:
    """The share of the catalogue that appears in at least one list."""
    shown = np.unique(top[top >= 0])
    return len(shown) / n_items if n_items else 0.0
