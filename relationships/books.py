"""Client books: which associate looks after which customer in a store.

The owner is ``StoreRelationship.assigned_associate``. A manager assigns customers one by one or in
bulk by filter (tier, last contact, home store, current owner), and hands a leaving associate's
book to a colleague or spreads it evenly across the team. Every customer of the store's top tier
should have an owner; ``unowned_top_tier`` lists those who do not.

Reads go through ``customers_visible_to``: a manager assigns only customers she may see. Handing a
leaving associate's book over moves all of it, customers who have since withdrawn their consent
included: no one stays assigned to someone who has left. Each change is audited per customer
(ids only).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User
from audit.services import Event, record_events
from consent.selectors import customers_visible_to
from customers.models import Customer, StoreRelationship, ValueTier
from stores.models import Store

UNASSIGNED = "unassigned"
NEVER = "never"
CONTACT_WINDOWS = {"30": 30, "60": 60, "90": 90}  # "not contacted for more than N days"
COVERAGE_DAYS = 60


@dataclass(frozen=True)
class BookFilters:
    tier: str = ""
    owner: str = ""  # "", UNASSIGNED or an associate's id
    contact: str = ""  # "", NEVER or a key of CONTACT_WINDOWS
    home: str = ""  # "", "here" (her home store is this one) or "elsewhere"


@dataclass(frozen=True)
class BookSize:
    associate: User
    clients: int
    top_tier: int
    contacted: int  # in the last COVERAGE_DAYS


def team(store: Store) -> QuerySet[User]:
    """Who may own clients in ``store``: its active associates and managers."""
    return (
        User.objects.filter(is_active=True, role__in=[Role.ASSOCIATE, Role.MANAGER], memberships__store=store)
        .distinct()
        .order_by("first_name", "username")
    )


def book(user: User, store: Store, filters: BookFilters) -> QuerySet[Customer]:
    """The customers of ``store`` she may see, as ``filters`` narrow them, best clients first; each
    with ``tier``, ``owner_id``, ``last_contacted_at`` and ``spend_12m`` for this store."""
    customers = (
        customers_visible_to(user)
        .related_to_stores([store.pk])
        .annotate(here=FilteredRelation("store_relationships", condition=Q(store_relationships__store=store)))
        .annotate(
            tier=Coalesce(F("here__tier"), Value(ValueTier.CLIENT.value)),
            owner_id=F("here__assigned_associate_id"),
            last_contacted_at=F("here__last_contacted_at"),
            spend_12m=Coalesce(F("here__spend_12m"), Value(Decimal(0)), output_field=DecimalField()),
        )
    )
    if filters.tier:
        customers = customers.filter(tier=filters.tier)
    if filters.owner == UNASSIGNED:
        customers = customers.filter(owner_id__isnull=True)
    elif filters.owner:
        customers = customers.filter(owner_id=int(filters.owner))
    if filters.contact == NEVER:
        customers = customers.filter(last_contacted_at__isnull=True)
    elif filters.contact in CONTACT_WINDOWS:
        before = timezone.now() - timedelta(days=CONTACT_WINDOWS[filters.contact])
        customers = customers.filter(Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=before))
    if filters.home == "here":
        customers = customers.filter(home_store=store)
    elif filters.home == "elsewhere":
        customers = customers.exclude(home_store=store)
    return customers.order_by(F("spend_12m").desc(), "family_name", "pk")


def unowned_top_tier(user: User, store: Store) -> QuerySet[Customer]:
    """The store's top-tier customers she may see who have no owner there."""
    return book(user, store, BookFilters(tier=ValueTier.PRIVATE_CLIENT, owner=UNASSIGNED))


def book_sizes(user: User, store: Store, members: list[User]) -> list[BookSize]:
    """Each of ``members``' (the store's ``team``) book in ``store``: clients she may see, top-tier
    ones, contacted lately."""
    since = timezone.now() - timedelta(days=COVERAGE_DAYS)
    counts = {
        owner: (clients, top_tier, contacted)
        for owner, clients, top_tier, contacted in StoreRelationship.objects.filter(
            store=store,
            assigned_associate__isnull=False,
            customer__in=customers_visible_to(user).values("pk"),
        )
        .values("assigned_associate")
        .annotate(
            clients=Count("pk"),
            top_tier=Count("pk", filter=Q(tier=ValueTier.PRIVATE_CLIENT)),
            contacted=Count("pk", filter=Q(last_contacted_at__gte=since)),
        )
        .values_list("assigned_associate", "clients", "top_tier", "contacted")
    }
    return [BookSize(member, *counts.get(member.pk, (0, 0, 0))) for member in members]


@transaction.atomic
def assign(*, by: User, store: Store, customer_ids: list[int], associate: User | None) -> int:
    """Make ``associate`` (None: nobody) the owner of these customers in ``store``; returns how many
    changed hands. Customers she may not see are refused as a whole."""
    if associate is not None and not team(store).filter(pk=associate.pk).exists():
        raise ValidationError({"associate": f"{associate.get_username()} does not work in {store.name}."})
    ids = set(customer_ids)
    visible = set(customers_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))
    if visible != ids:
        raise ValidationError(
            {"customers": "Some of these customers are not yours to assign; reload the page."}
        )
    return _hand_over(by, store, ids, associate)


@transaction.atomic
def hand_over_book(*, by: User, store: Store, leaving: User, to: User | None) -> int:
    """Give all of ``leaving``'s clients in ``store`` to ``to``, or (``to=None``) spread them evenly
    across the rest of the team, the smallest books first; returns how many moved."""
    ids = list(
        StoreRelationship.objects.select_for_update()
        .filter(store=store, assigned_associate=leaving)
        .order_by("-spend_12m", "pk")
        .values_list("customer_id", flat=True)
    )
    if to is not None:
        if to.pk == leaving.pk or not team(store).filter(pk=to.pk).exists():
            raise ValidationError({"to": f"Choose someone else who works in {store.name}."})
        return _hand_over(by, store, set(ids), to)
    others = list(team(store).exclude(pk=leaving.pk).filter(role=Role.ASSOCIATE))
    if not others:
        raise ValidationError({"to": f"No other associate works in {store.name} to take the book."})
    sizes = dict(
        StoreRelationship.objects.filter(store=store, assigned_associate__in=others)
        .values("assigned_associate")
        .annotate(n=Count("pk"))
        .values_list("assigned_associate", "n")
    )
    others.sort(key=lambda member: (sizes.get(member.pk, 0), member.pk))
    moved = 0
    for index, member in enumerate(others):  # best clients dealt round, the smallest books first
        moved += _hand_over(by, store, set(ids[index :: len(others)]), member)
    return moved


def _hand_over(by: User, store: Store, ids: set[int], associate: User | None) -> int:
    existing = {
        rel.customer_id: rel
        for rel in StoreRelationship.objects.select_for_update().filter(store=store, customer_id__in=ids)
    }
    new_owner = associate.pk if associate else None
    changed = [rel for rel in existing.values() if rel.assigned_associate_id != new_owner]
    previous = {rel.customer_id: rel.assigned_associate_id for rel in changed}
    for rel in changed:
        rel.assigned_associate_id = new_owner
    StoreRelationship.objects.bulk_update(changed, ["assigned_associate"])
    missing = [pk for pk in ids if pk not in existing] if associate else []
    StoreRelationship.objects.bulk_create(
        StoreRelationship(customer_id=pk, store=store, assigned_associate=associate) for pk in missing
    )
    record_events(
        (
            Event(
                "client_book.assigned",
                customer_id=pk,
                store_id=store.pk,
                detail={"associate": new_owner, "previous": previous.get(pk)},
            )
            for pk in sorted([*previous, *missing])
        ),
        by=by,
    )
    return len(changed) + len(missing)
