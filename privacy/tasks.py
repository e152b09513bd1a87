"""Celery interfaces to her download, erasure and retention. Tasks take and return ids and counts, never
personal data, so neither the broker nor the result backend ever holds anything about a person."""

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from privacy import erasure, export, retention

# A lost connection or a serialization failure rolls the customer's transaction back whole; trying
# again later is safe because erasure is idempotent.
RETRY_OPTIONS: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


# What she asked for (common.outbox): bounded in time, so that a job a worker lost comes back.
ASKED_FOR: dict[str, Any] = {
    "soft_time_limit": settings.OUTBOX_TASK_TIME_LIMIT - 30,
    "time_limit": settings.OUTBOX_TASK_TIME_LIMIT,
}


@shared_task(name="privacy.erase_customer", acks_late=True, **RETRY_OPTIONS, **ASKED_FOR)
def erase_customer(customer_id: int, reason: str = erasure.Reason.REQUEST) -> dict[str, Any]:
    """Erase one customer (and the profiles merged into her); returns ids and counts."""
    return erasure.erase_customer(customer_id, reason=reason).as_result()


@shared_task(name="privacy.apply_retention", acks_late=True, **RETRY_OPTIONS)
def apply_retention() -> dict[str, Any]:
    """Nightly: delete old relationship notes and erase customers inactive past the retention period."""
    return retention.apply_retention().as_result()


# The name it had under ``consent``, so downloads already queued under it are still built.
@shared_task(
    name="consent.build_export", autoretry_for=(OSError,), retry_backoff=True, max_retries=3, **ASKED_FOR
)
def build_export(export_id: int) -> None:
    export.build(export_id)


@shared_task(name="privacy.delete_expired_exports")
def delete_expired_exports() -> int:
    """Nightly: the files of downloads past their time; returns how many."""
    return export.delete_expired()
