"""The associate's start page: who to call, who to celebrate, who not to forget. Consenting customers only."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from consent.selectors import customers_visible_to
from customers.models import Customer, ImportantDate, StoreRelationship, ValueTier
from outreach.models import Appointment, Message
from outreach.selectors import todays_appointments, undelivered_for
from relationships.models import FollowUp
from stores.models import Store
from tablet.card import next_occurrence

DAYS_AHEAD = 7
NOT_CONTACTED_FOR = timedelta(days=60)
LIST_LENGTH = 8


@dataclass(frozen=True)
class Occasion:
    customer: Customer
    label: str
    on: date


@dataclass
class MyDay:
    today: date
    overdue: list[FollowUp] = field(default_factory=list)
    due_today: list[FollowUp] = field(default_factory=list)
    occasions: list[Occasion] = field(default_factory=list)
    to_contact: list[StoreRelationship] = field(default_factory=list)
    recently_viewed: list[Customer] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    undelivered: list[Message] = field(default_factory=list)

    def customer_ids(self) -> set[int]:
        """Everyone the page names."""
        named = [row.customer for row in [*self.overdue, *self.due_today]]
        named += [row.customer for row in self.occasions] + [row.customer for row in self.to_contact]
        named += [row.customer for row in self.appointments] + [row.customer for row in self.undelivered]
        return {customer.pk for customer in [*named, *self.recently_viewed]}


def _days_ahead(today: date) -> list[date]:
    return [today + timedelta(days=n) for n in range(DAYS_AHEAD)]


def _on_days(days: list[date], month: str, day: str) -> Q:
    condition = Q(pk__in=[])
    for when in days:
        condition |= Q(**{month: when.month, day: when.day})
    return condition


def _days_from_today(days: list[date], month: str, day: str) -> Case:
    """0 for today, 1 for tomorrow…: sorts occasions by date even across New Year."""
    return Case(
        *(When(Q(**{month: when.month, day: when.day}), then=Value(n)) for n, when in enumerate(days)),
        default=Value(len(days)),
    )


def build_my_day(user: User, *, store: Store | None) -> MyDay:
    """Seven queries whatever the size of the store's client book."""
    today = timezone.localdate()
    visible = customers_visible_to(user)
    mine = visible.related_to_stores([store.pk]) if store else visible.none()
    result = MyDay(today=today)

    follow_ups = (
        FollowUp.objects.filter(
            assigned_to=user,
            status=FollowUp.Status.OPEN,
            due_on__lte=today,
            customer__in=visible.values("pk"),
        )
        .select_related("customer")
        .order_by("due_on", "pk")[:50]
    )
    for follow_up in follow_ups:
        (result.overdue if follow_up.due_on < today else result.due_today).append(follow_up)

    days = _days_ahead(today)
    birthdays: QuerySet[Customer] = (
        mine.annotate(birth_month=ExtractMonth("birth_date"), birth_day=ExtractDay("birth_date"))
        .filter(_on_days(days, "birth_month", "birth_day"))
        .order_by(_days_from_today(days, "birth_month", "birth_day"), "family_name", "pk")[:50]
    )
    occasions = [
        Occasion(c, "Birthday", next_occurrence(c.birth_date.month, c.birth_date.day, today))
        for c in birthdays
        if c.birth_date
    ]
    anniversaries = (
        ImportantDate.objects.filter(_on_days(days, "month", "day"), customer__in=mine.values("pk"))
        .select_related("customer")
        .order_by(_days_from_today(days, "month", "day"), "pk")[:50]
    )
    occasions += [
        Occasion(d.customer, d.label or d.get_kind_display(), next_occurrence(d.month, d.day, today))
        for d in anniversaries
    ]
    result.occasions = sorted(occasions, key=lambda o: (o.on, o.customer.display_name))

    if store is not None:
        result.to_contact = list(
            StoreRelationship.objects.filter(
                store=store,
                tier__in=[ValueTier.PRIVATE_CLIENT, ValueTier.PREFERRED],
                customer__in=visible.values("pk"),
            )
            .filter(
                Q(last_contacted_at__isnull=True)
                | Q(last_contacted_at__lt=timezone.now() - NOT_CONTACTED_FOR)
            )
            .select_related("customer")
            .order_by("-spend_12m", "pk")[:LIST_LENGTH]
        )

    # The customers of her latest card openings whom she may still see, latest first: one query
    # (her last 50 openings, then each customer's last opening by her to order them).
    openings = AuditEvent.objects.filter(actor=user, action="customer.viewed")
    latest = openings.filter(customer__isnull=False).order_by("-occurred_at").values("customer_id")[:50]
    result.recently_viewed = list(
        visible.filter(pk__in=Subquery(latest))
        .annotate(
            viewed_at=Subquery(
                openings.filter(customer=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
            )
        )
        .order_by("-viewed_at", "pk")[:LIST_LENGTH]
    )
    result.appointments = todays_appointments(user, store)
    result.undelivered = undelivered_for(user)
    return result
