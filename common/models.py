"""The outbox: jobs someone asked for, recorded in the same transaction as the asking."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxTask(models.Model):
    """A Celery task that must run once its transaction commits, even if the broker is away then.

    Written with the request that asks for it (``common.outbox.enqueue``), published after the commit
    and again by the relay (``common.outbox.relay``) until a worker reports it done. Arguments are ids
    and codes only: nothing here names a person."""

    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # One open job per key (an erasure per customer, a build per export): asking twice is one job.
    key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # When the relay should (next) publish it: at first its countdown, then after each publication
    # the time by which a worker should have reported it done, growing with each attempt.
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # a worker's claim, for the lease
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="outbox_open_due"),
            models.Index(fields=["done_at"], condition=Q(done_at__isnull=False), name="outbox_done"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(done_at__isnull=True) & ~Q(key=""), name="outbox_one_open_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.args or ''} ({'done' if self.done_at else f'{self.attempts} sent'})"
