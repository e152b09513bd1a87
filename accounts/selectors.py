"""Where staff work: the stores of a member of staff, her colleagues, and the store she says she is in;
the stores' enrolled tablets, and who is locked out of signing in."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Device, Role, User
from stores.models import Store

SESSION_KEY = "store_id"


def stores_of(user: User) -> list[Store]:
    """The active stores ``user`` works in (every store for administrators)."""
    if user.role == Role.ADMIN:
        return list(Store.objects.filter(is_active=True))
    return list(
        Store.objects.filter(is_active=True, memberships__user=user).order_by(
            "-memberships__is_primary", "name"
        )
    )


def colleagues_of(user: User) -> QuerySet[User]:
    """The staff of the stores ``user`` works in (all staff, for administrators), by name."""
    staff = User.objects.all()
    if user.role != Role.ADMIN:
        staff = staff.filter(memberships__store__memberships__user=user)
    return staff.distinct().order_by("first_name", "username")


def current_store(request: HttpRequest) -> Store | None:
    """The store the signed-in associate said she is in, else her primary store. Read once per
    request (for the same associate and choice)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    chosen = request.session.get(SESSION_KEY)
    known: tuple[tuple[int, object], Store | None] | None = getattr(request, "_current_store", None)
    if known is not None and known[0] == (user.pk, chosen):
        return known[1]
    stores = stores_of(user)
    store = next((s for s in stores if s.pk == chosen), stores[0] if stores else None)
    request._current_store = ((user.pk, chosen), store)  # type: ignore[attr-defined]
    return store


def staff_of(store: Store) -> QuerySet[User]:
    """The store's active staff, by first name."""
    return User.objects.filter(memberships__store=store, is_active=True).order_by("first_name", "last_name")


def staff_with_pins(store: Store) -> QuerySet[User]:
    """Who can switch in on the store's shared tablet: its active staff with a PIN."""
    return staff_of(store).exclude(pin_hash="")


def staff_member_of(store: Store, user_id: int) -> User | None:
    """One of the store's active staff, or None."""
    return staff_of(store).filter(pk=user_id).first()


def staff_member(user_id: int) -> User:
    """A member of staff by id, or ``User.DoesNotExist``."""
    return User.objects.get(pk=user_id)


def devices_of(user: User) -> QuerySet[Device]:
    """The tablets enrolled for the stores ``user`` works in (every store's, for administrators),
    newest first, revoked and expired ones too (the page says which)."""
    devices = Device.objects.select_related("store", "enrolled_by", "revoked_by")
    if user.role != Role.ADMIN:
        devices = devices.filter(store__memberships__user=user)
    return devices.order_by("-enrolled_at")


def device_for(user: User, public_id: UUID) -> Device | None:
    """One of ``devices_of(user)``, or None."""
    return devices_of(user).filter(public_id=public_id).first()


@dataclass(frozen=True)
class Locked:
    user: User
    password: bool  # too many wrong passwords (django-axes)
    pin_until: datetime | None  # her PIN's lock


def locked_colleagues(user: User) -> list[Locked]:
    """Staff of ``user``'s stores who cannot sign in now: a locked password or PIN."""
    now = timezone.now()
    cutoff = now - settings.AXES_COOLOFF_TIME
    locked_names = {
        name.lower()
        for name in AccessAttempt.objects.filter(
            attempt_time__gte=cutoff, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
        if name
    }
    candidates = (
        colleagues_of(user)
        .annotate(lowered=Lower("username"))
        .filter(Q(pin_locked_until__gt=now) | Q(lowered__in=locked_names))
    )
    return [
        Locked(
            member,
            password=member.username.lower() in locked_names,
            pin_until=member.pin_locked_until
            if member.pin_locked_until and member.pin_locked_until > now
            else None,
        )
        for member in candidates
    ]
