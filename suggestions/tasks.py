"""Celery interfaces to the refresh. Tasks carry run and batch ids only.

``refresh_all`` (beat, nightly) fits the model, plans the batches and fans them out as
``refresh_batch`` tasks, one per batch, that any worker may take. Batches are acknowledged late and
rejected when their worker dies, so the broker hands them to another worker; a batch already done is
skipped. Calling ``refresh_all`` while a run of the current model is unfinished resumes that run.
"""

from typing import Any

from celery import shared_task
from django.db import OperationalError

from suggestions import incremental, refresh

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
    for batch_id in batch_ids:
        refresh_batch.delay(batch_id)
    return {"run": run.pk, "batches": len(batch_ids)}


@shared_task(name="suggestions.refresh_batch", acks_late=True, reject_on_worker_lost=True, **RETRY_OPTIONS)
def refresh_batch(batch_id: int) -> int:
    return refresh.compute_batch(batch_id)


@shared_task(name="suggestions.refresh_recent", acks_late=True, **RETRY_OPTIONS)
def refresh_recent() -> dict[str, int]:
    run = incremental.run_incremental_refresh()
    return {"run": run.pk, "customers": run.customers} if run else {"run": 0, "customers": 0}
