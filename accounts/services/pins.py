"""Staff PINs for quick switching on a shared tablet, and the locks that keep them from being guessed.

A PIN is short, so tries are limited twice: ``PIN_MAX_ATTEMPTS`` wrong PINs lock that person's PIN,
and ``TABLET_PIN_MAX_ATTEMPTS`` wrong PINs on one enrolled tablet (whoever they were for) lock PIN
sign-in on that tablet. Each lock lasts ``PIN_LOCK_MINUTES``, doubled for every lock since the last
right PIN, up to a day: a guesser gets a handful of tries a day, not hundreds. The right PIN resets
the person's count and the tablet's; a manager can unlock a person (``unlock_sign_in``). Locks are
audited.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Device, User
from audit.services import record_event
from common import metrics

_PIN = re.compile(r"^\d{4,8}$")
_LONGEST_LOCK = timedelta(days=1)


class PinLocked(Exception):
    """PIN sign-in waits until ``until``: this person's (or, ``on_tablet``, this tablet's)."""

    def __init__(self, until: datetime, *, on_tablet: bool = False) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until
        self.on_tablet = on_tablet


def _is_guessable(pin: str) -> bool:
    ascending = "01234567890123456789"
    descending = ascending[::-1]
    return len(set(pin)) == 1 or pin in ascending or pin in descending


@transaction.atomic
def set_pin(*, by: User, user: User, pin: str) -> None:
    """Give ``user`` a new quick-switch PIN (4–8 digits, not 1111 or 1234)."""
    if not _PIN.match(pin):
        raise ValidationError({"pin": "Use 4 to 8 digits."})
    if _is_guessable(pin):
        raise ValidationError({"pin": "Choose a PIN that is harder to guess."})
    User.objects.filter(pk=user.pk).update(
        pin_hash=make_password(pin), pin_failed_attempts=0, pin_locked_until=None, pin_lockouts=0
    )
    user.refresh_from_db(fields=["pin_hash", "pin_failed_attempts", "pin_locked_until", "pin_lockouts"])
    record_event(by=by, action="staff.pin_set", detail={"user_id": user.pk})


def lock_length(lockouts: int) -> timedelta:
    """How long the next lock lasts after ``lockouts`` locks since the last right PIN."""
    return min(timedelta(minutes=settings.PIN_LOCK_MINUTES) * 2 ** min(lockouts, 16), _LONGEST_LOCK)


@dataclass
class _Counter:
    """The wrong-PIN count of a person or a tablet (the fields both have)."""

    row: User | Device

    def locked_until(self, now: datetime) -> datetime | None:
        until = self.row.pin_locked_until
        return until if until is not None and until > now else None

    def failed(self, now: datetime, limit: int) -> datetime | None:
        """Count a wrong PIN; the end of the lock it starts, if it starts one."""
        self.row.pin_failed_attempts += 1
        if self.row.pin_failed_attempts < limit:
            return None
        self.row.pin_locked_until = now + lock_length(self.row.pin_lockouts)
        self.row.pin_lockouts += 1
        self.row.pin_failed_attempts = 0
        return self.row.pin_locked_until

    def cleared(self) -> None:
        self.row.pin_failed_attempts, self.row.pin_lockouts, self.row.pin_locked_until = 0, 0, None

    def save(self) -> None:
        self.row.save(update_fields=["pin_failed_attempts", "pin_locked_until", "pin_lockouts"])


def verify_pin(*, user: User, pin: str, device: Device | None = None) -> bool:
    """Check ``user``'s PIN, typed on ``device`` (an enrolled tablet; None when she is already signed
    in on a device of her own). Raises ``PinLocked`` while her PIN or the tablet's PIN sign-in is
    locked, and when this wrong PIN starts a lock."""
    try:
        return _verify_pin(user=user, pin=pin, device=device)
    except PinLocked as lock:
        metrics.SIGN_IN_LOCKOUTS.labels(method="tablet_pin" if lock.on_tablet else "pin").inc()
        raise


def _verify_pin(*, user: User, pin: str, device: Device | None) -> bool:
    now = timezone.now()
    lock: PinLocked | None = None
    with transaction.atomic():  # rows locked: tries in parallel are counted one after another
        person = _Counter(User.objects.select_for_update().get(pk=user.pk))
        tablet = _Counter(Device.objects.select_for_update().get(pk=device.pk)) if device else None
        if tablet is not None and (until := tablet.locked_until(now)):
            raise PinLocked(until, on_tablet=True)
        if until := person.locked_until(now):
            raise PinLocked(until)
        row = person.row
        assert isinstance(row, User)
        if row.is_active and row.pin_hash and check_password(pin, row.pin_hash):
            for counter in (person, tablet):
                if counter is not None:
                    counter.cleared()
                    counter.save()
            return True
        if until := person.failed(now, settings.PIN_MAX_ATTEMPTS):
            record_event(
                by=None, action="staff.pin_locked", detail={"user_id": user.pk, "until": until.isoformat()}
            )
            lock = PinLocked(until)
        person.save()
        if tablet is not None:
            if until := tablet.failed(now, settings.TABLET_PIN_MAX_ATTEMPTS):
                assert device is not None
                record_event(
                    by=None,
                    action="device.pin_locked",
                    store_id=device.store_id,
                    detail={"device": str(device.public_id), "until": until.isoformat()},
                )
                lock = PinLocked(until, on_tablet=True)
            tablet.save()
    if lock is not None:
        raise lock
    return False
