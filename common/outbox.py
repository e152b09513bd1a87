"""The transactional outbox: what someone asked for happens, once, whatever fails in between.

A job a customer or an associate asked for (her erasure, her download, her receipt, a message) is
written with ``enqueue`` in the same transaction as the request that asks for it. Once that commits
it is published to the broker at once; if the broker is away, the request still succeeds and the
relay (``relay``, every 30 seconds from beat, or ``manage.py relay_outbox``) publishes it when the
broker is back. A published job a worker has not reported done by its due time (the message was
lost, the worker killed) is published again, later each time.

Exactly once: every task of the app runs through ``Task``, which claims the job's row before running
(a second copy finds it claimed or done and does nothing) and marks it done after. A claim is a
lease: a worker killed mid-job leaves a claim that lapses after ``OUTBOX_LEASE_SECONDS``, so the
next copy runs it. The jobs are idempotent too, for the one case no lease can close: a worker that
did the work and died before it could say so.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import celery
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from common.models import OutboxTask

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached (kombu wraps the transport's errors).
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerError, OSError)


@dataclass(frozen=True)
class Job:
    task_id: UUID
    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    eta: datetime | None = None  # not before (the broker holds it until then)


def enqueue(
    name: str,
    *,
    args: tuple[Any, ...] | list[Any] = (),
    kwargs: dict[str, Any] | None = None,
    key: str = "",
    countdown: float | None = None,
) -> OutboxTask:
    """Record that task ``name`` must run with these (JSON, id-only) arguments once the current
    transaction commits, ``countdown`` seconds after. With ``key``, a job already open under that key
    is the job: asking twice makes one."""
    now = timezone.now()
    due = now + timedelta(seconds=countdown) if countdown else now
    fields = {"name": name, "args": list(args), "kwargs": kwargs or {}, "key": key, "due_at": due}
    if key:
        try:
            with transaction.atomic():
                task = OutboxTask.objects.create(**fields)
        except IntegrityError:
            open_one = OutboxTask.objects.filter(key=key, done_at__isnull=True).first()
            if open_one is None:  # it was done in between: this is a new request
                return enqueue(name, args=args, kwargs=kwargs, key=key, countdown=countdown)
            return open_one
    else:
        task = OutboxTask.objects.create(**fields)
    job = Job(task.task_id, task.name, task.args, task.kwargs, eta=due if due > now else None)
    transaction.on_commit(lambda: _publish_soon(task.pk, job))
    return task


# The fast path publishes beside the request, not in it: with the broker away, connecting fails only
# after the client's own retries (seconds), and nobody should wait for that. After a failure it rests
# for BROKER_REST_SECONDS and leaves what is asked meanwhile to the relay.
BROKER_REST_SECONDS = 10.0
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
_broker_failed_at = -BROKER_REST_SECONDS


def broker_resting() -> bool:
    """Whether the fast path is resting after the broker failed it (jobs wait for the relay)."""
    return time.monotonic() - _broker_failed_at < BROKER_REST_SECONDS


def wake() -> None:
    """Forget a past failure: the next job asked for is published at once again."""
    global _broker_failed_at
    _broker_failed_at = -BROKER_REST_SECONDS


def _publish_soon(pk: int, job: Job) -> None:
    if current_app.conf.task_always_eager:
        if job.eta is None:  # no broker: run it here, now, as the request ends
            _publish_after_commit(pk, job)  # (one for later waits for the relay, when it is due)
    elif not broker_resting():
        _publisher.submit(_publish_after_commit, pk, job)


def _publish_after_commit(pk: int, job: Job) -> None:
    """Publish one job just asked for, and say so. A broker that is away is the relay's to handle."""
    global _broker_failed_at
    try:
        try:
            publish(job)
        except BROKER_ERRORS as exc:
            _broker_failed_at = time.monotonic()
            logger.warning("broker unavailable: %s left to the relay (%s)", job.name, type(exc).__name__)
            return
        now = timezone.now()
        OutboxTask.objects.filter(pk=pk).update(
            sent_at=now, attempts=F("attempts") + 1, due_at=max(now, job.eta or now) + redeliver_after(1)
        )
    except Exception:  # beside the request, nobody else would hear of it; the relay still will
        logger.exception("publishing %s failed; left to the relay", job.name)
        if current_app.conf.task_always_eager and current_app.conf.task_eager_propagates:
            raise
    finally:
        if threading.current_thread().name.startswith("outbox"):
            connection.close()  # the publisher thread's own connection, back to the pool


def publish(job: Job) -> None:
    """Hand one job to Celery under its own task id (run in-process when there is no broker)."""
    app = current_app
    if app.conf.task_always_eager:
        if job.name not in app.tasks:  # the apps' tasks modules, as a worker imports them at start
            app.loader.import_default_modules()
        app.tasks[job.name].apply(
            args=tuple(job.args), kwargs=job.kwargs, task_id=str(job.task_id), headers={"outbox": "1"}
        )
        return
    app.send_task(
        job.name,
        args=job.args,
        kwargs=job.kwargs,
        task_id=str(job.task_id),
        headers={"outbox": "1"},  # this message is a job of the outbox: it claims its row
        eta=job.eta,
        retry=False,  # fail fast: the row stays, and the relay tries again
        ignore_result=True,  # nobody waits on it; and no result-backend round trip to the broker
    )


def redeliver_after(attempts: int) -> timedelta:
    """How long a published job may take before it is published again: doubling, up to an hour."""
    base = settings.OUTBOX_REDELIVER_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def relay(*, limit: int = 200) -> dict[str, int]:
    """Publish the jobs that are due: new ones the fast path could not publish, published ones not
    done in time. Rows are taken with SKIP LOCKED, so several relays never publish one row twice in a
    round. Returns counts."""
    now = timezone.now()
    with transaction.atomic():
        running = Q(started_at__gte=now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
        rows = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, due_at__lte=now)
            .exclude(running)  # a worker has it: sending it again would only be refused
            .order_by("due_at", "pk")[:limit]
        )
        for row in rows:  # marked before publishing, so that a job run in-process finds itself sent
            row.attempts += 1
            row.sent_at = now
            row.due_at = now + redeliver_after(row.attempts)
        OutboxTask.objects.bulk_update(rows, ["attempts", "sent_at", "due_at"])
    sent = 0
    for n, row in enumerate(rows):
        try:
            publish(Job(row.task_id, row.name, row.args, row.kwargs))
        except Exception as exc:  # the broker's errors, and any other: none leaves a row marked sent
            if current_app.conf.task_always_eager:  # the job itself failed, here: next round
                logger.exception("job %s (%s) failed; it is tried again later", row.pk, row.name)
                continue
            logger.warning("broker unavailable: %s jobs wait for the next round (%s)", len(rows) - n, exc)
            retry_soon = [r.pk for r in rows[n:]]
            OutboxTask.objects.filter(pk__in=retry_soon).update(
                attempts=F("attempts") - 1, due_at=now + timedelta(seconds=30)
            )
            break
        sent += 1
        if row.attempts >= 5:
            logger.error("job %s (%s) published %s times and not done yet", row.pk, row.name, row.attempts)
    purged = purge_done()
    return {"sent": sent, "open": OutboxTask.objects.filter(done_at__isnull=True).count(), "purged": purged}


def purge_done(*, limit: int = 5000) -> int:
    """Forget jobs done more than ``OUTBOX_KEEP_DAYS`` ago (the audit trail keeps what was done)."""
    before = timezone.now() - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = OutboxTask.objects.filter(done_at__lt=before).values("pk")[:limit]
    return OutboxTask.objects.filter(pk__in=old).delete()[0]


# --- The worker's side -------------------------------------------------------------------------------


def claim(task_id: str) -> datetime | None:
    """Take the job for this run: the lease's start (its token), or None when it is done already,
    running under another worker's lease, or gone (done and forgotten)."""
    now = timezone.now()
    lapsed = now - timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    free = Q(started_at__isnull=True) | Q(started_at__lt=lapsed)
    if OutboxTask.objects.filter(free, task_id=task_id, done_at__isnull=True).update(started_at=now):
        return now
    return None


def mark_done(task_id: str) -> None:
    _update_surely(
        OutboxTask.objects.filter(task_id=task_id), done_at=timezone.now(), started_at=None, last_error=""
    )


def release(task_id: str, lease: datetime, error: BaseException) -> None:
    """The run failed (or will retry): the next copy may claim it at once, unless another worker's
    lease has replaced this one meanwhile (then it is theirs)."""
    text = f"{type(error).__name__}: {error}"[:300]
    mine = OutboxTask.objects.filter(task_id=task_id, done_at__isnull=True, started_at=lease)
    _update_surely(mine, started_at=None, last_error=text)


def _update_surely(rows: QuerySet[OutboxTask], **values: Any) -> None:
    """Once more on a fresh connection if the first fails (the job's own error may have broken it);
    a failure after that is logged, never raised over the job's own outcome: the relay has the row."""
    for attempt in (1, 2):
        try:
            rows.update(**values)
            return
        except DatabaseError:
            if attempt == 2:
                logger.exception("outbox: could not record the outcome of a job; the relay will see to it")
                return
            connection.close()


def _is_job(request: Any) -> bool:
    """A message the outbox published (its header), not a scheduled task or a direct call."""
    return bool(getattr(request, "outbox", None) or (getattr(request, "headers", None) or {}).get("outbox"))


class Task(celery.Task):
    """The base of every task of the app (``Celery(task_cls=…)``): an outbox job runs once; any
    other task runs as Celery runs it, without a query more."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        task_id = str(getattr(self.request, "id", None) or "")
        if not task_id or not _is_job(self.request):
            return super().__call__(*args, **kwargs)
        lease = claim(task_id)
        if lease is None:
            logger.info("job %s (%s) is done or running elsewhere: not run again", task_id, self.name)
            return None
        self.request.outbox_lease = lease  # type: ignore[attr-defined]  # for retry(), below
        try:
            result = super().__call__(*args, **kwargs)
        except BaseException as exc:
            release(task_id, lease, exc)
            raise
        mark_done(task_id)
        return result

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        """Free the job before the retry is published, so the retry finds it free."""
        lease = getattr(self.request, "outbox_lease", None)
        if lease is not None:
            release(str(self.request.id), lease, kwargs.get("exc") or RuntimeError("retrying"))
        return super().retry(*args, **kwargs)
