"""Erasing a customer: her personal data goes everywhere it lives; her sales stay as anonymous records.

What happens to each table that points at ``customers.Customer`` (every foreign key in the code base):

- ``customers``: identifiers, preferences, sizes, important dates and store relationships are deleted.
- ``relationships``: notes, follow-ups and interactions are deleted.
- ``suggestions``: her suggestions and the feedback given on them are deleted.
- ``outreach``: messages to her (their texts are about her), looks made for her with their items,
  her wishlist and her appointments with the products prepared for them are deleted.
- ``consent.ConsentState`` (the projection) is deleted. ``consent.ConsentEvent`` (the append-only
  ledger, guarded by a database trigger) is kept: its rows hold only ids (customer, purpose, policy
  version, store, staff), so they are the minimal, pseudonymous proof of what she agreed to and when.
- ``sales``: orders (with their lines), returns and service episodes are kept for the accounts but
  detached (``customer = NULL``), and their free text (return reason, service summary) is blanked.
- ``audit.AuditEvent`` is kept. It holds ids and field names, never values; the one hint about her
  content it held (the sensitive topics a note was flagged for) is removed from the details.
- ``identity``: duplicate candidates naming her are deleted; merge records stay (ids of the rows that
  moved, the kind of evidence, never values) with their free-text reasons blanked.
- The ``Customer`` row stays as the pseudonymous id the ledger and the audit trail point to: names,
  birth date, locale, country and home store are blanked, ``erased_at`` is set and ``public_id`` is
  rotated, so her old membership QR codes and card URLs lead nowhere.

Profiles merged into her are the same person and are erased with her.

Outside the database:

- ``django.core.cache``: nothing in the code base caches anything about a customer (no
  ``cache.get``/``cache.set`` anywhere; sessions live in the database and hold staff ids and the
  chosen store), so there is nothing to purge. A future per-customer cache entry must be deleted here.
- Celery: tasks receive customer ids and plain values only, never personal data, and return counts
  keyed by ids, so the Redis broker and result backend hold nothing personal about her. A message
  still waiting to leave is deleted with her; its delivery task then finds nothing to send.
- E-mail and SMS providers: what was already sent to her is in their hands, not ours.
- Logs: code logs ids, never names; ``common.logging.RedactPersonalData`` rewrites any e-mail
  address or phone-like number that slips through.
- Backups and PostgreSQL's write-ahead log are out of reach; after restoring a backup, erase again
  every customer with an ``erasure.completed`` audit event (see README, "Data rights operations").

Safe to run twice, or again after a crash: the work is one transaction per customer, each step is a
conditional delete or update, and a second run changes nothing (``erased_at`` and the rotated
``public_id`` are only set the first time).
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.functions import RandomUUID
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from consent.models import ConsentState, DataExport, PrivacyLink
from customers.models import Customer, CustomerIdentifier, ImportantDate, Preference, Size, StoreRelationship
from customers.services.profiles import profiles_of
from identity.models import CustomerMerge, DuplicateCandidate
from outreach.models import Appointment, Look, LookItem, Message, WishlistItem
from relationships.models import FollowUp, Interaction, Note, NoteRevision
from sales.models import Order, Return, ServiceEpisode
from suggestions.models import Feedback, Suggestion

logger = logging.getLogger(__name__)

# Rows that exist only to describe her; all of them go.
PERSONAL_MODELS: tuple[type[Model], ...] = (
    CustomerIdentifier,
    Preference,
    Size,
    ImportantDate,
    StoreRelationship,
    Message,  # before what it points at: her interactions, looks and appointments
    Note,
    FollowUp,
    Interaction,
    ConsentState,
    PrivacyLink,
    DataExport,  # and its file: see _erase_profiles
    Suggestion,
    Feedback,
    Look,  # its items go first: see _erase_profiles
    Appointment,  # the products prepared for it go first: see _erase_profiles
    WishlistItem,
)

# The profile fields that describe a person, and their erased values.
ERASED_PROFILE = {
    "given_name": "",
    "family_name": "",
    "preferred_name": "",
    "birth_date": None,
    "locale": "",
    "country": "",
    "home_store": None,
}


class Reason:
    REQUEST = "request"  # she (or staff on her behalf) asked
    RETENTION = "retention"  # inactive for longer than the retention period


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure did, in ids and counts only (safe to log, audit and return from a task)."""

    customer_id: int
    profile_ids: tuple[int, ...]  # she and every profile merged into her
    already_erased: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_result(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "profile_ids": list(self.profile_ids),
            "already_erased": self.already_erased,
            "counts": self.counts,
        }


def erase_customer(customer_id: int, *, reason: str = Reason.REQUEST) -> ErasureReport:
    """Erase one customer and the profiles merged into her, in one transaction (see module docstring).

    Raises ``Customer.DoesNotExist`` for an unknown id.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        already_erased = customer.erased_at is not None
        profile_ids = _lock_profiles(profiles_of(customer_id))
        counts = _erase_profiles(profile_ids)
        report = ErasureReport(
            customer_id=customer_id,
            profile_ids=tuple(profile_ids),
            already_erased=already_erased,
            counts=counts,
        )
        record_event(
            by=None,
            action="erasure.completed",
            customer_id=customer_id,
            detail={
                "reason": reason,
                "merged_profile_ids": [pk for pk in profile_ids if pk != customer_id],
                "already_erased": already_erased,
                "counts": counts,
            },
        )
    logger.info(
        "customer erased",
        extra={"customer_id": customer_id, "profiles": len(profile_ids), "reason": reason},
    )
    return report


def _lock_profiles(ids: list[int]) -> list[int]:
    # Always in id order, so two erasures touching the same profiles cannot deadlock.
    locked = set(
        Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in locked]


def _erase_profiles(ids: list[int]) -> dict[str, dict[str, int]]:
    """Counts per table, under what happened to the rows: deleted, detached or anonymised."""
    # Her data exports are files too; they go once the rows' deletion has committed.
    files = [
        name for name in DataExport.objects.filter(customer_id__in=ids).values_list("file", flat=True) if name
    ]
    transaction.on_commit(lambda: _delete_files(files))
    # A redacted note's earlier texts, a look's items and an appointment's products first, so that
    # each table's count is its own.
    appointment_products = Appointment.products.through
    deleted = {
        NoteRevision._meta.db_table: _delete(NoteRevision.objects.filter(note__customer_id__in=ids)),
        LookItem._meta.db_table: _delete(LookItem.objects.filter(look__customer_id__in=ids)),
        appointment_products._meta.db_table: _delete(
            appointment_products._default_manager.filter(appointment__customer_id__in=ids)
        ),
    }
    deleted |= {
        model._meta.db_table: _delete(model._default_manager.filter(customer_id__in=ids))
        for model in PERSONAL_MODELS
    }

    # Accounting records stay, anonymous. Returns first: one can hang off her order without naming her.
    detached = {
        Return._meta.db_table: Return.objects.filter(
            Q(customer_id__in=ids) | Q(order__customer_id__in=ids)
        ).update(customer=None, reason=""),
        Order._meta.db_table: Order.objects.filter(customer_id__in=ids).update(customer=None),
        ServiceEpisode._meta.db_table: ServiceEpisode.objects.filter(customer_id__in=ids).update(
            customer=None, summary=""
        ),
    }

    now = timezone.now()
    newly_erased = Customer.objects.filter(pk__in=ids, erased_at__isnull=True).update(
        erased_at=now, public_id=RandomUUID(), updated_at=now, **ERASED_PROFILE
    )
    # A profile erased before but written to since (nothing should do that) is blanked again.
    Customer.objects.filter(pk__in=ids).exclude(Q(**ERASED_PROFILE)).update(updated_at=now, **ERASED_PROFILE)
    deleted[DuplicateCandidate._meta.db_table] = _delete(
        DuplicateCandidate.objects.filter(Q(first_id__in=ids) | Q(second_id__in=ids))
    )
    anonymised = {
        CustomerMerge._meta.db_table: CustomerMerge.objects.filter(
            Q(survivor_id__in=ids) | Q(merged_id__in=ids)
        )
        .exclude(reason="", undo_reason="")
        .update(reason="", undo_reason=""),
        Customer._meta.db_table: newly_erased,
        AuditEvent._meta.db_table: _scrub_audit_details(ids),
    }
    return {"deleted": deleted, "detached": detached, "anonymised": anonymised}


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _delete(queryset: QuerySet[Any]) -> int:
    deleted, _ = queryset.delete()
    return deleted


TOPIC_KEYS = ["flagged_topics", "flagged_topics_before"]  # what a note was flagged for, before and after


def _scrub_audit_details(ids: list[int]) -> int:
    """Drop the sensitive topics her notes were flagged for; every other detail is ids or field names."""
    events = list(
        AuditEvent.objects.filter(customer_id__in=ids, detail__has_any_keys=TOPIC_KEYS).only("pk", "detail")
    )
    for event in events:
        for key in TOPIC_KEYS:
            event.detail.pop(key, None)
    AuditEvent.objects.bulk_update(events, ["detail"])
    return len(events)
