"""Everything the customer card shows, read in a fixed number of queries whatever her history."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from consent.models import ConsentState, PurposeCode
from customers.models import (
    Customer,
    CustomerIdentifier,
    ImportantDate,
    Preference,
    Size,
    StoreRelationship,
    ValueTier,
)
from relationships.models import FollowUp
from sales.models import Order
from stores.models import Store


@dataclass(frozen=True)
class Spend:
    currency: str
    lifetime: Decimal
    last_12_months: Decimal


@dataclass(frozen=True)
class UpcomingDate:
    label: str
    month: int
    day: int
    next_on: date


@dataclass
class CustomerCard:
    customer: Customer
    store: Store | None
    relationship: StoreRelationship | None
    purposes: list[str]
    spend: list[Spend]
    last_visit_at: datetime | None
    preferred_store: Store | None
    email: str = ""
    phone: str = ""
    loyalty: str = ""
    sizes: list[Size] = field(default_factory=list)
    likes: list[Preference] = field(default_factory=list)
    dislikes: list[Preference] = field(default_factory=list)
    dates: list[UpcomingDate] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    identifier_kinds: set[str] = field(default_factory=set)  # the kinds of address she has

    @property
    def tier(self) -> str:
        return self.relationship.tier if self.relationship else ValueTier.CLIENT

    @property
    def tier_label(self) -> str:
        return ValueTier(self.tier).label

    @property
    def assigned_associate(self) -> User | None:
        return self.relationship.assigned_associate if self.relationship else None


def next_occurrence(month: int, day: int, today: date) -> date:
    """The next time this day of the year comes round (29 February falls on 28 February in other years)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = date(year, month, 28)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: a day of the year recurs within twelve months")


def build_card(customer: Customer, *, store: Store | None) -> CustomerCard:
    """The card of a customer already obtained through ``customers_visible_to``.

    Contact details appear only when she has agreed to be contacted that way.
    """
    today = timezone.localdate()
    relationships = list(
        StoreRelationship.objects.filter(customer=customer).select_related("store", "assigned_associate")
    )
    here = next((r for r in relationships if store is not None and r.store_id == store.pk), None)
    visited = [r for r in relationships if r.last_activity_at is not None]
    preferred = max(relationships, key=lambda r: r.orders_count, default=None)
    year_ago = timezone.now() - timedelta(days=365)
    spend = [
        Spend(currency=row["currency"], lifetime=row["lifetime"], last_12_months=row["recent"] or Decimal(0))
        for row in Order.objects.filter(customer=customer)
        .values("currency")
        .annotate(lifetime=Sum("total_amount"), recent=Sum("total_amount", filter=Q(placed_at__gte=year_ago)))
        .order_by("-lifetime")
    ]
    purposes = list(
        ConsentState.objects.filter(customer=customer, granted=True)
        .order_by("purpose__position")
        .values_list("purpose_id", flat=True)
    )
    contact = list(
        CustomerIdentifier.objects.filter(customer=customer, kind__in=["email", "phone", "loyalty"])
        .order_by("pk")
        .values_list("kind", "value", "is_primary")
    )
    primary = {kind: value for kind, value, is_primary in contact if is_primary}
    preferences = list(
        Preference.objects.filter(customer=customer)
        .select_related("brand", "category")
        .order_by("kind", "pk")
    )
    dates = [
        UpcomingDate(
            label=d.label or d.get_kind_display(),
            month=d.month,
            day=d.day,
            next_on=next_occurrence(d.month, d.day, today),
        )
        for d in ImportantDate.objects.filter(customer=customer)
    ]
    if customer.birth_date:
        born = customer.birth_date
        dates.append(
            UpcomingDate("Birthday", born.month, born.day, next_occurrence(born.month, born.day, today))
        )
    return CustomerCard(
        customer=customer,
        store=store,
        relationship=here,
        purposes=purposes,
        spend=spend,
        last_visit_at=max((r.last_activity_at for r in visited), default=None),  # type: ignore[type-var]
        preferred_store=preferred.store if preferred and preferred.orders_count else customer.home_store,
        email=primary.get("email", "") if PurposeCode.CONTACT_EMAIL in purposes else "",
        phone=primary.get("phone", "") if PurposeCode.CONTACT_SMS in purposes else "",
        loyalty=primary.get("loyalty", ""),
        identifier_kinds={kind for kind, _, _ in contact},
        sizes=list(
            Size.objects.filter(customer=customer).select_related("category").order_by("category__name")
        ),
        likes=[p for p in preferences if p.likes],
        dislikes=[p for p in preferences if not p.likes],
        dates=sorted(dates, key=lambda d: d.next_on),
        follow_ups=list(
            FollowUp.objects.filter(customer=customer, status=FollowUp.Status.OPEN)
            .select_related("assigned_to")
            .order_by("due_on")
        ),
    )
