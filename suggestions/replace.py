"""Computing a set of customers' suggestions and swapping them in, in the caller's transaction.

Used by both refreshes: a full run's batch (``suggestions.refresh``) and the incremental refresh
(``suggestions.incremental``).
"""

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from consent.models import ConsentState, PurposeCode
from suggestions import data, order_lines
from suggestions.engine import BUY_AGAIN, DISCOVER, LIST_NAMES, REASON_NAMES, Suggestions
from suggestions.engine.types import LongArray
from suggestions.models import Suggestion, SuggestionRun
from suggestions.stored import catalogue_of, model_of

# Seconds spent per phase in this process, for bench/refresh.py: "load" (everything read for the fit),
# "fit", then per batch "read", "compute", "delete" and "write"; ``phase`` adds to it.
timings: defaultdict[str, float] = defaultdict(float)


@contextmanager
def phase(name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] += time.perf_counter() - started


STORED_LISTS = (BUY_AGAIN, DISCOVER)  # what the card shows; the combined list is for evaluation


def replace_suggestions(
    run: SuggestionRun,
    customer_ids: LongArray,
    *,
    clear: Q,
    model_run: SuggestionRun | None = None,
    held: order_lines.HeldLines | None = None,
    now: datetime | None = None,
) -> int:
    """Compute these customers' lists, then (inside the caller's transaction) delete what ``clear``
    selects and insert the new rows of those who still grant the purpose. Their lines come from
    ``held`` (a full run's, read for its fit) where given, else from PostgreSQL.

    The consent check is made again at the end, under a lock on their consent rows (in id order):
    a withdrawal or an erasure racing with the batch either commits first, and she is skipped, or
    waits for this transaction and then deletes what it wrote. Two refreshes of one customer (a
    nightly batch and an incremental one) queue on the same locks instead of colliding, and the one
    that read her data last wins, whichever commits last (``_newer_elsewhere``). ``now`` is when the
    inputs are read (tests pass it to stage a race).
    """
    with phase("read"):
        model, items = model_of(model_run or run)
    now = now or timezone.now()
    config = dataclasses.replace(model.config, now=data.day_of(now))
    result = None
    if len(customer_ids):
        with phase("read"):
            catalogue = catalogue_of(items)
            interactions = order_lines.to_interactions(
                order_lines.lines_of(customer_ids, held=held), items, customer_ids
            )
            preferences = data.load_preferences(customer_ids, items, dismiss_days=config.dismiss_days)
        with phase("compute"):
            result = model.recommend(
                np.arange(len(customer_ids)), interactions, catalogue, preferences, config
            )
    with phase("write"):
        still = set(
            ConsentState.objects.select_for_update(of=("self",), no_key=True)
            .filter(
                customer_id__in=data.any_of(customer_ids),
                purpose_id=PurposeCode.SUGGESTIONS,
                granted=True,
                customer__merged_into__isnull=True,
                customer__erased_at__isnull=True,
            )
            .order_by("customer_id")
            .values_list("customer_id", flat=True)
        )
        newer = _newer_elsewhere(run, clear, now)
    with phase("delete"):
        stale = Suggestion.objects.filter(clear)
        if newer:
            stale = stale.exclude(customer_id__in=data.any_of(newer))
        stale.delete()
    if result is None:
        return 0
    keep = np.isin(result.list, STORED_LISTS) & np.isin(customer_ids[result.customer], list(still - newer))
    if not keep.any():
        return 0
    with phase("write"):
        _copy_in(run, result, keep, customer_ids, items, now)
    return int(keep.sum())


def _newer_elsewhere(run: SuggestionRun, clear: Q, moment: datetime) -> set[int]:
    """Customers within ``clear`` whose rows another refresh wrote from data read after ``moment``
    (say, an incremental refresh that saw her order of a minute ago, committed while this nightly
    batch computed): their rows are newer than ours would be, so they stay. Only refreshes still
    running at ``moment`` can have written such rows, and usually there are none to look for."""
    others = list(
        SuggestionRun.objects.exclude(pk=run.pk)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gt=moment))
        .values_list("pk", flat=True)
    )
    if not others:
        return set()
    return set(
        Suggestion.objects.filter(clear, run_id__in=others, created_at__gt=moment)
        .values_list("customer_id", flat=True)
        .distinct()
    )


_NULL = np.array([r"\N"])


def _column(values: np.ndarray, *, null_below: int | None = None) -> np.ndarray:
    """Text for COPY, one string per row; values below ``null_below`` are NULL."""
    text = values.astype(str)
    if null_below is not None:
        text = np.where(values < null_below, _NULL, text)
    return text


def _copy_in(
    run: SuggestionRun,
    result: Suggestions,
    keep: np.ndarray,
    customer_ids: LongArray,
    items: data.ItemIndex,
    now: datetime,
) -> None:
    """Write the kept rows with one COPY: each column turned to text by numpy, the lines joined in one
    pass (what lets a million customers' lists be written in seconds)."""
    anchor = result.anchor_item[keep]
    anchor_product = np.where(anchor >= 0, items.product_ids[np.maximum(anchor, 0)], -1)
    anchor_day = result.anchor_day[keep]
    anchor_on = np.where(
        np.isnan(anchor_day),
        _NULL,
        (np.datetime64(data.EPOCH.date(), "D") + np.nan_to_num(anchor_day).astype(np.int64)).astype(str),
    )
    list_names = np.array(LIST_NAMES)
    reasons = result.reason[keep]
    if len(reasons) and (reasons.min() < min(REASON_NAMES) or reasons.max() > max(REASON_NAMES)):
        raise ValueError(f"The engine gave a reason code outside {sorted(REASON_NAMES)}.")
    reason_names = np.array([REASON_NAMES.get(n, "") for n in range(max(REASON_NAMES) + 1)])
    columns = [
        _column(customer_ids[result.customer[keep]]),
        _column(items.product_ids[result.item[keep]]),
        list_names[result.list[keep]],
        _column(result.rank[keep]),
        np.char.mod("%.6g", result.score[keep].astype(np.float64)),
        reason_names[reasons],
        _column(anchor_product, null_below=0),
        anchor_on,
        _column(result.reason_value[keep], null_below=0),
        _column(np.minimum(result.times_bought[keep], 32_767)),
    ]
    constant = f"\t{result.model_version}\t{run.pk}\t{now.isoformat()}"
    rows = zip(*(column.tolist() for column in columns), strict=True)
    payload = "".join(f"{chr(9).join(row)}{constant}\n" for row in rows).encode()
    table = Suggestion._meta.db_table
    fields = (
        "customer_id, product_id, list, rank, score, reason, anchor_product_id, anchor_on, reason_value, "
        "times_bought, model_version, run_id, created_at"
    )
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({fields}) FROM STDIN") as copy:
        copy.write(payload)
