"""Everything the customer card shows, read in two queries whatever her history."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rows import staff_from
from catalog.models import Brand, Category
from common import prepared
from consent.models import PurposeCode
from customers.models import (
    Customer,
    ImportantDate,
    Preference,
    Size,
    StoreRelationship,
    ValueTier,
)
from relationships.models import FollowUp
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
        return str(ValueTier(self.tier).label)  # in the language of the page being drawn

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
    """The card of a customer already obtained through ``customers_visible_to``: one query (her
    parts, each aggregated in a subquery of one statement), whatever she has.

    Contact details appear only when she has agreed to be contacted that way.
    """
    today = timezone.localdate()
    parts = _card_parts(customer)
    relationships = [_relationship(row, customer) for row in parts["relationships"] or []]
    here = next((r for r in relationships if store is not None and r.store_id == store.pk), None)
    visited = [r for r in relationships if r.last_activity_at is not None]
    preferred = max(relationships, key=lambda r: r.orders_count, default=None)
    spend = [
        Spend(
            currency=row["currency"],
            lifetime=Decimal(str(row["lifetime"])),
            last_12_months=Decimal(str(row["recent"])),
        )
        for row in parts["spend"] or []
    ]
    purposes = list(parts["purposes"] or [])
    contact = [(row["kind"], row["value"], row["is_primary"]) for row in parts["identifiers"] or []]
    primary = {kind: value for kind, value, is_primary in contact if is_primary}
    preferences = [_preference(row, customer) for row in parts["preferences"] or []]
    dates = []
    for row in parts["dates"] or []:
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
            UpcomingDate(_("Birthday"), born.month, born.day, next_occurrence(born.month, born.day, today))
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
        sizes=[_size(row, customer) for row in parts["sizes"] or []],
        likes=[p for p in preferences if p.likes],
        dislikes=[p for p in preferences if not p.likes],
        dates=sorted(dates, key=lambda d: d.next_on),
        follow_ups=[_follow_up(row, customer) for row in parts["follow_ups"] or []],
    )


_USER = "u.id AS {0}_id, u.username AS {0}_username, u.first_name AS {0}_first, u.last_name AS {0}_last"

# Her parts, each a JSON array (NULL when she has none) from a subquery of one statement; times and
# amounts travel as text. Spend is by currency, largest first; "recent" is since %(year_ago)s.
_PARTS_SQL = f"""
SELECT
  (SELECT jsonb_agg(r ORDER BY r.id) FROM (
     SELECT r.id, r.store_id, s.name AS store_name, r.tier, r.orders_count,
            r.last_activity_at::text AS last_activity_at, r.lifetime_spend::text AS lifetime_spend,
            r.spend_12m::text AS spend_12m, {_USER.format("assigned_associate")}
       FROM customers_storerelationship r JOIN stores_store s ON s.id = r.store_id
       LEFT JOIN accounts_user u ON u.id = r.assigned_associate_id
      WHERE r.customer_id = %(c)s) r) AS relationships,
  (SELECT array_agg(cs.purpose_id ORDER BY pu.position, pu.code)
     FROM consent_consentstate cs JOIN consent_purpose pu ON pu.code = cs.purpose_id
    WHERE cs.customer_id = %(c)s AND cs.granted) AS purposes,
  (SELECT jsonb_agg(jsonb_build_object('kind', i.kind, 'value', i.value, 'is_primary', i.is_primary)
                    ORDER BY i.id)
     FROM customers_customeridentifier i
    WHERE i.customer_id = %(c)s AND i.kind IN ('email', 'phone', 'loyalty')) AS identifiers,
  (SELECT jsonb_agg(p ORDER BY p.kind, p.id) FROM (
     SELECT p.id, p.kind, p.likes, p.value, p.brand_id, b.name AS brand_name, p.category_id,
            c.name AS category_name
       FROM customers_preference p LEFT JOIN catalog_brand b ON b.id = p.brand_id
       LEFT JOIN catalog_category c ON c.id = p.category_id
      WHERE p.customer_id = %(c)s) p) AS preferences,
  (SELECT jsonb_agg(jsonb_build_object('kind', d.kind, 'label', d.label, 'month', d.month, 'day', d.day)
                    ORDER BY d.id)
     FROM customers_importantdate d WHERE d.customer_id = %(c)s) AS dates,
  (SELECT jsonb_agg(z ORDER BY z.category_name, z.id) FROM (
     SELECT z.id, z.size, z.fit_note, z.category_id, c.name AS category_name, c.code AS category_code
       FROM customers_size z JOIN catalog_category c ON c.id = z.category_id
      WHERE z.customer_id = %(c)s) z) AS sizes,
  (SELECT jsonb_agg(f ORDER BY f.due_on, f.id) FROM (
     SELECT f.id, f.title, f.due_on::text AS due_on, f.store_id, f.status, {_USER.format("assigned_to")}
       FROM relationships_followup f LEFT JOIN accounts_user u ON u.id = f.assigned_to_id
      WHERE f.customer_id = %(c)s AND f.status = %(open)s) f) AS follow_ups,
  (SELECT jsonb_agg(jsonb_build_object('currency', m.currency, 'lifetime', m.lifetime::text,
                                       'recent', m.recent::text) ORDER BY m.lifetime DESC, m.currency) FROM (
     SELECT o.currency, sum(o.total_amount) AS lifetime,
            coalesce(sum(o.total_amount) FILTER (WHERE o.placed_at >= %(year_ago)s), 0) AS recent
       FROM sales_order o WHERE o.customer_id = %(c)s GROUP BY o.currency) m) AS spend
"""  # noqa: S608 (no value is formatted in: only this module's own fragments)

PARTS = ("relationships", "purposes", "identifiers", "preferences", "dates", "sizes", "follow_ups", "spend")


def _card_parts(customer: Customer) -> dict[str, Any]:
    """Her store standings, consent, contact identifiers, preferences, dates, sizes, open
    follow-ups and spend: one statement, each part a JSON array (or ``None``)."""
    params = {
        "c": customer.pk,
        "open": FollowUp.Status.OPEN.value,
        "year_ago": timezone.now() - timedelta(days=365),
    }
    row = prepared.fetch_one(_PARTS_SQL, params)
    return {
        part: value if part == "purposes" else prepared.json_value(value)
        for part, value in zip(PARTS, row, strict=True)
    }


def _relationship(row: dict[str, Any], customer: Customer) -> StoreRelationship:
    return StoreRelationship(
        id=row["id"],
        customer=customer,
        store=Store(id=row["store_id"], name=row["store_name"]),
        tier=row["tier"],
        orders_count=row["orders_count"],
        last_activity_at=prepared.moment(row["last_activity_at"]),
        lifetime_spend=Decimal(row["lifetime_spend"]),
        spend_12m=Decimal(row["spend_12m"]),
        assigned_associate=staff_from(row, "assigned_associate"),
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
    assigned = staff_from(row, "assigned_to")
    return FollowUp(
        id=row["id"],
        customer=customer,
        store_id=row["store_id"],
        title=row["title"],
        due_on=date.fromisoformat(row["due_on"]),
        status=row["status"],
        assigned_to=assigned,
    )
