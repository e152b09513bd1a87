"""``implicit``'s alternating least squares (Hu, Koren and Volinsky, ICDM 2008) on her order counts.

The matrix it factorises is her order counts, binary, log(1 + counts) or BM25-weighted (as
``implicit``'s own examples weight play counts: ``bm25_weight(item_users, K1=100, B=0.8)``), times
``alpha`` (the confidence scaling). Its list of ten may repeat her items; its list of items she has
not bought filters them. ``implicit`` is a benchmark dependency only, imported when the baseline runs.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import IntArray
from suggestions.evaluation.baselines.common import Lists, order_counts
from suggestions.evaluation.baselines.item_neighbours import ItemKnnParams, item_vectors

Scaling = Literal["counts", "binary", "log", "bm25"]


@dataclass(frozen=True)
class AlsParams:
    factors: int = 64
    regularization: float = 0.01
    iterations: int = 15
    alpha: float = 1.0
    scaling: Scaling = "counts"

    def describe(self) -> str:
        return (
            f"{self.factors} factors, regularization {self.regularization:g}, {self.iterations} "
            f"iterations, alpha {self.alpha:g}, {self.scaling}"
        )


def load_implicit() -> None:
    """Import ``implicit`` now: a library it loads after ``threadpool_limits`` was entered would keep
    its default thread count. Raises ImportError without the dev extras."""
    import implicit.cpu.als  # type: ignore[import-untyped]  # noqa: F401


def confidence(train: Interactions, params: AlsParams) -> sp.csr_matrix:
    """customers x items, what ALS is fitted on (before ``alpha``)."""
    counts = order_counts(train)
    if params.scaling == "binary":
        counts.data[:] = 1.0
    elif params.scaling == "log":
        counts.data = np.log1p(counts.data)
    elif params.scaling == "bm25":
        counts = item_vectors(counts, ItemKnnParams(weighting="bm25", bm25_k1=100.0, bm25_b=0.8)).T.tocsr()
    return counts.astype(np.float32)


def als(
    train: Interactions,
    customers: IntArray,
    k: int,
    params: AlsParams = AlsParams(),
    *,
    threads: int = 0,
    seed: int = 0,
) -> Lists:
    """``threads=0``: implicit's own choice (every core)."""
    from implicit.cpu.als import AlternatingLeastSquares

    matrix = confidence(train, params)
    model = AlternatingLeastSquares(
        factors=params.factors,
        regularization=params.regularization,
        alpha=params.alpha,
        iterations=params.iterations,
        num_threads=threads,
        random_state=seed,
    )
    model.fit(matrix, show_progress=False)
    hers = matrix[customers]
    lists = []
    for exclude in (False, True):
        ids, _ = model.recommend(
            customers, hers, N=k, filter_already_liked_items=exclude, recalculate_user=False
        )
        lists.append(np.asarray(ids, dtype=np.int32))
    return Lists(top=lists[0], explore=lists[1])
