from typing import Any

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent


def actor_kind_of(by: User | None, actor_kind: str | None = None) -> str:
    """Who acted, as audit events name it: ``actor_kind`` if given, else staff or the system."""
    return actor_kind or ("staff" if by is not None else "system")


def record_event(
    *,
    by: User | None,
    action: str,
    customer_id: int | None = None,
    store_id: int | None = None,
    actor_kind: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``by=None`` is the system (imports, nightly jobs)."""
    event = new_event(
        by=by, action=action, customer_id=customer_id, store_id=store_id, actor_kind=actor_kind, detail=detail
    )
    event.save()
    return event


def new_event(
    *,
    by: User | None,
    action: str,
    customer_id: int | None = None,
    store_id: int | None = None,
    actor_kind: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """An audit event not saved yet, for writing many with one ``bulk_create``."""
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=by,
        actor_kind=actor_kind_of(by, actor_kind),
        action=action,
        customer_id=customer_id,
        store_id=store_id,
        detail=detail or {},
    )
