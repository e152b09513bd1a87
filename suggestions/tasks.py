"""Celery interfaces to the refresh. Tasks carry run and batch ids only.

``refresh_all`` (beat, nightly) fits the model, plans the batches and fans them out as
``refresh_batch`` tasks, one per batch, that any worker may take. Batches are acknowledged late and
rejected when their worker dies, so the broker hands them to another worker; a batch already done is
skipped. Calling ``refresh_all`` while a run of the current model is unfinished resumes that run.
"""

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from suggestions import incremental, refresh

logger = logging.getLogger(__name__)

RETRY_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(name="suggestions.refresh_all", acks_late=True, **RETRY_OPTIONS)
def refresh_all() -> dict[str, int]:
    run = refresh.current_full_run()
    batch_ids = refresh.pending_batches(run)
    refresh.note_batches_sent(run)
    for batch_id in batch_ids:
        refresh_batch.delay(batch_id)
    return {"run": run.pk, "batches": len(batch_ids)}


@shared_task(name="suggestions.refresh_batch", acks_late=True, reject_on_worker_lost=True, **RETRY_OPTIONS)
def refresh_batch(batch_id: int) -> int:
    return refresh.compute_batch(batch_id)


@shared_task(name="suggestions.resume_stalled")
def resume_stalled() -> dict[str, int]:
    """Every few minutes (beat): a full run with no batch finished, nor its batches sent, for
    ``SUGGESTIONS_STALL_MINUTES`` has its waiting batches sent again, once per such quiet period (a
    batch done meanwhile is skipped; a copy of one still running writes nothing: the first to lock
    the batch's row writes it, the other finds it done)."""
    run = refresh.claim_stalled_full_run(quiet_for=timedelta(minutes=settings.SUGGESTIONS_STALL_MINUTES))
    if run is None:
        return {"run": 0, "resent": 0}
    batch_ids = refresh.pending_batches(run)
    logger.warning("suggestion run %s stalled: sending its %s waiting batches again", run.pk, len(batch_ids))
    for batch_id in batch_ids:
        refresh_batch.delay(batch_id)
    return {"run": run.pk, "resent": len(batch_ids)}


@shared_task(name="suggestions.refresh_recent", acks_late=True, **RETRY_OPTIONS)
def refresh_recent() -> dict[str, int]:
    run = incremental.run_incremental_refresh()
    return {"run": run.pk, "customers": run.customers} if run else {"run": 0, "customers": 0}
