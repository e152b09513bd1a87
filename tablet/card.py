"""Everything the customer card shows, read in two queries whatever her history."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg, JSONBAgg
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, TextField
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from accounts.models import User
from catalog.models import Brand, Category
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
    """The card of a customer already obtained through ``customers_visible_to``: two queries (her
    parts, each aggregated in a subquery of one statement; her spend by currency), whatever she has.

    Contact details appear only when she has agreed to be contacted that way.
    """
    today = timezone.localdate()
    parts = _card_parts(customer)
    relationships = [_relationship(row, customer) for row in parts["card_relationships"] or []]
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
    purposes = list(parts["card_purposes"] or [])
    contact = [(row["kind"], row["value"], row["is_primary"]) for row in parts["card_identifiers"] or []]
    primary = {kind: value for kind, value, is_primary in contact if is_primary}
    preferences = [_preference(row, customer) for row in parts["card_preferences"] or []]
    dates = []
    for row in parts["card_dates"] or []:
        kind_label = ImportantDate.Kind(row["kind"]).label if row["kind"] in ImportantDate.Kind.values else ""
        dates.append(
            UpcomingDate(
                label=row["label"] or str(kind_label),
                month=row["month"],
                day=row["day"],
                next_on=next_occurrence(row["month"], row["day"], today),
            )
        )
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
        sizes=[_size(row, customer) for row in parts["card_sizes"] or []],
        likes=[p for p in preferences if p.likes],
        dislikes=[p for p in preferences if not p.likes],
        dates=sorted(dates, key=lambda d: d.next_on),
        follow_ups=[_follow_up(row, customer) for row in parts["card_follow_ups"] or []],
    )


def _rows(queryset: QuerySet[Any], ordering: tuple[str, ...], **fields: Any) -> Subquery:
    """Her rows of ``queryset`` as one JSON array (NULL when she has none), for a subquery."""
    return Subquery(
        queryset.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(rows=JSONBAgg(JSONObject(**fields), ordering=ordering))
        .values("rows")
    )


PARTS = ("relationships", "purposes", "identifiers", "preferences", "dates", "sizes", "follow_ups")


def _card_parts(customer: Customer) -> dict[str, Any]:
    """Her store standings, consent, contact identifiers, preferences, dates, sizes and open
    follow-ups: one statement, each part a JSON array. Times and amounts travel as text."""
    text = TextField()
    user = {"id": "{0}_id", "username": "{0}__username", "first": "{0}__first_name", "last": "{0}__last_name"}

    def person(prefix: str) -> dict[str, Any]:
        return {f"{prefix}_{key}": F(path.format(prefix)) for key, path in user.items()}

    return (
        Customer.objects.filter(pk=customer.pk)
        .annotate(
            card_relationships=_rows(
                StoreRelationship.objects.all(),
                ("pk",),
                id="id",
                store_id="store_id",
                store_name="store__name",
                tier="tier",
                orders_count="orders_count",
                last_activity_at=Cast("last_activity_at", text),
                lifetime_spend=Cast("lifetime_spend", text),
                spend_12m=Cast("spend_12m", text),
                **person("assigned_associate"),
            ),
            card_purposes=Subquery(
                ConsentState.objects.filter(customer=OuterRef("pk"), granted=True)
                .order_by()
                .values("customer")
                .annotate(codes=ArrayAgg("purpose_id", ordering=("purpose__position",)))
                .values("codes")
            ),
            card_identifiers=_rows(
                CustomerIdentifier.objects.filter(kind__in=["email", "phone", "loyalty"]),
                ("pk",),
                kind="kind",
                value="value",
                is_primary="is_primary",
            ),
            card_preferences=_rows(
                Preference.objects.all(),
                ("kind", "pk"),
                id="id",
                kind="kind",
                likes="likes",
                value="value",
                brand_id="brand_id",
                brand_name="brand__name",
                category_id="category_id",
                category_name="category__name",
            ),
            card_dates=_rows(
                ImportantDate.objects.all(), ("pk",), kind="kind", label="label", month="month", day="day"
            ),
            card_sizes=_rows(
                Size.objects.all(),
                ("category__name",),
                id="id",
                size="size",
                fit_note="fit_note",
                category_id="category_id",
                category_name="category__name",
                category_code="category__code",
            ),
            card_follow_ups=_rows(
                FollowUp.objects.filter(status=FollowUp.Status.OPEN),
                ("due_on", "pk"),
                id="id",
                title="title",
                due_on=Cast("due_on", text),
                store_id="store_id",
                status="status",
                **person("assigned_to"),
            ),
        )
        .values(*(f"card_{part}" for part in PARTS))
        .get()
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _user(row: dict[str, Any], prefix: str) -> User | None:
    if row.get(f"{prefix}_id") is None:
        return None
    return User(
        id=row[f"{prefix}_id"],
        username=row[f"{prefix}_username"],
        first_name=row[f"{prefix}_first"],
        last_name=row[f"{prefix}_last"],
    )


def _relationship(row: dict[str, Any], customer: Customer) -> StoreRelationship:
    return StoreRelationship(
        id=row["id"],
        customer=customer,
        store=Store(id=row["store_id"], name=row["store_name"]),
        tier=row["tier"],
        orders_count=row["orders_count"],
        last_activity_at=_moment(row["last_activity_at"]),
        lifetime_spend=Decimal(row["lifetime_spend"]),
        spend_12m=Decimal(row["spend_12m"]),
        assigned_associate=_user(row, "assigned_associate"),
    )


def _preference(row: dict[str, Any], customer: Customer) -> Preference:
    return Preference(
        id=row["id"],
        customer=customer,
        kind=row["kind"],
        likes=row["likes"],
        value=row["value"],
        brand=Brand(id=row["brand_id"], name=row["brand_name"]) if row["brand_id"] is not None else None,
        category=(
            Category(id=row["category_id"], name=row["category_name"])
            if row["category_id"] is not None
            else None
        ),
    )


def _size(row: dict[str, Any], customer: Customer) -> Size:
    category = Category(id=row["category_id"], name=row["category_name"], code=row["category_code"])
    return Size(
        id=row["id"], customer=customer, size=row["size"], fit_note=row["fit_note"], category=category
    )


def _follow_up(row: dict[str, Any], customer: Customer) -> FollowUp:
    assigned = _user(row, "assigned_to")
    return FollowUp(
        id=row["id"],
        customer=customer,
        store_id=row["store_id"],
        title=row["title"],
        due_on=date.fromisoformat(row["due_on"]),
        status=row["status"],
        assigned_to=assigned,
    )
