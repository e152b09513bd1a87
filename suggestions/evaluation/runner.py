"""Run every method on one last-order holdout and tabulate the measures, per half of the customers.

Each method produces, for each evaluated customer, a top-10 ("combined": what is scored as Recall@10
and NDCG@10) and an explore top-10 of items she has not bought (the engine's Discover list; a
baseline's own ranking with her past items removed), scored on the new items of her last order.
Timing covers fit + recommend of the combined list (the explore list of a baseline is a second,
untimed pass; the engine produces both in one call).
"""

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from threadpoolctl import threadpool_info, threadpool_limits  # type: ignore[import-untyped]

from suggestions.engine import COMBINED, DISCOVER, Config, Preferences, Suggestions
from suggestions.engine.model import fit
from suggestions.engine.types import BoolArray, IntArray
from suggestions.evaluation import baselines
from suggestions.evaluation.metrics import Scores, coverage, score_lists
from suggestions.evaluation.protocol import Holdout, last_order_holdout
from suggestions.evaluation.readers import Dataset

K = 10
METHODS = ("popularity", "top_frequency", "item_knn", "als", "engine")
LABELS = {
    "popularity": "popularity",
    "top_frequency": "personal top-frequency",
    "item_knn": "item-kNN (cosine, 100)",
    "als": "ALS (implicit, 64 f, 15 it)",
    "engine": "engine (combined)",
}


def evaluation_config(now: float, *, workers: int) -> Config:
    """The engine as evaluated: lists of 10, no diversity cap (Online Retail has no real categories)."""
    return Config(now=now, k_buy_again=K, k_discover=K, k_combined=K, max_per_category=K, workers=workers)


@dataclass(frozen=True)
class MethodRun:
    name: str
    top: IntArray
    explore: IntArray
    seconds: float
    sensitive_suggested: int
    """Sensitive items among the rows it suggested (both lists; for the engine, every list)."""


@dataclass(frozen=True)
class Evaluation:
    dataset: Dataset
    holdout: Holdout
    runs: list[MethodRun]
    threads: str
    notes: list[str] = field(default_factory=list)


def evaluate(
    dataset: Dataset,
    *,
    methods: tuple[str, ...] = METHODS,
    limit_customers: int | None = None,
    threads: int | None = None,
    engine_config: Config | None = None,
) -> Evaluation:
    """Hold out last orders, run ``methods``, return their lists (see ``table`` for the measures)."""
    holdout = last_order_holdout(dataset.interactions, dataset.customer_ids, limit_customers=limit_customers)
    if len(holdout.customers) == 0:
        raise ValueError("No customer has three or more orders: nothing to evaluate.")
    threads = threads or os.cpu_count() or 1
    now = float(holdout.train.day.max())
    config = engine_config or evaluation_config(now, workers=threads)
    sensitive = dataset.catalogue.sensitive
    runs = []
    notes = []
    if "als" in methods:
        try:
            baselines.load_implicit()
        except ImportError as missing:
            notes.append(f"{LABELS['als']} skipped: {missing} (install the dev extras).")
            methods = tuple(name for name in methods if name != "als")
    with threadpool_limits(1, "blas"):  # implicit asks for it; the engine does not use BLAS
        blas = ", ".join(sorted({f"{i['internal_api']}={i['num_threads']}" for i in threadpool_info()}))
        for name in methods:
            if name == "engine":
                runs.append(_run_engine(dataset, holdout, config, sensitive))
                continue
            started = time.perf_counter()
            top = _BASELINES[name](holdout.train, holdout.customers, threads)
            seconds = time.perf_counter() - started
            explore = _explore(name, holdout, threads)
            shown = np.concatenate([top[top >= 0], explore[explore >= 0]])
            runs.append(MethodRun(name, top, explore, seconds, int(sensitive[shown].sum())))
    return Evaluation(
        dataset=dataset,
        holdout=holdout,
        runs=runs,
        threads=f"{threads} (engine workers, ALS threads); thread pools inside: {blas}",
        notes=notes,
    )


def _run_engine(dataset: Dataset, holdout: Holdout, config: Config, sensitive: BoolArray) -> MethodRun:
    started = time.perf_counter()
    model = fit(holdout.train, dataset.catalogue, config)
    suggestions = model.recommend(holdout.customers, holdout.train, dataset.catalogue, Preferences(), config)
    seconds = time.perf_counter() - started
    return MethodRun(
        "engine",
        lists_of(suggestions, COMBINED, holdout.customers),
        lists_of(suggestions, DISCOVER, holdout.customers),
        seconds,
        int(sensitive[suggestions.item].sum()),
    )


def lists_of(suggestions: Suggestions, which: int, customers: IntArray, k: int = K) -> IntArray:
    """One list of every customer as an (n, k) array of items, -1 where the list is shorter."""
    part = suggestions.of_list(which)
    keep = part.rank <= k
    rows = np.searchsorted(customers, part.customer[keep])
    top = np.full((len(customers), k), -1, dtype=np.int32)
    top[rows, part.rank[keep] - 1] = part.item[keep]
    return top


def _explore(name: str, holdout: Holdout, threads: int) -> IntArray:
    """The method's best items among those she has not bought."""
    train, customers = holdout.train, holdout.customers
    if name in ("popularity", "top_frequency"):
        return baselines.popular_unbought(train, customers, K)
    if name == "item_knn":
        return baselines.item_knn(train, customers, K, exclude_bought=True)
    return baselines.als(train, customers, K, threads=threads, exclude_bought=True)


_BASELINES: dict[str, Callable[[baselines.Interactions, IntArray, int], IntArray]] = {
    "popularity": lambda train, customers, threads: baselines.popularity(train, customers, K),
    "top_frequency": lambda train, customers, threads: baselines.personal_top_frequency(train, customers, K),
    "item_knn": lambda train, customers, threads: baselines.item_knn(train, customers, K),
    "als": lambda train, customers, threads: baselines.als(train, customers, K, threads=threads),
}


def _fmt(value: float, width: int = 7) -> str:
    return f"{'—':>{width}}" if math.isnan(value) else f"{value:{width}.3f}"


def table(evaluation: Evaluation, rows: BoolArray, title: str) -> str:
    """The measures of every method over the evaluated customers flagged in ``rows``."""
    holdout = evaluation.holdout
    n_items = holdout.train.n_items
    header = (
        f"{'method':<28} {'R@10':>7} {'NDCG@10':>7} {'rep R@10':>8} {'new R@10':>8} "
        f"{'explore':>7} {'cover':>6} {'seconds':>7} {'sens.':>5}"
    )
    lines = [f"{title}: {int(rows.sum())} customers", header, "-" * len(header)]
    for run in evaluation.runs:
        scores: Scores = score_lists(run.top, holdout.truth, holdout.seen, rows=rows)
        explore = score_lists(run.explore, holdout.truth, holdout.seen, rows=rows).new_recall
        lines.append(
            f"{LABELS[run.name]:<28} {_fmt(scores.recall)} {_fmt(scores.ndcg)} "
            f"{_fmt(scores.repeat_recall, 8)} {_fmt(scores.new_recall, 8)} {_fmt(explore)} "
            f"{coverage(run.top[rows], n_items):6.3f} {run.seconds:7.2f} {run.sensitive_suggested:5d}"
        )
    return "\n".join(lines)


def split_rows(holdout: Holdout, split: str) -> list[tuple[str, BoolArray]]:
    """The customer subsets to tabulate for ``--split``."""
    everyone = np.ones(len(holdout.customers), dtype=bool)
    halves = {
        "tune": [("tune half (hyper-parameters chosen here)", holdout.tune)],
        "report": [("report half (held out from tuning)", ~holdout.tune)],
        "all": [
            ("tune half (hyper-parameters chosen here)", holdout.tune),
            ("report half (held out from tuning)", ~holdout.tune),
            ("all evaluated customers", everyone),
        ],
    }
    return halves[split]


def truth_summary(holdout: Holdout) -> str:
    truth = holdout.truth
    repeat = truth.multiply(holdout.seen)
    share = repeat.sum() / truth.sum() if truth.sum() else 0.0
    sizes = np.diff(sp.csr_matrix(truth).indptr)
    return (
        f"{len(holdout.customers)} customers with 3+ orders ({int(holdout.tune.sum())} tune, "
        f"{int((~holdout.tune).sum())} report); last orders hold {sizes.mean():.1f} items on average, "
        f"{share:.0%} of them bought by the same customer before"
    )
