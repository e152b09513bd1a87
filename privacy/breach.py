"""Breach response: which customers' data did an account (or anyone, in a time window) see?

The answer comes from the audit trail. It deliberately reads past consent scoping: a customer who
withdrew since must still be told. Because it hands out names and contact details, every run is
itself audited ("breach_report.run", with its arguments and never its results). The report is read
from the replica when one is configured, holding every event committed before it was asked for.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import LISTED, record_event
from common.replica import heavy_read, read_connection
from common.spreadsheet import spreadsheet_safe
from customers.models import Customer, CustomerIdentifier

# Audit actions through which a customer's data reached the person acting: opening her card, and
# each action taken on the card (its answer is the card, or a fragment of it, with her data). Lists
# that showed her among others (LISTED, with the ids shown) count as well.
DISCLOSING_ACTIONS: tuple[str, ...] = (
    "customer.viewed",
    "customer.profile_updated",
    "customer.identifier_added",
    "customer.size_set",
    "customer.size_removed",
    "customer.preference_set",
    "customer.preference_removed",
    "customer.date_added",
    "customer.date_removed",
    "note.added",
    "follow_up.created",
    "follow_up.done",
    "interaction.logged",
    "wishlist.added",
    "wishlist.removed",
    "message.queued",
    "message.cancelled",
    "look.created",
    "look.revoked",
    "appointment.booked",
    "appointment.moved",
    "appointment.cancelled",
)

CSV_HEADER = (
    "public_id",
    "name",
    "email",
    "phone",
    "erased",
    "first_access",
    "last_access",
    "accesses",
    "actions",
)


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class AccessedCustomer:
    customer_id: int
    public_id: UUID
    name: str
    email: str
    phone: str
    erased: bool
    first_access: datetime
    last_access: datetime
    accesses: int
    actions: tuple[str, ...]


def breach_report(
    *, actor: User | None = None, since: datetime | None = None, until: datetime, run_by: str
) -> list[AccessedCustomer]:
    """Every customer whose data ``actor`` (or anyone, if None) saw between ``since`` and ``until``
    (both inclusive), one row each. Give an actor, a start, or both.

    The run is audited with its arguments and ``run_by`` (who ran it: the operating-system account
    behind ``manage.py``), never with its results."""
    if actor is None and since is None:
        raise ValueError(
            "Give an actor, a start time, or both: a report on everyone forever is not a breach report."
        )
    if since is not None and since > until:
        raise ValueError("The start time is after the end time.")
    rows = accessed_customers(actor=actor, since=since, until=until)
    record_event(
        by=None,
        action="breach_report.run",
        detail={
            "actor_id": actor.pk if actor else None,
            "since": since.isoformat() if since else None,
            "until": until.isoformat(),
            "customers": len(rows),
            "run_by": run_by,
        },
    )
    return rows


@heavy_read
def accessed_customers(
    *, actor: User | None, since: datetime | None, until: datetime
) -> list[AccessedCustomer]:
    """The report's rows, in order of first access. A profile merged away is reported as the person
    it was merged into, whose contact details are current. Read on the replica when there is one."""
    accesses = _accesses(actor=actor, since=since, until=until)
    ids = [row["person"] for row in accesses]
    customers = Customer.objects.in_bulk(ids)
    contacts: dict[tuple[int, str], str] = {
        (customer_id, kind): value
        for customer_id, kind, value in CustomerIdentifier.objects.filter(
            customer_id__in=ids,
            is_primary=True,
            kind__in=[CustomerIdentifier.Kind.EMAIL, CustomerIdentifier.Kind.PHONE],
        ).values_list("customer_id", "kind", "value")
    }
    return [
        AccessedCustomer(
            customer_id=row["person"],
            public_id=customers[row["person"]].public_id,
            name=_full_name(customers[row["person"]]),
            email=contacts.get((row["person"], CustomerIdentifier.Kind.EMAIL), ""),
            phone=contacts.get((row["person"], CustomerIdentifier.Kind.PHONE), ""),
            erased=customers[row["person"]].erased_at is not None,
            first_access=row["first"],
            last_access=row["last"],
            accesses=row["count"],
            actions=tuple(row["actions"]),
        )
        for row in accesses
    ]


def _accesses(*, actor: User | None, since: datetime | None, until: datetime) -> list[dict[str, Any]]:
    """One row per person (a profile merged away counts as the one it was merged into): first and
    last access, how many, and through which actions. An event on her card is one access; a listing
    that showed her among others (a search's results, a day's list) is one access to each shown."""
    where = ["occurred_at <= %(until)s"]
    if since is not None:
        where.append("occurred_at >= %(since)s")
    if actor is not None:
        where.append("actor_id = %(actor)s")
    within = " AND ".join(where)
    events, customers = AuditEvent._meta.db_table, Customer._meta.db_table
    sql = f"""
        WITH seen AS (
            SELECT customer_id, occurred_at, action FROM {events}
             WHERE action = ANY(%(disclosing)s) AND customer_id IS NOT NULL AND {within}
            UNION ALL
            SELECT shown.id::bigint, occurred_at, action
              FROM {events}, jsonb_array_elements_text(detail -> 'shown') AS shown(id)
             WHERE action = %(listed)s AND {within}
        )
        SELECT COALESCE(c.merged_into_id, c.id) AS person, MIN(seen.occurred_at) AS first,
               MAX(seen.occurred_at) AS last, COUNT(*) AS count,
               ARRAY_AGG(DISTINCT seen.action ORDER BY seen.action) AS actions
          FROM seen JOIN {customers} c ON c.id = seen.customer_id
         GROUP BY 1 ORDER BY first, person
    """  # noqa: S608 - table names from model metadata, fixed conditions; values are parameters
    params = {
        "until": until,
        "since": since,
        "actor": actor.pk if actor else None,
        "disclosing": list(DISCLOSING_ACTIONS),
        "listed": LISTED,
    }
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _full_name(customer: Customer) -> str:
    full = " ".join(part for part in (customer.given_name, customer.family_name) if part)
    if customer.preferred_name and customer.preferred_name != full:
        return f"{full} ({customer.preferred_name})" if full else customer.preferred_name
    return full


safe_cell = spreadsheet_safe  # the value as text, a spreadsheet never runs it as a formula


def write_csv(rows: Iterable[AccessedCustomer], out: Writable) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            safe_cell(cell)
            for cell in (
                row.public_id,
                row.name,
                row.email,
                row.phone,
                "yes" if row.erased else "no",
                timezone.localtime(row.first_access).isoformat(),
                timezone.localtime(row.last_access).isoformat(),
                row.accesses,
                " ".join(row.actions),
            )
        )
