"""Where staff work: the stores of a member of staff, her colleagues, and the store she says she is in."""

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import Role, User
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
