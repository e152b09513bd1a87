"""Staff from the retailer's systems: associates and managers with their stores, keyed by username
(the retailer's employee id or login). Administrators are made in the admin only."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from accounts.models import Role, StoreMembership, User
from audit.services import record_event
from common.upsert import CREATED, UNCHANGED, UPDATED, Refused, upsert
from stores.models import Store


@transaction.atomic
def write_staff(
    *, username: str, stores: Sequence[Store], store_ids: set[int] | None, **values: Any
) -> tuple[str, User]:
    """Create or update her (``values``: names, e-mail, role, is_active) with ``stores``, primary
    first. ``store_ids``: the stores whose staff this writer may change (None: every store), which
    must hold both the stores she had and those she gets. New staff get no usable password."""
    existing = User.objects.filter(username=username).first()
    if existing is not None and existing.role == Role.ADMIN:
        raise Refused({"username": ["Administrators are managed in the admin only."]})
    if store_ids is not None:
        current = (
            set(StoreMembership.objects.filter(user=existing).values_list("store_id", flat=True))
            if existing
            else set()
        )
        if not {s.pk for s in stores} | current <= store_ids:
            raise Refused({"stores": ["This token writes staff of its own stores only."]})
    status, user = upsert(User, {"username": username}, values)
    if status == CREATED:
        user.set_unusable_password()  # she sets one through the admin's reset or SSO
        user.save(update_fields=["password"])
    target = {store.pk: index == 0 for index, store in enumerate(stores)}  # primary first
    have = dict(StoreMembership.objects.filter(user=user).values_list("store_id", "is_primary"))
    if have != target:
        StoreMembership.objects.filter(user=user).delete()
        StoreMembership.objects.bulk_create(
            StoreMembership(user=user, store_id=pk, is_primary=primary) for pk, primary in target.items()
        )
        status = UPDATED if status == UNCHANGED else status
    return status, user


@transaction.atomic
def unlock_sign_in(*, by: User, user: User) -> None:
    """Lift ``user``'s sign-in locks: wrong passwords (django-axes) and wrong PINs. Audited."""
    from axes.utils import reset

    reset(username=user.username.strip().lower())
    User.objects.filter(pk=user.pk).update(pin_failed_attempts=0, pin_locked_until=None, pin_lockouts=0)
    record_event(by=by, action="staff.unlocked", detail={"user_id": user.pk})
