"""Merging two profiles of one person, and undoing it.

A merge folds ``merged`` into ``survivor``: what happens to each table holding her data is said by
the app that owns it, in one registry (``common.data_rights``). Her orders, returns and services,
notes, follow-ups and contacts, identifiers, preferences, sizes, dates, store relationships,
suggestion feedback, messages, looks, wishlist and appointments move to the survivor (what belongs to
a row, such as an order's lines, goes with it), and ``merged.merged_into`` points there. Every moved
row's id is kept on the ``CustomerMerge`` row, so an undo moves exactly those rows back: whatever was
added to the survivor since (a new order, a note) stays with her, and nothing is lost either way.

What does not move: the consent ledger (append-only evidence: the survivor's current consent is
re-derived from her ledger and those of the profiles merged into her), suggestions (derived: the
merged profile's are dropped and the next refresh rebuilds them), the audit trail (what happened to
each profile as it was then), and a preference, size, store relationship or wishlist item the survivor
already has for the same thing (hers wins; the owner and last contact of a shared store are combined).
After a merge and after its undo, the apps re-derive what is computed from the rows that moved
(consent states, store standing, suggestions no longer allowed).
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.services import actor_kind_of, record_event
from common.data_rights import Drop, Holding, Move, holdings, merge_hooks
from consent.models import ConsentState, PurposeCode
from customers.models import Customer, Source
from identity.models import CustomerMerge, DuplicateCandidate


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
        for holding, move in _moves():
            if move.before is not None:
                moved |= move.before(survivor.pk, merged.pk)
            moved[_table(holding)] = _move(cursor, _table(holding), move, params)
    for holding in holdings():
        if isinstance(holding.merge, Drop):
            holding.model._default_manager.filter(customer_id=merged.pk).delete()
    Customer.objects.filter(pk=merged.pk).update(merged_into=survivor.pk, merged_at=now, updated_at=now)
    merge = CustomerMerge.objects.create(
        survivor=survivor,
        merged=merged,
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


def _moves() -> list[tuple[Holding, Move]]:
    return [(holding, holding.merge) for holding in holdings() if isinstance(holding.merge, Move)]


def _table(holding: Holding) -> str:
    return holding.model._meta.db_table


def _move(cursor: CursorWrapper, table: str, move: Move, params: dict[str, int]) -> list[int]:
    # Table and column names come from model metadata and the registry; the ids are parameters.
    clash = ""
    if move.unique_per_customer:
        same = " AND ".join(
            f"{expr.format(t='s')} IS NOT DISTINCT FROM {expr.format(t='m')}"
            for expr in move.unique_per_customer
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
        for holding, _ in _moves():
            table = _table(holding)
            cursor.execute(
                f"UPDATE {table} SET customer_id = %(merged)s"  # noqa: S608 - names from model metadata
                " WHERE id = ANY(%(ids)s) AND customer_id = %(survivor)s",
                {**params, "ids": merge.moved.get(table, [])},
            )
            back[table] = cursor.rowcount
    for _, move in _moves():
        if move.after_undo is not None:
            back |= move.after_undo(merge.moved, survivor.pk, merged.pk)
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
    """What is computed from the rows that moved, re-derived by the apps that compute it."""
    for hook in merge_hooks():
        hook(customer_ids)


def merges_since(moment: datetime) -> set[int]:
    """Customers on either side of a merge made or undone since ``moment`` (their data moved)."""
    pairs = CustomerMerge.objects.filter(Q(created_at__gte=moment) | Q(undone_at__gte=moment)).values_list(
        "survivor_id", "merged_id"
    )
    return {pk for pair in pairs for pk in pair}
