"""Staff PINs for quick switching on a shared tablet."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.services import record_event

_PIN = re.compile(r"^\d{4,8}$")


class PinLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


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
        pin_hash=make_password(pin), pin_failed_attempts=0, pin_locked_until=None
    )
    user.refresh_from_db(fields=["pin_hash", "pin_failed_attempts", "pin_locked_until"])
    record_event(by=by, action="staff.pin_set", detail={"user_id": user.pk})


def verify_pin(*, user: User, pin: str) -> bool:
    """Check a PIN. Repeated failures lock this person's PIN for a while; nobody else is affected."""
    now = timezone.now()
    user.refresh_from_db(fields=["pin_hash", "pin_failed_attempts", "pin_locked_until", "is_active"])
    if user.pin_locked_until and user.pin_locked_until > now:
        raise PinLocked(user.pin_locked_until)
    if user.is_active and user.pin_hash and check_password(pin, user.pin_hash):
        if user.pin_failed_attempts:
            User.objects.filter(pk=user.pk).update(pin_failed_attempts=0, pin_locked_until=None)
        return True
    locked_until = None
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(pin_failed_attempts=F("pin_failed_attempts") + 1)
        user.refresh_from_db(fields=["pin_failed_attempts"])
        if user.pin_failed_attempts >= settings.PIN_MAX_ATTEMPTS:
            locked_until = now + timedelta(minutes=settings.PIN_LOCK_MINUTES)
            User.objects.filter(pk=user.pk).update(pin_failed_attempts=0, pin_locked_until=locked_until)
            record_event(by=None, action="staff.pin_locked", detail={"user_id": user.pk})
    if locked_until is not None:
        raise PinLocked(locked_until)
    return False
