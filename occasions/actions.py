"""Closing an occasion, or putting it off: each audited, none of them about what she said."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from occasions.models import Occasion
from relationships.models import Interaction
from relationships.services import record_contact

SNOOZE_DAYS = (1, 3, 7)


def _audit(by: User, occasion: Occasion, action: str, **detail: object) -> None:
    record_event(
        by=by,
        action=action,
        customer_id=occasion.customer_id,
        store_id=occasion.store_id,
        detail={"occasion_id": occasion.pk, "kind": occasion.kind, **detail},
    )


def _close(by: User, occasion: Occasion, **fields: object) -> bool:
    """Close it if it is still open (two taps, or two associates, close it once)."""
    changed = Occasion.objects.filter(pk=occasion.pk, status=Occasion.Status.OPEN).update(
        closed_at=timezone.now(), closed_by=by, **fields
    )
    return bool(changed)


@transaction.atomic
def done(*, by: User, occasion: Occasion, outcome: str = Occasion.Outcome.OTHER) -> bool:
    if not _close(by, occasion, status=Occasion.Status.DONE, outcome=outcome):
        return False
    _audit(by, occasion, "occasion.done", outcome=outcome)
    return True


@transaction.atomic
def log_call(*, by: User, occasion: Occasion, summary: str = "") -> bool:
    """She was called about it: a contact on her history, and the occasion done."""
    if not _close(by, occasion, status=Occasion.Status.DONE, outcome=Occasion.Outcome.CALL):
        return False
    record_contact(
        customer=occasion.customer,
        store=occasion.store,
        associate=by,
        kind=Interaction.Kind.CALL,
        occurred_at=timezone.now(),
        summary=summary,
    )
    _audit(by, occasion, "occasion.done", outcome=Occasion.Outcome.CALL)
    return True


@transaction.atomic
def dismiss(*, by: User, occasion: Occasion, reason: str) -> bool:
    if reason not in Occasion.Dismissal.values:
        raise ValueError(f"Not a reason to dismiss: {reason!r}")
    if not _close(by, occasion, status=Occasion.Status.DISMISSED, dismissal=reason):
        return False
    _audit(by, occasion, "occasion.dismissed", reason=reason)
    return True


@transaction.atomic
def snooze(*, by: User, occasion: Occasion, days: int, today: date | None = None) -> bool:
    """Out of My day until ``days`` from today (and its expiry pushed past that day)."""
    if days not in SNOOZE_DAYS:
        raise ValueError(f"Snooze for one of {SNOOZE_DAYS} days, not {days}.")
    until = (today or timezone.localdate()) + timedelta(days=days)
    expires = max(occasion.expires_on, until)
    changed = Occasion.objects.filter(pk=occasion.pk, status=Occasion.Status.OPEN).update(
        snoozed_until=until, expires_on=expires
    )
    if changed:
        _audit(by, occasion, "occasion.snoozed", until=until.isoformat())
    return bool(changed)
