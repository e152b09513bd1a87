"""Merging two profiles of one person, and undoing it.

A merge folds ``merged`` into ``survivor``: her orders, returns, service episodes, notes, follow-ups,
interactions, identifiers, preferences, sizes, important dates, suggestion feedback, store
relationships, messages, looks (their items go with them), wishlist items and appointments move to
the survivor, and ``merged.merged_into`` points there. Every moved row's id is kept on the
``CustomerMerge`` row, so an undo moves exactly those rows back: whatever was added to the survivor
since (a new order, a note) stays with her, and nothing is lost either way.

What does not move, and why (``STAYS``; a test checks every foreign key to a customer is listed in
``MOVABLE`` or ``STAYS``):

- the consent ledger is append-only evidence. It stays as it was recorded; the survivor's current
  consent (``ConsentState``) is re-derived from her ledger and the ledgers of the profiles merged
  into her, latest decision per purpose (``consent.services.refresh_consent_states``);
- suggestions are derived: the merged profile's are deleted, and both profiles are refreshed by the
  next incremental refresh (``merges_since``);
- audit events describe what happened to the profile as it was then;
- a preference, size, store relationship or wishlist item the survivor already has for the same thing
  stays on the merged profile (hers wins; the associate and last contact of a shared store are
  combined; a product on both wishlists is on hers already).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, Q
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import actor_kind_of, record_event
from consent.models import ConsentEvent, ConsentState, DataExport, PrivacyLink, PurposeCode
from consent.services import refresh_consent_states
from customers.models import (
    Customer,
    CustomerIdentifier,
    ImportantDate,
    Preference,
    Size,
    Source,
    StoreRelationship,
)
from customers.services.stores import refresh_store_relationships
from identity.models import CustomerMerge, DuplicateCandidate
from outreach.models import Appointment, Look, Message, WishlistItem
from relationships.models import FollowUp, Interaction, Note
from sales.models import Order, Return, ServiceEpisode
from suggestions.models import Feedback, Suggestion


@dataclass(frozen=True)
class Movable:
    model: type[Model]
    # SQL expressions (``{t}`` is the table alias) that may hold one row per customer: a merged row
    # that clashes with one of the survivor's stays where it is.
    unique_per_customer: tuple[str, ...] = ()


MOVABLE: tuple[Movable, ...] = (
    Movable(CustomerIdentifier),
    Movable(Order),
    Movable(Return),
    Movable(ServiceEpisode),
    Movable(Note),
    Movable(FollowUp),
    Movable(Interaction),
    Movable(Preference, ("{t}.kind", "{t}.brand_id", "{t}.category_id", "lower({t}.value)")),
    Movable(Size, ("{t}.category_id",)),
    Movable(ImportantDate),
    Movable(Feedback),
    Movable(StoreRelationship, ("{t}.store_id",)),
    Movable(Look),
    Movable(Appointment),
    Movable(Message),
    Movable(WishlistItem, ("{t}.product_id",)),
)

STAYS: dict[type[Model], str] = {
    ConsentEvent: "the append-only ledger; the survivor's state is derived from both ledgers",
    ConsentState: "derived from the ledger; rebuilt for both profiles",
    Suggestion: "derived; the merged profile's are deleted and both are refreshed",
    AuditEvent: "what happened to the profile as it was",
    PrivacyLink: "a short-lived sign-in link she asked for",
    DataExport: "a download she asked for, as it was built",
    CustomerMerge: "the merge record itself",
    DuplicateCandidate: "the review queue; decided pairs record their merge",
}


class MergeRefused(Exception):
    """The merge or undo cannot be done; the message says why, in words for a manager."""


def pick_survivor(customers: Sequence[Customer]) -> Customer:
    """The profile the others fold into: one she keeps an eye on herself (consenting, not created
    from sales data) before the rest, then the oldest."""
    granted = set(
        ConsentState.objects.filter(
            customer__in=customers, purpose_id=PurposeCode.PROFILE, granted=True
        ).values_list("customer_id", flat=True)
    )
    return min(customers, key=lambda c: (c.pk not in granted, c.source == Source.SALES, c.created_at, c.pk))


@transaction.atomic
def merge_customers(
    *,
    survivor: Customer,
    merged: Customer,
    kind: str,
    reason: str,
    by: User | None = None,
    actor_kind: str | None = None,
    evidence: dict[str, object] | None = None,
) -> CustomerMerge:
    """Fold ``merged`` into ``survivor`` (see the module docstring). Raises ``MergeRefused``."""
    if survivor.pk == merged.pk:
        raise MergeRefused("A profile cannot be merged into itself.")
    # Locked in id order, so two merges of the same profiles cannot deadlock.
    for customer in (
        Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")
    ):
        if customer.erased_at is not None:
            raise MergeRefused("One of these profiles has been erased.")
        if customer.merged_into_id is not None:
            raise MergeRefused("One of these profiles has already been merged into another.")
    now = timezone.now()
    params = {"survivor": survivor.pk, "merged": merged.pk}
    moved: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        # Her primary e-mail stays primary; the merged profile's becomes a second one.
        cursor.execute(
            """
            UPDATE customers_customeridentifier m SET is_primary = false
             WHERE m.customer_id = %(merged)s AND m.is_primary AND EXISTS (
                   SELECT 1 FROM customers_customeridentifier s
                    WHERE s.customer_id = %(survivor)s AND s.kind = m.kind AND s.is_primary)
            RETURNING m.id
            """,
            params,
        )
        moved["demoted_primary"] = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            """
            UPDATE customers_storerelationship s
               SET assigned_associate_id = coalesce(s.assigned_associate_id, m.assigned_associate_id),
                   last_contacted_at = greatest(s.last_contacted_at, m.last_contacted_at)
              FROM customers_storerelationship m
             WHERE s.customer_id = %(survivor)s AND m.customer_id = %(merged)s AND m.store_id = s.store_id
            """,
            params,
        )
        for movable in MOVABLE:
            moved[movable.model._meta.db_table] = _move(cursor, movable, params)
    Suggestion.objects.filter(customer_id=merged.pk).delete()
    ConsentState.objects.filter(customer_id=merged.pk).delete()
    Customer.objects.filter(pk=merged.pk).update(merged_into=survivor.pk, merged_at=now, updated_at=now)
    merge = CustomerMerge.objects.create(
        survivor_id=survivor.pk,
        merged_id=merged.pk,
        kind=kind,
        reason=reason[:300],
        evidence=evidence or {},
        merged_by=by,
        actor_kind=actor_kind_of(by, actor_kind),
        created_at=now,
        moved=moved,
    )
    _rederive([survivor.pk])
    counts = {table: len(ids) for table, ids in moved.items() if ids}
    for customer_id, action in ((survivor.pk, "customer.merged"), (merged.pk, "customer.merged_away")):
        record_event(
            by=by,
            actor_kind=actor_kind,
            action=action,
            customer_id=customer_id,
            detail={
                "merge": merge.pk,
                "kind": kind,
                "survivor": survivor.pk,
                "merged": merged.pk,
                "moved": counts,
            },
        )
    return merge


def _move(cursor: CursorWrapper, movable: Movable, params: dict[str, int]) -> list[int]:
    # Table and column names come from model metadata and MOVABLE; the ids are parameters.
    table = movable.model._meta.db_table
    clash = ""
    if movable.unique_per_customer:
        same = " AND ".join(
            f"{expr.format(t='s')} IS NOT DISTINCT FROM {expr.format(t='m')}"
            for expr in movable.unique_per_customer
        )
        clash = f"AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.customer_id = %(survivor)s AND {same})"  # noqa: S608
    cursor.execute(
        f"UPDATE {table} m SET customer_id = %(survivor)s"  # noqa: S608
        f" WHERE m.customer_id = %(merged)s {clash} RETURNING m.id",
        params,
    )
    return sorted(row[0] for row in cursor.fetchall())


@transaction.atomic
def undo_merge(*, merge: CustomerMerge, reason: str, by: User | None = None) -> CustomerMerge:
    """Move back exactly the rows the merge moved and make the merged profile stand on its own again.

    Rows added to the survivor since the merge stay hers (returns of an order that goes back follow
    their order). Refused once undone, or when the survivor has since been merged into someone else
    or erased (undo that later merge first)."""
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeRefused("This merge has already been undone.")
    profiles = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[merge.survivor_id, merge.merged_id])
        .order_by("pk")
    }
    survivor, merged = profiles[merge.survivor_id], profiles[merge.merged_id]
    if survivor.erased_at is not None or merged.erased_at is not None:
        raise MergeRefused("She has been erased since; there is nothing to separate.")
    if survivor.merged_into_id is not None:
        raise MergeRefused("This profile has since been merged into another; undo that merge first.")
    params = {"survivor": survivor.pk, "merged": merged.pk}
    back: dict[str, int] = {}
    with connection.cursor() as cursor:
        for movable in MOVABLE:
            table = movable.model._meta.db_table
            cursor.execute(
                f"UPDATE {table} SET customer_id = %(merged)s"  # noqa: S608 - names from model metadata
                " WHERE id = ANY(%(ids)s) AND customer_id = %(survivor)s",
                {**params, "ids": merge.moved.get(table, [])},
            )
            back[table] = cursor.rowcount
        orders = merge.moved.get(Order._meta.db_table, [])
        back["returns_following_their_order"] = Return.objects.filter(
            order_id__in=orders, customer_id=survivor.pk
        ).update(customer_id=merged.pk)
        CustomerIdentifier.objects.filter(
            pk__in=merge.moved.get("demoted_primary", []), customer_id=merged.pk
        ).exclude(
            kind__in=CustomerIdentifier.objects.filter(customer_id=merged.pk, is_primary=True).values("kind")
        ).update(is_primary=True)
    now = timezone.now()
    Customer.objects.filter(pk=merged.pk).update(merged_into=None, merged_at=None, updated_at=now)
    merge.undone_at, merge.undone_by, merge.undo_reason = now, by, reason[:300]
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    DuplicateCandidate.objects.filter(merge=merge).update(
        status=DuplicateCandidate.Status.OPEN, decided_at=None, decided_by=None, merge=None
    )
    _rederive([survivor.pk, merged.pk])
    for customer_id in (survivor.pk, merged.pk):
        record_event(
            by=by,
            action="customer.merge_undone",
            customer_id=customer_id,
            detail={"merge": merge.pk, "moved_back": {k: v for k, v in back.items() if v}},
        )
    return merge


def _rederive(customer_ids: list[int]) -> None:
    """What is computed from the rows that moved: consent states, store activity and spend, and no
    suggestions where the (re-derived) consent no longer allows them."""
    refresh_consent_states(customer_ids=customer_ids)
    StoreRelationship.objects.filter(customer_id__in=customer_ids).update(
        first_activity_at=None, last_activity_at=None, orders_count=0, lifetime_spend=0, spend_12m=0
    )
    refresh_store_relationships(customer_ids=customer_ids)
    Suggestion.objects.filter(customer_id__in=customer_ids).exclude(
        customer_id__in=ConsentState.objects.filter(
            customer_id__in=customer_ids, purpose_id=PurposeCode.SUGGESTIONS, granted=True
        ).values("customer_id")
    ).delete()


def merges_since(moment: datetime) -> set[int]:
    """Customers on either side of a merge made or undone since ``moment`` (their data moved)."""
    pairs = CustomerMerge.objects.filter(Q(created_at__gte=moment) | Q(undone_at__gte=moment)).values_list(
        "survivor_id", "merged_id"
    )
    return {pk for pair in pairs for pk in pair}
