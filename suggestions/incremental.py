"""The incremental refresh: every few minutes, the customers whose data changed since the last one.

It reuses the newest full run's model (``suggestions.refresh``) and swaps their suggestions in a
batch at a time (``suggestions.replace``).
"""

import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from common import metrics
from consent.models import ConsentEvent, PurposeCode
from customers.models import Preference, Size
from identity.merging import merges_since
from sales.models import Order
from suggestions import data
from suggestions.engine import MODEL_VERSION
from suggestions.models import Feedback, SuggestionRun
from suggestions.replace import replace_suggestions
from suggestions.sources import taste_sources


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
    """Customers with new orders, preferences, sizes, feedback, likes elsewhere (``sources``: wishlist
    items, products liked on a look) or a suggestions grant since ``moment``, and both sides of a
    merge made or undone since (their history moved)."""
    changed: set[int] = merges_since(moment)
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
    for source in taste_sources():
        changed.update(source.changed_since(moment))
    return changed


def refresh_customers(customer_ids: Iterable[int], *, run: SuggestionRun) -> int:
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
            written += replace_suggestions(
                run, consenting, clear=Q(customer_id__in=data.any_of(chunk)), model_run=model_run
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
    started = time.perf_counter()
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
            metrics.REFRESHES.labels(kind="incremental", outcome="failed").inc()
            raise
        SuggestionRun.objects.filter(pk=run.pk).update(
            status=SuggestionRun.Status.DONE,
            finished_at=timezone.now(),
            done_batches=1,
            customers=len(ids),
            suggestions=written,
        )
        run.refresh_from_db(fields=["status", "customers", "suggestions", "finished_at"])
        assert run.finished_at is not None
        metrics.REFRESHED_CUSTOMERS.labels(kind="incremental").inc(len(ids))
        metrics.refresh_finished(
            kind="incremental",
            outcome="done",
            seconds=time.perf_counter() - started,
            customers=len(ids),
            at=run.finished_at.timestamp(),
        )
        return run
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_INCREMENTAL_LOCK])
