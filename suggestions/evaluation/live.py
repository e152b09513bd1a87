"""The evaluation's live half, on the suggestions' side: the training rows as a sales file, and the
lists the refresh stored, read back into the evaluation's indices.

The live evaluation (``integrations.live_evaluation``) imports the training rows through the real
import, grants the purpose, runs the real refresh and scores what it stored. Two pieces of it belong
here, beside the protocol they must agree with:

- ``write_training_rows``: every row the offline methods learn from (the held-out last orders left
  out) as a generic sales file (``customer_id,order_id,product_id,ordered_at,quantity,category``),
  each product in the category the offline evaluation gives it. Times are moved ``shift_days``
  later: the refresh's "now" is the clock's, so the history is made to end then, as a retailer's
  current data would; offline's now is the latest training order.
- ``write_replenishable_products`` (optional): a products file saying every one of them is
  replenishable; without it the import says nothing and the engine learns which are bought again,
  as the offline evaluation does.
- ``served_lists``: what the card shows her, read from ``Suggestion``. The product stores two lists,
  Buy again and Discover (sharing ``2 * SUGGESTIONS_PER_LIST`` places as her combined ranking does,
  each with at least ``SUGGESTIONS_MIN_PER_LIST``), and no list of ten: her ten are both lists
  merged by their stored scores (the score the engine's own combined list is ranked by; ties: Buy
  again first, then rank), the first ``k`` of them. Her new-item list is her Discover list.
"""

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from catalog.models import Product
from customers.models import CustomerIdentifier
from suggestions.data import any_of
from suggestions.engine.types import BoolArray, IntArray
from suggestions.evaluation.metrics import score_lists
from suggestions.evaluation.protocol import Holdout
from suggestions.evaluation.readers import NO_CATEGORY, SECONDS_PER_DAY, Dataset
from suggestions.evaluation.runner import Evaluation
from suggestions.models import Suggestion, SuggestionList

TOLERANCE = 0.10
"""Live within this share of offline counts as the same (the issue's promise)."""
HEADER = ("customer_id", "order_id", "product_id", "ordered_at", "quantity", "category")
MEASURES = ("R@10", "NDCG@10", "rep R@10", "new R@10", "new list")
# Her ten: the lists in this order where scores tie (Buy again's are chances, Discover's are not).
_LIST_ORDER = {SuggestionList.BUY_AGAIN: 0, SuggestionList.DISCOVER: 1}


def write_training_rows(dataset: Dataset, holdout: Holdout, path: Path, *, shift_days: float) -> int:
    """Write ``holdout.train`` to ``path`` as a generic sales file, its times ``shift_days`` later;
    returns the rows written. Order ids are the evaluation's (one per customer and order)."""
    train = holdout.train
    days, day_of_row = np.unique(train.day, return_inverse=True)
    moments = [
        datetime.fromtimestamp((day + shift_days) * SECONDS_PER_DAY, UTC).isoformat() for day in days.tolist()
    ]
    names = [name if name != NO_CATEGORY else "" for name in dataset.category_names]
    category = dataset.catalogue.category
    quantities = [str(int(value)) if value.is_integer() else str(value) for value in train.quantity.tolist()]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(
            zip(
                dataset.customer_ids[train.customer].tolist(),
                [f"o{basket}" for basket in train.basket.tolist()],
                dataset.product_ids[train.item].tolist(),
                [moments[at] for at in day_of_row.tolist()],
                quantities,
                [names[at] for at in category[train.item].tolist()],
                strict=True,
            )
        )
    return len(train.customer)


def write_replenishable_products(dataset: Dataset, holdout: Holdout, path: Path) -> int:
    """Write every product of ``holdout.train`` as replenishable, in the products file the import reads
    (``product_id,name,replenishable``; the name is the id, as a sales file names a new product):
    what the offline evaluation assumes of every item (``Catalogue.plain``). Returns how many."""
    codes = dataset.product_ids[np.unique(holdout.train.item)].tolist()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("product_id", "name", "replenishable"))
        writer.writerows((code, code, "true") for code in codes)
    return len(codes)


@dataclass(frozen=True)
class ServedLists:
    """Per evaluated customer (rows as ``holdout.customers``), items as the dataset's, -1 padded."""

    top: IntArray
    """Her ten: her Buy again and Discover lists merged by score."""
    discover: IntArray
    """Her Discover list, in its order."""
    rows: int
    """Suggestion rows read for the evaluated customers."""
    items: IntArray
    """Every item those rows suggest (one entry per row), to count the sensitive ones."""


def served_lists(dataset: Dataset, holdout: Holdout, *, namespace: str, k: int) -> ServedLists:
    """The stored suggestions of the evaluated customers, who are the customers holding their file
    id as an external identifier in ``namespace``, and products by SKU (the file's product id)."""
    codes = dataset.customer_ids[holdout.customers]
    customer_of = dict(
        CustomerIdentifier.objects.filter(
            kind=CustomerIdentifier.Kind.EXTERNAL, namespace=namespace, value__in=codes.tolist()
        ).values_list("customer_id", "value")
    )
    rows = list(
        Suggestion.objects.filter(customer_id__in=any_of(list(customer_of)))
        .order_by()
        .values_list("customer_id", "product_id", "list", "rank", "score")
    )
    sku_of = dict(Product.objects.filter(pk__in=any_of({row[1] for row in rows})).values_list("pk", "sku"))
    row, _ = _positions(codes, [customer_of[r[0]] for r in rows])
    item, known = _positions(dataset.product_ids, [sku_of[r[1]] for r in rows])
    which = np.array([_LIST_ORDER[SuggestionList(r[2])] for r in rows], dtype=np.int64)
    rank = np.array([r[3] for r in rows], dtype=np.int64)
    score = np.array([r[4] for r in rows], dtype=np.float64)
    row, item, which, rank, score = row[known], item[known], which[known], rank[known], score[known]
    n = len(holdout.customers)
    top = _first_k(row, item, np.lexsort((rank, which, -score, row)), n, k)
    at = np.flatnonzero(which == _LIST_ORDER[SuggestionList.DISCOVER])
    explore = _first_k(row[at], item[at], np.lexsort((rank[at], row[at])), n, k)
    return ServedLists(top=top, discover=explore, rows=len(rows), items=item.astype(np.int32))


def _positions(ordered: np.ndarray, values: list[str]) -> tuple[IntArray, np.ndarray]:
    """Where each of ``values`` is in the sorted array ``ordered``, and whether it is there at all."""
    wanted = np.array(values, dtype=str)
    at = np.minimum(np.searchsorted(ordered, wanted), max(len(ordered) - 1, 0)).astype(np.int32)
    found = ordered[at] == wanted if len(ordered) else np.zeros(len(wanted), dtype=bool)
    return at, found


def _first_k(row: IntArray, item: IntArray, order: np.ndarray, n_rows: int, k: int) -> IntArray:
    """An (n_rows, k) array of each row's first ``k`` items in ``order`` (grouped by row), -1 padded."""
    row, item = row[order], item[order]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if len(row) else np.empty(0, np.int64)
    position = np.arange(len(row)) - np.repeat(starts, np.diff(np.r_[starts, len(row)]))
    top = np.full((n_rows, k), -1, dtype=np.int32)
    keep = position < k
    top[row[keep], position[keep]] = item[keep]
    return top


def against_offline(evaluation: Evaluation, rows: BoolArray, *, live: str = "live") -> str:
    """Each measure of the ``live`` run beside the offline engine's, on ``rows``, with the change: in
    per cent, or as a difference where offline is below 0.01 (a ratio to next to nothing says
    nothing); and whether Recall@10 and NDCG@10, the headline measures, are within ``TOLERANCE``."""
    runs = {run.name: run for run in evaluation.runs}
    holdout = evaluation.holdout
    figures = {}
    for name in ("engine", live):
        scores = score_lists(runs[name].top, holdout.truth, holdout.seen, rows=rows)
        explore = score_lists(runs[name].explore, holdout.truth, holdout.seen, rows=rows).new_recall
        figures[name] = (scores.recall, scores.ndcg, scores.repeat_recall, scores.new_recall, explore)
    parts = []
    for label, offline, served in zip(MEASURES, figures["engine"], figures[live], strict=True):
        if math.isnan(offline) or math.isnan(served):
            change = ""
        elif offline < 0.01:
            change = f" ({served - offline:+.3f})"
        else:
            change = f" ({served / offline - 1:+.0%})"
        parts.append(f"{label} {served:.3f} / {offline:.3f}{change}")
    headline = zip(figures["engine"][:2], figures[live][:2], strict=True)
    within = all(abs(served - offline) <= TOLERANCE * offline for offline, served in headline)
    verdict = "within" if within else "not within"
    return f"live / offline engine: {', '.join(parts)}; R@10 and NDCG@10 {verdict} {TOLERANCE:.0%}"
