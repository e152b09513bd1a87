"""Computing a set of customers' suggestions and swapping them in, in the caller's transaction.

Used by both refreshes: a full run's batch (``suggestions.refresh``) and the incremental refresh
(``suggestions.incremental``). Three steps, so that a process can compute one batch while it writes
the one before (``refresh.run_full_refresh``): ``read_inputs`` (PostgreSQL), ``compute`` (the engine
alone, no database) and ``swap_in`` (PostgreSQL, in the caller's transaction).
"""

import dataclasses
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db.models import Q
from django.utils import timezone

from consent.models import ConsentState, PurposeCode
from suggestions import data, order_lines
from suggestions.arrays import copy_on_connection
from suggestions.engine import BUY_AGAIN, DISCOVER, LIST_NAMES, REASON_NAMES, Suggestions
from suggestions.engine import model as engine_model
from suggestions.engine.types import Catalogue, Interactions, LongArray, Preferences
from suggestions.models import Suggestion, SuggestionRun
from suggestions.stored import catalogue_of, model_of

# Seconds spent per phase in this process, for bench/refresh.py: "load" (everything read for the fit),
# "fit", then per batch "read", "compute", "delete" and "write"; ``phase`` adds to it. Phases of
# different threads overlap (a batch computes while the one before is written).
timings: defaultdict[str, float] = defaultdict(float)
_timings_lock = threading.Lock()


@contextmanager
def phase(name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        with _timings_lock:
            timings[name] += time.perf_counter() - started


STORED_LISTS = (BUY_AGAIN, DISCOVER)  # what the card shows; the combined list is for evaluation


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What the engine needs for some customers, as read at ``read_at``."""

    customer_ids: LongArray
    model: engine_model.Model
    items: data.ItemIndex
    catalogue: Catalogue
    interactions: Interactions
    preferences: Preferences
    read_at: datetime


@dataclasses.dataclass(frozen=True)
class Computed:
    """Their lists (``result``: None when there was no one to compute), from inputs read at ``read_at``."""

    customer_ids: LongArray
    items: data.ItemIndex
    result: Suggestions | None
    read_at: datetime


def read_inputs(
    run: SuggestionRun,
    customer_ids: LongArray,
    *,
    model_run: SuggestionRun | None = None,
    held: order_lines.HeldLines | None = None,
    now: datetime | None = None,
) -> Inputs:
    """Read what computing these customers needs: the model (once per process), the catalogue, their
    lines (from ``held``, a full run's, where given, else from PostgreSQL) and what they told us."""
    with phase("read"):
        model, items = model_of(model_run or run)
        now = now or timezone.now()
        catalogue = catalogue_of(items)
        interactions = order_lines.to_interactions(
            order_lines.lines_of(customer_ids, held=held), items, customer_ids
        )
        dismiss_days = model.config.dismiss_days
        preferences = (
            data.load_preferences(customer_ids, items, dismiss_days=dismiss_days)
            if len(customer_ids)
            else Preferences()
        )
    return Inputs(customer_ids, model, items, catalogue, interactions, preferences, now)


def compute(inputs: Inputs) -> Computed:
    """The engine's lists for the inputs' customers; no database (safe in another thread)."""
    result = None
    if len(inputs.customer_ids):
        with phase("compute"):
            config = dataclasses.replace(inputs.model.config, now=data.day_of(inputs.read_at))
            result = inputs.model.recommend(
                np.arange(len(inputs.customer_ids)),
                inputs.interactions,
                inputs.catalogue,
                inputs.preferences,
                config,
            )
    return Computed(inputs.customer_ids, inputs.items, result, inputs.read_at)


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
    selects and insert the new rows of those who still grant the purpose (``swap_in``). ``now`` is
    when the inputs are read (tests pass it to stage a race)."""
    inputs = read_inputs(run, customer_ids, model_run=model_run, held=held, now=now)
    return swap_in(run, compute(inputs), clear=clear)


def swap_in(run: SuggestionRun, computed: Computed, *, clear: Q) -> int:
    """Inside the caller's transaction: delete what ``clear`` selects and insert the computed rows of
    those who still grant the purpose; returns how many.

    The consent check is made again here, under a lock on their consent rows (in id order): a
    withdrawal or an erasure racing with the batch either commits first, and she is skipped, or
    waits for this transaction and then deletes what it wrote. Two refreshes of one customer (a
    nightly batch and an incremental one) queue on the same locks instead of colliding, and the one
    that read her data last wins, whichever commits last (``_newer_elsewhere``).
    """
    customer_ids, result = computed.customer_ids, computed.result
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
        newer = _newer_elsewhere(run, clear, computed.read_at)
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
        _copy_in(run, result, keep, customer_ids, computed.items, computed.read_at)
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


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # binary dates and times count from it
_EPOCH_DAYS = (data.EPOCH - _POSTGRES_EPOCH).days
_MICROSECOND = timedelta(microseconds=1)
_COLUMNS = (
    "customer_id, product_id, list, rank, score, reason, anchor_product_id, anchor_on, reason_value, "
    "times_bought, model_version, run_id, created_at"
)


def _copy_in(
    run: SuggestionRun,
    result: Suggestions,
    keep: np.ndarray,
    customer_ids: LongArray,
    items: data.ItemIndex,
    now: datetime,
) -> None:
    """Write the kept rows with one binary COPY."""
    payload = binary_rows(run, result, keep, customer_ids, items, now)
    table = Suggestion._meta.db_table
    with copy_on_connection(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(payload)


def binary_rows(
    run: SuggestionRun,
    result: Suggestions,
    keep: np.ndarray,
    customer_ids: LongArray,
    items: data.ItemIndex,
    now: datetime,
) -> bytes:
    """The kept rows in PostgreSQL's binary COPY format, built by numpy without a loop over rows.

    In PostgreSQL's binary format every row of one layout has the same bytes in the same places: the
    layout is fixed by the list and the reason (the lengths of their names) and by which of the
    anchor, its date and the reason's value are NULL (no bytes). So the rows are grouped by layout,
    and each group is one numpy record array (big-endian fields, each after its length) turned into
    bytes at once; within a group rows stay in customer order.
    """
    anchor = result.anchor_item[keep]
    anchor_day = result.anchor_day[keep]
    reasons = result.reason[keep].astype(np.int64)
    if len(reasons) and (reasons.min() < min(REASON_NAMES) or reasons.max() > max(REASON_NAMES)):
        raise ValueError(f"The engine gave a reason code outside {sorted(REASON_NAMES)}.")
    reason_value = result.reason_value[keep]
    rows = {
        "customer": customer_ids[result.customer[keep]],
        "product": items.product_ids[result.item[keep]],
        "rank": result.rank[keep],
        "score": result.score[keep].astype(np.float64),
        "anchor": items.product_ids[np.maximum(anchor, 0)],
        "anchor_on": np.nan_to_num(anchor_day).astype(np.int64) + _EPOCH_DAYS,
        "reason_value": reason_value,
        "times_bought": np.minimum(result.times_bought[keep], 32_767),
    }
    lists = result.list[keep].astype(np.int64)
    layout = (
        (lists * (max(REASON_NAMES) + 1) + reasons) * 8
        + (anchor < 0) * 4
        + np.isnan(anchor_day) * 2
        + (reason_value < 0)
    )
    created_at = (now - _POSTGRES_EPOCH) // _MICROSECOND
    order = np.argsort(layout, kind="stable")
    starts = np.flatnonzero(np.r_[True, layout[order][1:] != layout[order][:-1]])
    parts = [_COPY_HEADER]
    for start, stop in zip(starts, [*starts[1:], len(order)], strict=True):
        which = order[start:stop]
        code = int(layout[which[0]])
        list_name = LIST_NAMES[code // 8 // (max(REASON_NAMES) + 1)]
        reason_name = REASON_NAMES[code // 8 % (max(REASON_NAMES) + 1)]
        parts.append(
            _records(
                {name: values[which] for name, values in rows.items()},
                list_name=list_name.encode(),
                reason_name=reason_name.encode(),
                nulls={"anchor": bool(code & 4), "anchor_on": bool(code & 2), "reason_value": bool(code & 1)},
                model_version=result.model_version.encode(),
                run=run.pk,
                created_at=created_at,
            )
        )
    parts.append(_COPY_TRAILER)
    return b"".join(parts)


def _records(
    rows: dict[str, np.ndarray],
    *,
    list_name: bytes,
    reason_name: bytes,
    nulls: dict[str, bool],
    model_version: bytes,
    run: int,
    created_at: int,
) -> bytes:
    """Rows of one layout in PostgreSQL's binary COPY format (see ``_copy_in``)."""
    fields: list[tuple[str, str, object]] = [  # (column, type as sent, value: array or constant)
        ("customer", ">i8", rows["customer"]),
        ("product", ">i8", rows["product"]),
        ("list", f"S{len(list_name)}", list_name),
        ("rank", ">i2", rows["rank"]),
        ("score", ">f8", rows["score"]),
        ("reason", f"S{len(reason_name)}", reason_name),
        ("anchor", ">i8", rows["anchor"]),
        ("anchor_on", ">i4", rows["anchor_on"]),
        ("reason_value", ">i4", rows["reason_value"]),
        ("times_bought", ">i2", rows["times_bought"]),
        ("model_version", f"S{len(model_version)}", model_version),
        ("run", ">i8", run),
        ("created_at", ">i8", created_at),
    ]
    layout: list[tuple[str, str]] = [("fields", ">i2")]
    for name, kind, _ in fields:
        layout.append((f"{name}.length", ">i4"))
        if not nulls.get(name):
            layout.append((name, kind))
    records = np.empty(len(rows["customer"]), dtype=np.dtype(layout))
    records["fields"] = len(fields)
    for name, kind, value in fields:
        if nulls.get(name):
            records[f"{name}.length"] = -1
            continue
        records[f"{name}.length"] = np.dtype(kind).itemsize
        records[name] = value
    return records.tobytes()
