"""Reads of consent, and the gate every read of customer data passes: ``customers_visible_to``."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef

from accounts.models import Role, StoreMembership, User
from consent.models import ConsentEvent, ConsentState, Purpose, PurposeCode
from customers.models import Customer, CustomerQuerySet


def consenting(customers: CustomerQuerySet, purpose: str) -> CustomerQuerySet:
    """Those of ``customers`` whose current consent state grants ``purpose``."""
    return customers.filter(
        Exists(ConsentState.objects.filter(customer=OuterRef("pk"), purpose_id=purpose, granted=True))
    )


def customers_visible_to(
    user: User, *, also_requires: Sequence[str] = (), among_few: bool = False
) -> CustomerQuerySet:
    """The customers ``user`` may see right now.

    Always: an active profile (not merged away, not erased) whose owner currently grants the
    "profile" purpose (plus any purposes in ``also_requires``). Then, by role: administrators see
    every such customer; managers and associates see those related to one of their stores (home
    store or recorded activity), or every such customer when ``CUSTOMER_VISIBILITY=chain``. Staff
    without a store see no one. ``among_few``: the caller narrows to a few candidates through an
    index (a search), and each is checked on its own (``related_to_stores(per_row=True)``).
    """
    if not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    customers = Customer.objects.active()
    for purpose in (PurposeCode.PROFILE, *also_requires):
        customers = consenting(customers, purpose)
    if user.role == Role.ADMIN:
        return customers
    memberships = StoreMembership.objects.filter(user=user)
    if settings.CUSTOMER_VISIBILITY == "chain":
        return customers.filter(Exists(memberships))
    return customers.related_to_stores(
        memberships.values("store_id"),  # type: ignore[arg-type]
        per_row=among_few,
    )


def visible_ids_sql(user: User, *, store_ids: Sequence[int] | None = None) -> str:
    """``customers_visible_to(user)`` (narrowed to ``store_ids``) as SQL selecting their ids, its
    values quoted in by the driver, for a statement of raw SQL to gate with ``IN (…)``.

    Compiled once per process for each shape of the gate: the statement depends only on who she is
    (her id, role and whether she is active), the visibility setting and the stores; her memberships
    and every customer's consent are read when it runs, so a change to them counts at once."""
    key = (
        user.pk,
        user.role,
        user.is_active,
        settings.CUSTOMER_VISIBILITY,
        tuple(store_ids or ()),
        store_ids is None,
    )
    if key not in _GATES:
        visible = customers_visible_to(user)
        if store_ids is not None:
            visible = visible.related_to_stores(list(store_ids))
        try:
            sql, params = visible.values("pk").query.sql_with_params()
            operations: Any = connection.ops  # PostgreSQL's: quotes through psycopg
            _GATES[key] = str(operations.compose_sql(sql, params))
        except EmptyResultSet:  # she may see no one
            _GATES[key] = "SELECT NULL::bigint WHERE false"
        while len(_GATES) > _GATES_KEPT:
            _GATES.pop(next(iter(_GATES)))
    return _GATES[key]


_GATES: dict[tuple[object, ...], str] = {}
_GATES_KEPT = 1000


def visible_among(user: User, customer_ids: Iterable[int]) -> set[int]:
    """Those of ``customer_ids`` that ``user`` may see right now."""
    return set(customers_visible_to(user).filter(pk__in=list(customer_ids)).values_list("pk", flat=True))


def get_visible_customer(user: User, public_id: UUID | str) -> Customer:
    """One customer by public id, or ``Customer.DoesNotExist`` if ``user`` may not see her."""
    return customers_visible_to(user).select_related("home_store").get(public_id=public_id)


def current_purposes(customer: Customer) -> set[str]:
    """The purposes this customer grants right now."""
    return set(
        ConsentState.objects.filter(customer=customer, granted=True).values_list("purpose_id", flat=True)
    )


def active_purposes() -> list[Purpose]:
    return list(Purpose.objects.filter(is_active=True))


def receipt_events(receipt_id: str, customer_id: int) -> list[ConsentEvent]:
    """The ledger events of one receipt of hers (one opt-in or one change), by the purposes' order."""
    return list(
        ConsentEvent.objects.filter(receipt_id=receipt_id, customer_id=customer_id)
        .select_related("store", "policy_version")
        .order_by("purpose__position")
    )
