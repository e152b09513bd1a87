"""Computing suggestions and swapping them in: full runs in batches, and incremental refreshes.

A full run fits the population model once (``start_full_run``), stores it on the run, and splits the
consenting customers into batches of ``SUGGESTIONS_BATCH_SIZE`` by id range. Each batch
(``compute_batch``) is one transaction: it locks its batch row, skips it if already done, computes
its customers' lists and replaces every suggestion row in its id range (customers who stopped
consenting lose theirs). So a batch runs at most once however often it is delivered, a worker that
dies mid-batch leaves the old suggestions whole, and ``resume`` finishes a run from where it stopped.

An incremental refresh (``refresh_customers``) recomputes a few customers with the newest full
run's model, in one transaction.
"""

import dataclasses
import io
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from consent.models import ConsentEvent, ConsentState, PurposeCode
from customers.models import Preference, Size
from sales.models import Order
from suggestions import data
from suggestions.engine import (
    BUY_AGAIN,
    DISCOVER,
    LIST_NAMES,
    MODEL_VERSION,
    REASON_NAMES,
    Catalogue,
    Config,
    Suggestions,
)
from suggestions.engine import model as engine_model
from suggestions.engine.types import LongArray
from suggestions.models import Feedback, Suggestion, SuggestionBatch, SuggestionRun

log = logging.getLogger(__name__)

# Seconds spent per phase in this process ("read", "fit", "compute", "delete", "write"), for
# bench/refresh.py.
timings: defaultdict[str, float] = defaultdict(float)


@contextmanager
def _phase(name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] += time.perf_counter() - started


STORED_LISTS = (BUY_AGAIN, DISCOVER)  # what the card shows; the combined list is for evaluation


def engine_config(now: datetime) -> Config:
    return Config(
        now=data.day_of(now),
        k_buy_again=settings.SUGGESTIONS_PER_LIST,
        k_discover=settings.SUGGESTIONS_PER_LIST,
        max_per_category=settings.SUGGESTIONS_MAX_PER_CATEGORY,
        recent_days=settings.SUGGESTIONS_RECENT_DAYS,
        dismiss_days=settings.SUGGESTIONS_DISMISS_DAYS,
        workers=settings.SUGGESTIONS_ENGINE_THREADS,
    )


# --- the fitted model, stored on the run ---------------------------------------------------------


def dump_model(model: engine_model.Model, items: data.ItemIndex) -> bytes:
    """The model's arrays in an ``.npz`` (no pickle: a database row must never run code)."""
    arrays: dict[str, np.ndarray] = {"product_ids": items.product_ids}
    scalars: dict[str, object] = {}
    for spec in dataclasses.fields(model):
        value = getattr(model, spec.name)
        if sp.issparse(value):
            csr = value.tocsr()
            arrays |= {
                f"{spec.name}.data": csr.data,
                f"{spec.name}.indices": csr.indices,
                f"{spec.name}.indptr": csr.indptr,
                f"{spec.name}.shape": np.array(csr.shape),
            }
        elif isinstance(value, np.ndarray):
            arrays[spec.name] = value
        elif isinstance(value, Config):
            scalars[spec.name] = {"__config__": dataclasses.asdict(value)}
        else:
            scalars[spec.name] = value
    arrays["__scalars__"] = np.array(json.dumps(scalars))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_model(blob: bytes) -> tuple[engine_model.Model, data.ItemIndex]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    scalars = json.loads(str(arrays.pop("__scalars__")))
    values: dict[str, object] = {}
    for spec in dataclasses.fields(engine_model.Model):
        if f"{spec.name}.data" in arrays:
            shape = tuple(int(n) for n in arrays[f"{spec.name}.shape"])
            values[spec.name] = sp.csr_matrix(
                (arrays[f"{spec.name}.data"], arrays[f"{spec.name}.indices"], arrays[f"{spec.name}.indptr"]),
                shape=shape,
            )
        elif spec.name in arrays:
            values[spec.name] = arrays[spec.name]
        elif spec.name in scalars:
            value = scalars[spec.name]
            values[spec.name] = (
                Config(**value["__config__"]) if isinstance(value, dict) and "__config__" in value else value
            )
    return engine_model.Model(**values), data.ItemIndex(arrays["product_ids"].astype(np.int64))  # type: ignore[arg-type]


_loaded: dict[int, tuple[engine_model.Model, data.ItemIndex]] = {}


def model_of(run: SuggestionRun) -> tuple[engine_model.Model, data.ItemIndex]:
    """The run's model, read once per process (a worker computes many batches of one run)."""
    if run.pk not in _loaded:
        blob = SuggestionRun.objects.filter(pk=run.pk).values_list("model", flat=True).get()
        if blob is None:
            raise ValueError(f"Run {run.pk} has no fitted model.")
        _loaded.clear()
        _loaded[run.pk] = load_model(bytes(blob))
    return _loaded[run.pk]


_catalogue: list[tuple[data.ItemIndex, float, Catalogue]] = []
CATALOGUE_SECONDS = 300


def catalogue_of(items: data.ItemIndex) -> Catalogue:
    """The catalogue (attributes and stock) for this item index, re-read at most every 5 minutes."""
    if (
        not _catalogue
        or _catalogue[0][0] is not items
        or time.monotonic() - _catalogue[0][1] > CATALOGUE_SECONDS
    ):
        _catalogue[:] = [(items, time.monotonic(), data.load_catalogue(items))]
    return _catalogue[0][2]


# --- full runs -----------------------------------------------------------------------------------


def fit_model(now: datetime) -> tuple[engine_model.Model, data.ItemIndex]:
    """Fit on every consenting customer's history (and guests'); the catalogue read for it is kept
    for the batches this process computes next."""
    with _phase("read"):
        items = data.item_index()
        catalogue = data.load_catalogue(items)
        lines = data.population_lines()
        customer_ids = np.unique(lines.customer_id)
        interactions = data.to_interactions(lines, items, customer_ids)
    _catalogue[:] = [(items, time.monotonic(), catalogue)]
    with _phase("fit"):
        return engine_model.fit(interactions, catalogue, engine_config(now)), items


def start_full_run(*, now: datetime | None = None) -> SuggestionRun:
    """Fit the model and plan the batches; nothing is written to customers' suggestions yet."""
    now = now or timezone.now()
    model, items = fit_model(now)
    ids = data.consenting_customer_ids()
    size = settings.SUGGESTIONS_BATCH_SIZE
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
    with transaction.atomic():
        run = SuggestionRun.objects.create(
            kind=SuggestionRun.Kind.FULL,
            model_version=MODEL_VERSION,
            started_at=now,
            as_of=now,
            total_batches=len(chunks),
            model=dump_model(model, items),
        )
        SuggestionBatch.objects.bulk_create(
            SuggestionBatch(
                run=run,
                number=number,
                # The first batch also sweeps ids below it and the last ids above it, so a customer
                # who stopped consenting loses her suggestions wherever her id falls.
                first_customer_id=0 if number == 0 else int(chunk[0]),
                last_customer_id=2**62 if number == len(chunks) - 1 else int(chunks[number + 1][0]) - 1,
            )
            for number, chunk in enumerate(chunks)
        )
        if not chunks:
            Suggestion.objects.all().delete()
            run.status = SuggestionRun.Status.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
    _loaded[run.pk] = (model, items)
    return run


def pending_batches(run: SuggestionRun) -> list[int]:
    return list(run.batches.filter(done_at__isnull=True).order_by("number").values_list("pk", flat=True))


RESUME_HOURS = 20
_FULL_RUN_LOCK = 0x5_0661  # pg_advisory_xact_lock key: one process starts or resumes a full run


def unfinished_full_run() -> SuggestionRun | None:
    """The newest full run still running, if it is recent and of the current model version (resume
    it); an older one is marked failed, so tonight's starts afresh."""
    run = (
        SuggestionRun.objects.filter(kind=SuggestionRun.Kind.FULL)
        .defer("model")
        .order_by("-started_at")
        .first()
    )
    if run is None or run.status != SuggestionRun.Status.RUNNING:
        return None
    too_old = timezone.now() - run.started_at > timedelta(hours=RESUME_HOURS)
    if too_old or run.model_version != MODEL_VERSION:
        SuggestionRun.objects.filter(pk=run.pk).update(
            status=SuggestionRun.Status.FAILED,
            finished_at=timezone.now(),
            error="Not finished in time; superseded by a new run.",
        )
        return None
    _finish_if_complete(run.pk)  # every batch may be done already (the last one's worker died)
    run.refresh_from_db(fields=["status", "done_batches"])
    return run if run.status == SuggestionRun.Status.RUNNING else None


def current_full_run() -> SuggestionRun:
    """Resume the unfinished full run, or start one; concurrent callers queue, so only one starts."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FULL_RUN_LOCK])
        return unfinished_full_run() or start_full_run()


def compute_batch(batch_id: int) -> int:
    """Compute and swap in one batch; returns how many suggestions it wrote (0 if already done)."""
    written = 0
    with transaction.atomic():
        # Lock the batch only (not the run, which every batch of the run shares), without the model.
        batch = (
            SuggestionBatch.objects.select_for_update(of=("self",))
            .select_related("run")
            .defer("run__model")
            .get(pk=batch_id)
        )
        run = batch.run
        if batch.done_at is None:
            ids = data.consenting_customer_ids(between=(batch.first_customer_id, batch.last_customer_id))
            written = _replace(
                run,
                ids,
                clear=Q(customer_id__gte=batch.first_customer_id, customer_id__lte=batch.last_customer_id),
            )
            batch.done_at = timezone.now()
            batch.customers = len(ids)
            batch.suggestions = written
            batch.save(update_fields=["done_at", "customers", "suggestions"])
            SuggestionRun.objects.filter(pk=run.pk).update(
                done_batches=F("done_batches") + 1,
                customers=F("customers") + len(ids),
                suggestions=F("suggestions") + written,
            )
    # Also when it was done already: a last batch delivered again (its worker died after committing)
    # still finishes its run.
    _finish_if_complete(run.pk)
    return written


def _finish_if_complete(run_id: int) -> None:
    with transaction.atomic():
        run = SuggestionRun.objects.select_for_update().defer("model").get(pk=run_id)
        if run.status == SuggestionRun.Status.RUNNING and run.done_batches >= run.total_batches:
            run.status = SuggestionRun.Status.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            log.info("suggestion run finished", extra={"run": run.pk, "suggestions": run.suggestions})


def run_full_refresh(*, progress: Callable[[int], None] | None = None) -> SuggestionRun:
    """The whole refresh in this process (the management command's ``--sync``): resume or start."""
    run = current_full_run()
    for batch_id in pending_batches(run):
        compute_batch(batch_id)
        if progress:
            progress(1)
    run.refresh_from_db(fields=["status", "done_batches", "customers", "suggestions", "finished_at"])
    return run


# --- incremental ---------------------------------------------------------------------------------


def latest_model_run() -> SuggestionRun | None:
    return (
        SuggestionRun.objects.filter(
            kind=SuggestionRun.Kind.FULL, model__isnull=False, model_version=MODEL_VERSION
        )
        .exclude(status=SuggestionRun.Status.FAILED)
        .defer("model")
        .order_by("-started_at")
        .first()
    )


def changed_since(moment: datetime) -> set[int]:
    """Customers with new orders, preferences, sizes, feedback or a suggestions grant since ``moment``."""
    changed: set[int] = set()
    for queryset in (
        Order.objects.filter(created_at__gte=moment, customer__isnull=False),
        Preference.objects.filter(updated_at__gte=moment),
        Size.objects.filter(updated_at__gte=moment),
        Feedback.objects.filter(at__gte=moment),
        ConsentEvent.objects.filter(
            recorded_at__gte=moment, purpose_id=PurposeCode.SUGGESTIONS, granted=True
        ),
    ):
        changed.update(queryset.values_list("customer_id", flat=True).distinct())
    return changed


def refresh_customers(customer_ids: Iterable[int], *, run: SuggestionRun | None = None) -> int:
    """Recompute these customers now with the newest full run's model, a batch at a time; returns
    rows written. Customers who no longer consent just lose their rows."""
    ids = sorted({int(pk) for pk in customer_ids})
    model_run = latest_model_run()
    if not ids or model_run is None:
        return 0
    written = 0
    size = settings.SUGGESTIONS_BATCH_SIZE
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        with transaction.atomic():
            consenting = data.keep_consenting(chunk)
            written += _replace(
                run or model_run, consenting, clear=Q(customer_id__in=chunk), model_run=model_run
            )
    return written


# Changes are looked for from this long before the last finished refresh, so a row stamped before
# that refresh's start but committed after it was read is not missed (refreshing twice is harmless).
CHANGE_MARGIN = timedelta(minutes=10)
_INCREMENTAL_LOCK = 0x5_0662


def run_incremental_refresh(*, now: datetime | None = None) -> SuggestionRun | None:
    """Refresh everyone whose data changed since the last finished refresh (full or incremental).
    Skipped while another incremental refresh runs; a failure is recorded and retried next time."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_INCREMENTAL_LOCK])
        if not cursor.fetchone()[0]:
            return None
    try:
        previous = (
            SuggestionRun.objects.filter(status=SuggestionRun.Status.DONE)
            .order_by("-as_of")
            .values_list("as_of", flat=True)
            .first()
        )
        if previous is None or latest_model_run() is None:
            return None
        ids = changed_since(previous - CHANGE_MARGIN)
        run = SuggestionRun.objects.create(
            kind=SuggestionRun.Kind.INCREMENTAL,
            model_version=MODEL_VERSION,
            started_at=now,
            as_of=now,
            total_batches=1,
        )
        try:
            written = refresh_customers(ids, run=run)
        except Exception as error:
            SuggestionRun.objects.filter(pk=run.pk).update(
                status=SuggestionRun.Status.FAILED, finished_at=timezone.now(), error=repr(error)[:2000]
            )
            raise
        SuggestionRun.objects.filter(pk=run.pk).update(
            status=SuggestionRun.Status.DONE,
            finished_at=timezone.now(),
            done_batches=1,
            customers=len(ids),
            suggestions=written,
        )
        run.refresh_from_db(fields=["status", "customers", "suggestions", "finished_at"])
        return run
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_INCREMENTAL_LOCK])


# --- computing and writing -----------------------------------------------------------------------


def _replace(
    run: SuggestionRun, customer_ids: LongArray, *, clear: Q, model_run: SuggestionRun | None = None
) -> int:
    """Compute these customers' lists, then (inside the caller's transaction) delete what ``clear``
    selects and insert the new rows of those who still grant the purpose.

    The consent check is made again at the end, under a lock on their consent rows (in id order):
    a withdrawal or an erasure racing with the batch either commits first, and she is skipped, or
    waits for this transaction and then deletes what it wrote. Two refreshes of one customer (a
    nightly batch and an incremental one) queue on the same locks instead of colliding.
    """
    with _phase("read"):
        model, items = model_of(model_run or run)
    now = timezone.now()
    config = dataclasses.replace(model.config, now=data.day_of(now))
    result = None
    if len(customer_ids):
        with _phase("read"):
            catalogue = catalogue_of(items)
            interactions = data.to_interactions(data.lines_of(customer_ids), items, customer_ids)
            preferences = data.load_preferences(customer_ids, items, dismiss_days=config.dismiss_days)
        with _phase("compute"):
            result = model.recommend(
                np.arange(len(customer_ids)), interactions, catalogue, preferences, config
            )
    with _phase("write"):
        still = set(
            ConsentState.objects.select_for_update(of=("self",), no_key=True)
            .filter(
                customer_id__in=customer_ids.tolist(),
                purpose_id=PurposeCode.SUGGESTIONS,
                granted=True,
                customer__merged_into__isnull=True,
                customer__erased_at__isnull=True,
            )
            .order_by("customer_id")
            .values_list("customer_id", flat=True)
        )
    with _phase("delete"):
        Suggestion.objects.filter(clear).delete()
    if result is None:
        return 0
    keep = np.isin(result.list, STORED_LISTS) & np.isin(customer_ids[result.customer], list(still))
    if not keep.any():
        return 0
    with _phase("write"):
        _copy_in(run, result, keep, customer_ids, items, now)
    return int(keep.sum())


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
