"""Choosing a baseline's hyper-parameters on the "tune" half, the way the engine's were chosen.

A search sees a ``TuneSet``: the training rows (every customer's history without her held-out last
order) and the held-out orders of the tune half's customers only. The report half's held-out orders
are not in it, so no choice can depend on them (tests/suggestions/evaluation/test_tuning.py changes
them and checks the choices stay the same).

Each baseline is tuned twice over the same search: for its list of ten (by Recall@10 on the tune
half) and for its list of ten items she has not bought (by new-item Recall@10, as the engine's
Discover list is judged). Ties keep the configuration tried first; every search is deterministic.
"""

import math
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import IntArray
from suggestions.evaluation.metrics import score_lists
from suggestions.evaluation.protocol import Holdout


@dataclass(frozen=True)
class TuneSet:
    train: Interactions
    customers: IntArray
    """The tune half's evaluated customers."""
    truth: sp.csr_matrix
    """Their held-out orders (rows follow ``customers``)."""
    seen: sp.csr_matrix


def tune_set(holdout: Holdout) -> TuneSet:
    """The part of ``holdout`` a search may look at: training rows and the tune half's answers."""
    rows = holdout.tune
    return TuneSet(
        train=holdout.train,
        customers=holdout.customers[rows],
        truth=holdout.truth[rows],
        seen=holdout.seen[rows],
    )


def recall(top: IntArray, tune: TuneSet) -> float:
    """The objective of a list of ten: Recall@10 over the tune half."""
    return score_lists(top, tune.truth, tune.seen).recall


def new_recall(explore: IntArray, tune: TuneSet) -> float:
    """The objective of a list of items she has not bought: their recall on her new items."""
    value = score_lists(explore, tune.truth, tune.seen).new_recall
    return 0.0 if math.isnan(value) else value


@dataclass
class Best[P]:
    """The best configuration offered so far (the first of equals)."""

    params: P
    score: float = -math.inf

    def offer(self, params: P, score: float) -> None:
        if score > self.score:
            self.params, self.score = params, score


@dataclass
class Search[P]:
    """One search over a baseline's configurations, keeping the best of each list."""

    default: P
    space: str
    """The grid searched, as printed."""
    top: Best[P] = field(init=False)
    explore: Best[P] = field(init=False)
    tried: int = 0
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.top = Best(self.default)
        self.explore = Best(self.default)

    def offer(
        self, params: P, tune: TuneSet, *, top: IntArray | None = None, explore: IntArray | None = None
    ) -> None:
        self.tried += 1
        if top is not None:
            self.top.offer(params, recall(top, tune))
        if explore is not None:
            self.explore.offer(params, new_recall(explore, tune))

    def result(self) -> "Tuned[P]":
        return Tuned(
            top=self.top.params,
            explore=self.explore.params,
            top_score=self.top.score,
            explore_score=self.explore.score,
            tried=self.tried,
            space=self.space,
            seconds=time.perf_counter() - self.started,
        )


@dataclass(frozen=True)
class Chosen[P]:
    """A baseline's hyper-parameters for its list of ten and for its list of items she has not
    bought."""

    top: P
    explore: P


@dataclass(frozen=True)
class Tuned[P](Chosen[P]):
    """What a search chose, for each list, with its score on the tune half."""

    top_score: float
    explore_score: float
    tried: int
    space: str
    seconds: float


def in_order[T, R](work: Callable[[T], R], items: Sequence[T], threads: int) -> Iterator[R]:
    """``map(work, items)``, ``threads`` items at once (numpy and scipy release the GIL), results in
    the order of ``items`` so a search's choice does not depend on timing."""
    if threads <= 1 or len(items) <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        yield from pool.map(work, items)


def sample(grid: Sequence[tuple[object, ...]], n: int, seed: int) -> list[int]:
    """``n`` positions of ``grid`` drawn without replacement by a fixed seed, in grid order."""
    if n >= len(grid):
        return list(range(len(grid)))
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(len(grid), size=n, replace=False).tolist())
