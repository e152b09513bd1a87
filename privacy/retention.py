"""How long personal data is kept when nobody asks for it to go (``RETENTION_*`` settings).

Nightly, ``apply_retention``:

1. deletes relationship notes older than ``RETENTION_NOTE_MONTHS``, in one statement, with one
   audit event for the run ("retention.notes_deleted", with the count);
2. erases, with the same ``erase_customer`` a request uses, every customer with no activity (order,
   return, service episode, interaction) and no consent grant or renewal for
   ``RETENTION_INACTIVE_MONTHS``, nor a profile younger than that. Candidates come from one
   set-based query, taken in batches of ids; each is checked again under a row lock just before she
   is erased, so a purchase that lands during the run keeps her;
3. deletes what unknown senders wrote more than ``RETENTION_UNKNOWN_SENDER_DAYS`` ago and nobody
   linked to a customer (``outreach.strangers.delete_old_messages``), with one audit event.

Every time is a parameter (``now=``), so tests and replays travel in time without touching the clock.
"""

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.services import record_event
from consent.models import ConsentEvent
from customers.models import Customer, CustomerQuerySet
from outreach import strangers
from privacy.erasure import Reason, erase_customer
from relationships.models import Interaction, Note
from sales.models import Order, Return, ServiceEpisode

logger = logging.getLogger(__name__)

ERASURE_BATCH_SIZE = 200


@dataclass(frozen=True)
class RetentionReport:
    notes_deleted: int
    notes_created_before: datetime
    customers_erased: int
    inactive_since: datetime
    unknown_sender_messages_deleted: int = 0

    def as_result(self) -> dict[str, Any]:
        return {
            "notes_deleted": self.notes_deleted,
            "notes_created_before": self.notes_created_before.isoformat(),
            "customers_erased": self.customers_erased,
            "inactive_since": self.inactive_since.isoformat(),
            "unknown_sender_messages_deleted": self.unknown_sender_messages_deleted,
        }


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock time ``months`` calendar months earlier (31 March less 1 month: 28/29 Feb)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def apply_retention(*, now: datetime | None = None, batch_size: int = ERASURE_BATCH_SIZE) -> RetentionReport:
    """Apply the retention rules as of ``now`` (default: now)."""
    now = now or timezone.now()
    notes_before = months_before(now, settings.RETENTION_NOTE_MONTHS)
    inactive_since = months_before(now, settings.RETENTION_INACTIVE_MONTHS)
    notes_deleted = delete_old_notes(created_before=notes_before)
    erased = erase_inactive_customers(inactive_since=inactive_since, batch_size=batch_size)
    strangers_deleted = strangers.delete_old_messages(
        received_before=now - timedelta(days=settings.RETENTION_UNKNOWN_SENDER_DAYS)
    )
    return RetentionReport(
        notes_deleted=notes_deleted,
        notes_created_before=notes_before,
        customers_erased=erased,
        inactive_since=inactive_since,
        unknown_sender_messages_deleted=strangers_deleted,
    )


@transaction.atomic
def delete_old_notes(*, created_before: datetime) -> int:
    """Delete every relationship note written before ``created_before``; one audit event for them all."""
    _, per_model = Note.objects.filter(created_at__lt=created_before).delete()  # and their history
    deleted = per_model.get(Note._meta.label, 0)
    record_event(
        by=None,
        action="retention.notes_deleted",
        detail={
            "count": deleted,
            "created_before": created_before.isoformat(),
            "months": settings.RETENTION_NOTE_MONTHS,
        },
    )
    logger.info("retention: deleted old relationship notes", extra={"count": deleted})
    return deleted


def inactive_customers(*, since: datetime) -> CustomerQuerySet:
    """Profiles that stand for a person, created before ``since``, with nothing since then: no order,
    return, service episode, interaction or consent grant, neither hers nor a merged profile's."""
    merged_activity = Exists(
        Customer.objects.filter(merged_into=OuterRef("pk")).filter(_activity_since(since))
    )
    return (
        Customer.objects.active()
        .filter(created_at__lt=since)
        .exclude(_activity_since(since))
        .exclude(merged_activity)
    )


def _activity_since(since: datetime) -> Q:
    """Anything the customer in the enclosing query (``OuterRef("pk")``) did at or after ``since``."""
    customer = OuterRef("pk")
    return (
        Q(Exists(Order.objects.filter(customer=customer, placed_at__gte=since)))
        | Q(Exists(Return.objects.filter(customer=customer, returned_at__gte=since)))
        | Q(
            Exists(
                ServiceEpisode.objects.filter(customer=customer).filter(
                    Q(opened_at__gte=since) | Q(closed_at__gte=since)
                )
            )
        )
        | Q(Exists(Interaction.objects.filter(customer=customer, occurred_at__gte=since)))
        | Q(Exists(ConsentEvent.objects.filter(customer=customer, granted=True, occurred_at__gte=since)))
    )


def erase_inactive_customers(*, inactive_since: datetime, batch_size: int = ERASURE_BATCH_SIZE) -> int:
    """Erase every customer inactive since ``inactive_since``, a batch of ids at a time; returns how many.

    Interrupted (time limit, deploy), it resumes where it stopped on the next run: erased customers
    no longer match.
    """
    erased = 0
    after = 0
    while True:
        batch = list(
            inactive_customers(since=inactive_since)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        for customer_id in batch:
            erased += _erase_if_still_inactive(customer_id, inactive_since=inactive_since)
        after = batch[-1]
        logger.info("retention: erased inactive customers", extra={"erased": erased, "last_id": after})
    return erased


def _erase_if_still_inactive(customer_id: int, *, inactive_since: datetime) -> bool:
    with transaction.atomic():
        # Lock first, then look again in a fresh statement: a sale committed meanwhile is seen, and
        # one being written now waits for this transaction (its foreign-key check needs her row).
        list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True))
        if not inactive_customers(since=inactive_since).filter(pk=customer_id).exists():
            return False
        erase_customer(customer_id, reason=Reason.RETENTION)
    return True
