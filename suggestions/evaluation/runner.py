"""Run every method on one last-order holdout and tabulate the measures, per half of the customers.

Each method produces, for each evaluated customer, a top-10 ("combined": what is scored as Recall@10
and NDCG@10) and a top-10 of items she has not bought (the engine's Discover list; a baseline's best
such list), scored on the new items of her last order. A baseline's hyper-parameters are first
chosen on the tune half (``tuning``; each baseline's module holds its search), separately for the
two lists, or taken as stored (``tuned``, ``tune=False``). Timing covers fit + recommend of the
combined list with the chosen values (not the search; the engine produces both lists in one call).
"""

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from threadpoolctl import threadpool_info, threadpool_limits  # type: ignore[import-untyped]

from suggestions.engine import COMBINED, DISCOVER, Config, Interactions, Preferences, Suggestions
from suggestions.engine.model import fit
from suggestions.engine.types import BoolArray, IntArray
from suggestions.evaluation import tuned
from suggestions.evaluation.baselines import (
    Lists,
    als,
    factorisation,
    frequency,
    item_knn,
    item_neighbours,
    load_implicit,
    popular_unbought,
    popularity,
    tifu,
    tifu_knn,
    top_frequency,
)
from suggestions.evaluation.metrics import Scores, coverage, score_lists
from suggestions.evaluation.protocol import Holdout, last_order_holdout
from suggestions.evaluation.readers import Dataset
from suggestions.evaluation.tuning import Chosen, Tuned, TuneSet, tune_set

K = 10
METHODS = ("popularity", "top_frequency", "item_knn", "als", "tifu_knn", "engine")
LABELS = {
    "popularity": "popularity",
    "top_frequency": "personal top-frequency",
    "item_knn": "item-kNN",
    "als": "ALS (implicit)",
    "tifu_knn": "TIFU-KNN",
    "engine": "engine (combined)",
    "live": "engine, live (card)",  # what the refresh stored (integrations.live_evaluation)
}


@dataclass(frozen=True)
class Baseline:
    run: Callable[[Interactions, IntArray, int, Any, int], Lists]
    """(train, customers, k, hyper-parameters, threads) → both lists."""
    search: Callable[[TuneSet, int, int], Tuned[Any]] | None
    """(tune half, k, threads) → the chosen hyper-parameters; None: nothing to tune."""
    stored: Chosen[Any] | None
    explore_tuned: bool = True
    """False: its list of items she has not bought has no hyper-parameter (popularity's)."""


BASELINES: dict[str, Baseline] = {
    "popularity": Baseline(
        run=lambda train, customers, k, params, threads: Lists(
            popularity(train, customers, k), popular_unbought(train, customers, k)
        ),
        search=None,
        stored=None,
    ),
    "top_frequency": Baseline(
        run=lambda train, customers, k, params, threads: top_frequency(train, customers, k, params),
        search=lambda tune, k, threads: frequency.search(tune, k),
        stored=tuned.TOP_FREQUENCY,
        explore_tuned=False,
    ),
    "item_knn": Baseline(
        run=lambda train, customers, k, params, threads: item_knn(train, customers, k, params),
        search=lambda tune, k, threads: item_neighbours.search(tune, k, threads=threads),
        stored=tuned.ITEM_KNN,
    ),
    "als": Baseline(
        run=lambda train, customers, k, params, threads: als(train, customers, k, params, threads=threads),
        search=lambda tune, k, threads: factorisation.search(tune, k, threads=threads),
        stored=tuned.ALS,
    ),
    "tifu_knn": Baseline(
        run=lambda train, customers, k, params, threads: tifu_knn(train, customers, k, params),
        search=lambda tune, k, threads: tifu.search(tune, k, threads=threads),
        stored=tuned.TIFU_KNN,
    ),
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
    chosen: Chosen[Any] | None = None
    """A baseline's hyper-parameters (None: popularity and the engine)."""
    tuning: Tuned[Any] | None = None
    """The search that chose them on the tune half (None: stored values were used)."""


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
    tune: bool = True,
) -> Evaluation:
    """Hold out last orders, choose each baseline's hyper-parameters on the tune half (``tune``;
    else the stored ones), run ``methods``, return their lists (see ``table`` for the measures)."""
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
            load_implicit()
        except ImportError as missing:
            notes.append(f"{LABELS['als']} skipped: {missing} (install the dev extras).")
            methods = tuple(name for name in methods if name != "als")
    if tune and not holdout.tune.any():
        notes.append("No evaluated customer falls in the tune half: stored hyper-parameters used.")
        tune = False
    with threadpool_limits(1, "blas"):  # implicit asks for it; the engine does not use BLAS
        blas = ", ".join(sorted({f"{i['internal_api']}={i['num_threads']}" for i in threadpool_info()}))
        for name in methods:
            if name == "engine":
                runs.append(_run_engine(dataset, holdout, config, sensitive))
            else:
                runs.append(_run_baseline(name, holdout, threads, sensitive, tune=tune))
    return Evaluation(
        dataset=dataset,
        holdout=holdout,
        runs=runs,
        threads=f"{threads} (engine workers, ALS threads, searches); thread pools inside: {blas}",
        notes=notes,
    )


def _run_baseline(
    name: str, holdout: Holdout, threads: int, sensitive: BoolArray, *, tune: bool
) -> MethodRun:
    baseline = BASELINES[name]
    search = None
    chosen = baseline.stored
    if tune and baseline.search is not None:
        search = baseline.search(tune_set(holdout), K, threads)
        chosen = search
    top_params = chosen.top if chosen else None
    started = time.perf_counter()
    lists = baseline.run(holdout.train, holdout.customers, K, top_params, threads)
    seconds = time.perf_counter() - started
    explore = lists.explore
    if chosen is not None and chosen.explore != chosen.top:
        explore = baseline.run(holdout.train, holdout.customers, K, chosen.explore, threads).explore
    shown = np.concatenate([lists.top[lists.top >= 0], explore[explore >= 0]])
    return MethodRun(name, lists.top, explore, seconds, int(sensitive[shown].sum()), chosen, search)


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


def _fmt(value: float, width: int = 7) -> str:
    return f"{'—':>{width}}" if math.isnan(value) else f"{value:{width}.3f}"


def table(evaluation: Evaluation, rows: BoolArray, title: str) -> str:
    """The measures of every method over the evaluated customers flagged in ``rows``."""
    holdout = evaluation.holdout
    n_items = holdout.train.n_items
    header = (
        f"{'method':<24} {'R@10':>7} {'NDCG@10':>7} {'rep R@10':>8} {'new R@10':>8} "
        f"{'new list':>8} {'cover':>6} {'seconds':>7} {'sens.':>5}"
    )
    lines = [f"{title}: {int(rows.sum())} customers", header, "-" * len(header)]
    for run in evaluation.runs:
        scores: Scores = score_lists(run.top, holdout.truth, holdout.seen, rows=rows)
        explore = score_lists(run.explore, holdout.truth, holdout.seen, rows=rows).new_recall
        lines.append(
            f"{LABELS[run.name]:<24} {_fmt(scores.recall)} {_fmt(scores.ndcg)} "
            f"{_fmt(scores.repeat_recall, 8)} {_fmt(scores.new_recall, 8)} {_fmt(explore, 8)} "
            f"{coverage(run.top[rows], n_items):6.3f} {run.seconds:7.2f} {run.sensitive_suggested:5d}"
        )
    return "\n".join(lines)


def hyper_parameters(evaluation: Evaluation) -> str:
    """Each baseline's chosen values for both lists, and the search behind them."""
    lines = []
    for run in evaluation.runs:
        if run.chosen is None:
            continue
        lines.append(f"{LABELS[run.name]}:")
        if run.tuning is None:
            lines.append("  stored values (suggestions/evaluation/tuned.py), not searched in this run")
        else:
            search = run.tuning
            lines.append(f"  searched on the tune half: {search.space}")
            lines.append(f"  {search.tried} configurations in {search.seconds:.0f} s")
        top_score = f" (tune R@10 {run.tuning.top_score:.4f})" if run.tuning else ""
        explore_score = f" (tune new-item R@10 {run.tuning.explore_score:.4f})" if run.tuning else ""
        lines.append(f"  list of ten: {run.chosen.top.describe()}{top_score}")
        if BASELINES[run.name].explore_tuned:
            lines.append(f"  new-item list: {run.chosen.explore.describe()}{explore_score}")
        else:
            lines.append(f"  new-item list: popularity's, whatever the values{explore_score}")
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


def dataset_summary(dataset: Dataset, path: object) -> str:
    return (
        f"{path}: {dataset.rows_read} rows read, {dataset.rows_skipped} malformed rows "
        f"skipped, {dataset.rows_dropped} dropped by the format's rules (cancellations, guests); "
        f"{len(dataset.customer_ids)} customers, {len(dataset.product_ids)} products, "
        f"{int(dataset.catalogue.sensitive.sum())} of them sensitive."
    )


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
