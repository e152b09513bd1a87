"""Writing the audit trail. Every audit event is made here: one at a time, many at once, or set-based
in SQL for bulk jobs that never hold the rows in Python.

The actor is a member of staff (``settings.AUTH_USER_MODEL``) or ``None`` for the system; the audit
trail sits below the apps that define staff, so it takes any user model instance.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from common.request_id import current_request_id

Actor = AbstractBaseUser | None


@dataclass(frozen=True)
class Event:
    """One event of a batch written by ``record_events`` (the batch has one actor)."""

    action: str
    customer_id: int | None = None
    store_id: int | None = None
    detail: Mapping[str, Any] | None = None


def actor_kind_of(by: Actor, actor_kind: str | None = None) -> str:
    """Who acted, as audit events name it: ``actor_kind`` if given, else staff or the system."""
    return actor_kind or ("staff" if by is not None else "system")


def record_event(
    *,
    by: Actor,
    action: str,
    customer_id: int | None = None,
    store_id: int | None = None,
    actor_kind: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``by=None`` is the system (imports, nightly jobs)."""
    event = _new(by, actor_kind, Event(action, customer_id, store_id, detail), timezone.now())
    event.save()
    return event


LISTED = "customers.listed"


def record_listing(*, by: Actor, page: str, customer_ids: Iterable[int], store_id: int | None = None) -> None:
    """One event naming the customers a page showed ``by`` (a search's results, my day, a book):
    their ids and how many, never what was typed to find them. Nothing when it showed no one."""
    shown = sorted(set(customer_ids))
    if shown:
        record_event(
            by=by,
            action=LISTED,
            store_id=store_id,
            detail={"page": page, "shown": shown, "count": len(shown)},
        )


def record_events(events: Iterable[Event], *, by: Actor, actor_kind: str | None = None) -> int:
    """Append many events by one actor in one INSERT; returns how many."""
    now = timezone.now()
    return len(AuditEvent.objects.bulk_create(_new(by, actor_kind, event, now) for event in events))


def record_events_sql(
    *, actor_kind: str, rows: str, params: dict[str, Any] | None = None, ctes: str = ""
) -> int:
    """Append one event per row of the query ``rows`` (columns ``action``, ``customer_id``, ``detail``
    as jsonb), set-based; returns how many.

    ``ctes`` is a ``WITH`` clause ``rows`` reads from: a data-modifying one (``UPDATE … RETURNING``)
    must stand at the top of the statement, so it is passed apart. Both are fixed SQL of the
    caller's; values go in ``params``.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{ctes}
            INSERT INTO audit_auditevent (occurred_at, actor_kind, action, customer_id, detail, request_id)
            SELECT now(), %(audit_actor_kind)s, e.action, e.customer_id, coalesce(e.detail, '{{}}'::jsonb),
                   %(audit_request_id)s
            FROM ({rows}) e""",  # noqa: S608 - fixed SQL of the caller's; values are parameters
            {**(params or {}), "audit_actor_kind": actor_kind, "audit_request_id": current_request_id()},
        )
        return cursor.rowcount


def _new(by: Actor, actor_kind: str | None, event: Event, at: datetime) -> AuditEvent:
    return AuditEvent(
        occurred_at=at,
        actor_id=by.pk if by is not None else None,
        actor_kind=actor_kind_of(by, actor_kind),
        action=event.action,
        customer_id=event.customer_id,
        store_id=event.store_id,
        detail=dict(event.detail or {}),
    )
