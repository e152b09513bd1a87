"""The nightly full refresh: fit once, then swap suggestions in batch by batch, resumably.

A full run fits the population model once (``start_full_run``), stores it on the run
(``suggestions.stored``), and splits the consenting customers into batches of
``SUGGESTIONS_BATCH_SIZE`` by id range. A batch (``compute_batch``) reads and computes its customers'
lists, then swaps them in with one transaction: it locks its batch row, skips it if done meanwhile,
and replaces every suggestion row in its id range (``suggestions.replace``; customers who stopped
consenting lose theirs). So a batch is written at most once however often it is delivered, a worker
that dies mid-batch leaves the old suggestions whole, and calling the refresh again finishes a run
from where it stopped. In one process (``run_full_refresh``) the next batch is computed while the
one before is written.
"""

import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from common import metrics
from suggestions import data, order_lines
from suggestions.cycles import store_cycles
from suggestions.engine import MODEL_VERSION, Config
from suggestions.engine import model as engine_model
from suggestions.models import Suggestion, SuggestionBatch, SuggestionRun
from suggestions.replace import Computed, Inputs, compute, phase, read_inputs, swap_in
from suggestions.stored import dump_model, forget_lines, held_lines_of, remember, remember_catalogue

log = logging.getLogger(__name__)


def engine_config(now: datetime) -> Config:
    return Config(
        now=data.day_of(now),
        k_buy_again=settings.SUGGESTIONS_PER_LIST,
        k_discover=settings.SUGGESTIONS_PER_LIST,
        min_per_list=min(settings.SUGGESTIONS_MIN_PER_LIST, settings.SUGGESTIONS_PER_LIST),
        max_per_category=settings.SUGGESTIONS_MAX_PER_CATEGORY,
        recent_days=settings.SUGGESTIONS_RECENT_DAYS,
        dismiss_days=settings.SUGGESTIONS_DISMISS_DAYS,
        workers=settings.SUGGESTIONS_ENGINE_THREADS,
    )


def fit_model(now: datetime) -> tuple[engine_model.Model, data.ItemIndex, order_lines.HeldLines]:
    """Fit on every consenting customer's history (and guests'); the catalogue and the lines read
    for it are kept for the batches this process computes next, and the products' cycles stored."""
    with phase("load"):
        read_at = timezone.now()
        items = data.item_index()
        catalogue = data.load_catalogue(items)
        lines = order_lines.population_lines(data.consenting_customer_ids())
        customer_ids = np.unique(lines.customer_id)
        interactions = order_lines.to_interactions(lines, items, customer_ids)
        likes = data.stated_likes(customer_ids)
    remember_catalogue(items, catalogue)
    with phase("fit"):
        model = engine_model.fit(interactions, catalogue, engine_config(now), likes)
        store_cycles(model, items, catalogue, engine_config(now), now)
    del interactions, customer_ids, likes
    with phase("load"):
        held = order_lines.HeldLines.of(lines, read_at)
    return model, items, held


def start_full_run(*, now: datetime | None = None) -> SuggestionRun:
    """Fit the model and plan the batches; nothing is written to customers' suggestions yet."""
    now = now or timezone.now()
    model, items, held = fit_model(now)
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
            run.finished_at = finished = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            metrics.refresh_finished(
                kind="full",
                outcome="done",
                seconds=(finished - now).total_seconds(),
                customers=0,
                at=finished.timestamp(),
            )
    remember(run, model, items, held)
    return run


def pending_batches(run: SuggestionRun) -> list[int]:
    return list(run.batches.filter(done_at__isnull=True).order_by("number").values_list("pk", flat=True))


RESUME_HOURS = 20
_FULL_RUN_LOCK = 0x5_0661  # pg_advisory_lock key: one process starts or resumes a full run


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
        failed = SuggestionRun.objects.filter(pk=run.pk, status=SuggestionRun.Status.RUNNING).update(
            status=SuggestionRun.Status.FAILED,
            finished_at=timezone.now(),
            error="Not finished in time; superseded by a new run.",
        )
        if failed:
            metrics.REFRESHES.labels(kind="full", outcome="failed").inc()
        return None
    _finish_if_complete(run.pk)  # every batch may be done already (the last one's worker died)
    run.refresh_from_db(fields=["status", "done_batches"])
    return run if run.status == SuggestionRun.Status.RUNNING else None


def stalled_full_run(*, quiet_for: timedelta) -> SuggestionRun | None:
    """The unfinished full run if it has been quiet for ``quiet_for``: no batch of it finished, and
    its batches were not sent (planned, or sent again), in that time. Its waiting batches were lost
    with a worker or the broker's queue. A fit longer than ``quiet_for`` does not count: the
    batches were sent after it."""
    run = unfinished_full_run()
    if run is None:
        return None
    finished = run.batches.aggregate(last=Max("done_at"))["last"]
    quiet_since = max(moment for moment in (finished, run.batches_sent_at, run.started_at) if moment)
    return run if timezone.now() - quiet_since >= quiet_for else None


def claim_stalled_full_run(*, quiet_for: timedelta) -> SuggestionRun | None:
    """``stalled_full_run``, claimed for sending its waiting batches again: a conditional UPDATE
    stamps ``batches_sent_at`` if no one else did since it was read, so two watchdogs send them once
    between them, and the next quiet period starts now (at most one resend per quiet period)."""
    run = stalled_full_run(quiet_for=quiet_for)
    if run is None:
        return None
    now = timezone.now()
    claimed = SuggestionRun.objects.filter(pk=run.pk, batches_sent_at=run.batches_sent_at).update(
        batches_sent_at=now
    )
    if not claimed:
        return None
    run.batches_sent_at = now
    return run


def note_batches_sent(run: SuggestionRun) -> None:
    """Record that the run's waiting batches were just sent to the workers (see ``stalled_full_run``)."""
    run.batches_sent_at = timezone.now()
    SuggestionRun.objects.filter(pk=run.pk).update(batches_sent_at=run.batches_sent_at)


def current_full_run() -> SuggestionRun:
    """Resume the unfinished full run, or start one; concurrent callers queue, so only one starts.

    The lock is the session's, not a transaction's: the fit reads on connections of its own, which
    must not wait for (nor miss what is in) a transaction held open here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_FULL_RUN_LOCK])
    try:
        return unfinished_full_run() or start_full_run()
    finally:
        if not connection.needs_rollback:  # else the transaction is lost, and the lock with the session
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_FULL_RUN_LOCK])


def compute_batch(batch_id: int) -> int:
    """Compute and swap in one batch (a worker's task); returns how many suggestions it wrote (0 if
    it was done already, here or by another copy of it)."""
    batch = SuggestionBatch.objects.select_related("run").defer("run__model").get(pk=batch_id)
    if batch.done_at is not None:
        _finish_if_complete(batch.run_id)  # a last batch delivered again still finishes its run
        return 0
    held = held_lines_of(batch.run) is not None
    started = time.perf_counter()
    inputs = read_batch(batch)
    read = time.perf_counter()
    computed = compute(inputs)
    computed_at = time.perf_counter()
    written = swap_in_batch(batch, computed)
    # What a batch costs, for operators and bench/refresh.py --workers (which reads this line).
    log.info(
        "suggestion batch %s of run %s done: %s customers, %s suggestions; "
        "read %.3f s (lines %s), compute %.3f s, write %.3f s",
        batch.number,
        batch.run_id,
        len(inputs.customer_ids),
        written,
        read - started,
        "held" if held else "read",
        computed_at - read,
        time.perf_counter() - computed_at,
        extra={"run": batch.run_id, "batch": batch.number, "suggestions": written},
    )
    return written


def read_batch(batch: SuggestionBatch) -> Inputs:
    """What computing a batch needs: its consenting customers, their lines (sliced from the lines
    this process held for the fit, if it fitted the run; else one query) and preferences."""
    ids = data.consenting_customer_ids(between=(batch.first_customer_id, batch.last_customer_id))
    return read_inputs(batch.run, ids, held=held_lines_of(batch.run))


def swap_in_batch(batch: SuggestionBatch, computed: Computed) -> int:
    """One transaction: lock the batch's row, skip it if done meanwhile (another copy of it), else
    replace every suggestion in its id range and count it done. Returns the rows written."""
    written = 0
    customers: int | None = None  # set once this copy of the batch wrote it
    with transaction.atomic():
        # Lock the batch only (not the run, which every batch of the run shares).
        locked = SuggestionBatch.objects.select_for_update().filter(pk=batch.pk)
        done_at = locked.values_list("done_at", flat=True).get()
        if done_at is None:
            written = swap_in(
                batch.run,
                computed,
                clear=Q(customer_id__gte=batch.first_customer_id, customer_id__lte=batch.last_customer_id),
            )
            customers = len(computed.customer_ids)
            SuggestionBatch.objects.filter(pk=batch.pk).update(
                done_at=timezone.now(), customers=customers, suggestions=written
            )
            SuggestionRun.objects.filter(pk=batch.run_id).update(
                done_batches=F("done_batches") + 1,
                customers=F("customers") + customers,
                suggestions=F("suggestions") + written,
            )
    if customers is not None:
        metrics.REFRESH_BATCHES.inc()
        metrics.REFRESHED_CUSTOMERS.labels(kind="full").inc(customers)
    _finish_if_complete(batch.run_id)
    return written


def _finish_if_complete(run_id: int) -> None:
    with transaction.atomic():
        run = SuggestionRun.objects.select_for_update().defer("model").get(pk=run_id)
        if run.status == SuggestionRun.Status.RUNNING and run.done_batches >= run.total_batches:
            run.status = SuggestionRun.Status.DONE
            run.finished_at = finished = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            forget_lines(run)
            log.info("suggestion run finished", extra={"run": run.pk, "suggestions": run.suggestions})
            metrics.refresh_finished(
                kind="full",
                outcome="done",
                seconds=(finished - run.started_at).total_seconds(),
                customers=run.customers,
                at=finished.timestamp(),
            )


def run_full_refresh(*, progress: Callable[[int], object] | None = None) -> SuggestionRun:
    """The whole refresh in this process (``manage.py refresh_suggestions``): resume or start.

    A second thread reads and computes the next batch while this one writes the one before: the
    engine runs on one core while PostgreSQL inserts, indexes and commits on the other. That thread
    reads on a connection of its own, outside any transaction, and never writes; each batch is still
    written here, one transaction each. Inside a transaction (a test's), which another connection
    cannot see, batches are read here too and only the engine's part runs in the second thread.
    """
    run = current_full_run()
    batches = (
        SuggestionBatch.objects.filter(run=run, done_at__isnull=True)
        .select_related("run")
        .defer("run__model")
        .order_by("number")
    )
    read_apart = not connection.in_atomic_block
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="suggestions-engine") as engine:

        def prepare(batch: SuggestionBatch) -> Future[Computed]:
            if read_apart:
                return engine.submit(lambda: compute(read_batch(batch)))
            return engine.submit(compute, read_batch(batch))

        def finish(batch: SuggestionBatch, computing: Future[Computed]) -> None:
            swap_in_batch(batch, computing.result())
            if progress:
                progress(1)

        ahead: deque[tuple[SuggestionBatch, Future[Computed]]] = deque()
        try:
            for batch in batches:
                ahead.append((batch, prepare(batch)))
                if len(ahead) > 1:  # the next one is being computed meanwhile
                    finish(*ahead.popleft())
            while ahead:
                finish(*ahead.popleft())
        finally:
            for _, computing in ahead:
                computing.cancel()
            if read_apart:
                engine.submit(connection.close)  # that thread's own connection
    run.refresh_from_db(fields=["status", "done_batches", "customers", "suggestions", "finished_at"])
    return run
