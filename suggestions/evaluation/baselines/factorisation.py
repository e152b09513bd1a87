"""``implicit``'s alternating least squares (Hu, Koren and Volinsky, ICDM 2008) on her order counts.

The matrix it factorises is her order counts, binary, log(1 + counts) or BM25-weighted (as
``implicit``'s own examples weight play counts: ``bm25_weight(item_users, K1=100, B=0.8)``), times
``alpha`` (the confidence scaling). Its list of ten may repeat her items; its list of items she has
not bought filters them. ``implicit`` is a benchmark dependency only, imported when the baseline runs.
"""

from dataclasses import astuple, dataclass
from itertools import product
from typing import Literal

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import IntArray
from suggestions.evaluation.baselines.common import Lists, order_counts
from suggestions.evaluation.baselines.item_neighbours import ItemKnnParams, item_vectors
from suggestions.evaluation.tuning import Search, Tuned, TuneSet, sample

Scaling = Literal["counts", "binary", "log", "bm25"]

FACTORS = (32, 64, 128, 256)
REGULARIZATIONS = (0.001, 0.01, 0.1, 1.0, 10.0)
ITERATIONS = (15, 30)
ALPHAS = (1.0, 5.0, 10.0, 20.0, 40.0)
SCALINGS: tuple[Scaling, ...] = ("counts", "binary", "log", "bm25")
TRIES = 30
REFINE = 20
SEED = 0


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
    seed: int = SEED,
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


def search(
    tune: TuneSet, k: int, *, threads: int = 0, tries: int = TRIES, refine: int = REFINE
) -> Tuned[AlsParams]:
    """A random search (fixed seed) over the grid, the default configuration first, then up to
    ``refine`` fits one grid step away from the best of either list, while that improves it."""
    axes = (FACTORS, REGULARIZATIONS, ITERATIONS, ALPHAS, SCALINGS)
    grid = list(product(*axes))
    found = Search(
        AlsParams(),
        space=(
            f"{tries} of {len(grid)} drawn, then up to {refine} one step from the best: factors in "
            f"{list(FACTORS)} x regularization in {list(REGULARIZATIONS)} x iterations in "
            f"{list(ITERATIONS)} x alpha in {list(ALPHAS)} x scaling in {list(SCALINGS)}"
        ),
    )
    tried: set[AlsParams] = set()

    def fit(params: AlsParams) -> None:
        tried.add(params)
        lists = als(tune.train, tune.customers, k, params, threads=threads)
        found.offer(params, tune, top=lists.top, explore=lists.explore)

    for params in dict.fromkeys(
        [AlsParams(), *(AlsParams(*grid[at]) for at in sample(grid, tries - 1, SEED))]
    ):
        fit(params)
    budget = refine
    while budget > 0:
        best = (found.top.params, found.explore.params)
        steps = [step for params in best for step in _steps(params, axes) if step not in tried]
        for step in dict.fromkeys(steps[:budget]):
            fit(step)
        budget -= len(steps[:budget])
        if not steps or (found.top.params, found.explore.params) == best:
            break
    return found.result()


def _steps(params: AlsParams, axes: tuple[tuple[object, ...], ...]) -> list[AlsParams]:
    """The configurations one grid step away along one axis."""
    point = astuple(params)
    out = []
    for axis, values in enumerate(axes):
        at = values.index(point[axis])
        for other in (at - 1, at + 1):
            if 0 <= other < len(values):
                out.append(AlsParams(*(*point[:axis], values[other], *point[axis + 1 :])))
    return out
