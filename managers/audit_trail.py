"""What a store manager may read of the audit trail, and the access that looks unusual.

She sees the events of her stores' staff (every store's for administrators), and the events about
one customer she may see. Two patterns are flagged:

- an hour in which someone opened far more customer cards than she usually does: at least
  ``AUDIT_BUSY_HOUR_MIN`` cards, and at least ``AUDIT_BUSY_HOUR_FACTOR`` times her median hour over
  the 30 days before the period looked at;
- cards opened of customers outside the opener's stores (neither her home store nor any activity
  there), which the store-scoped visibility only allows administrators or a chain-wide setting.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Q, QuerySet

from accounts.models import Role, User
from accounts.selectors import colleagues_of
from audit.models import AuditEvent
from consent.selectors import customers_visible_to
from customers.models import Customer

VIEWED = "customer.viewed"
BASELINE = timedelta(days=30)


@dataclass(frozen=True)
class BusyHour:
    user: User
    hour: datetime
    cards: int
    usual: float  # her median cards per active hour before


@dataclass(frozen=True)
class OutsideAccess:
    user: User
    cards: int
    customers: int
    last: datetime


team_of = colleagues_of  # the staff whose trail she may read


def active_team(user: User) -> QuerySet[User]:
    """Her stores' staff still working, whose trails she may open."""
    return team_of(user).filter(is_active=True)


def team_member(user: User, member_id: int) -> User | None:
    """One of her stores' staff, or None."""
    return team_of(user).filter(pk=member_id).first()


def events_by(user: User, member: User) -> QuerySet[AuditEvent]:
    """What ``member`` did, newest first (nothing if ``member`` is not of her stores' staff)."""
    return _listed(AuditEvent.objects.filter(actor=member, actor__in=team_of(user).values("pk")))


def events_about(user: User, customer: Customer) -> QuerySet[AuditEvent]:
    """Everything recorded about ``customer`` (nothing unless she may see her), newest first."""
    return _listed(
        AuditEvent.objects.filter(Q(customer=customer) | Q(customer__merged_into=customer)).filter(
            Exists(customers_visible_to(user).filter(pk=customer.pk))
        )
    )


def _listed(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Events as the trail pages show them: with who, about whom and where, in one query."""
    return events.select_related("actor", "customer", "store").order_by("-occurred_at", "-pk")


def busy_hours(user: User, *, since: datetime) -> list[BusyHour]:
    team = list(team_of(user).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH hourly AS (
                SELECT actor_id, date_trunc('hour', occurred_at) AS hour, count(*) AS cards
                FROM audit_auditevent
                WHERE action = %(viewed)s AND actor_id = ANY(%(team)s) AND occurred_at >= %(from)s
                GROUP BY 1, 2
            ), usual AS (
                SELECT actor_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY cards) AS median
                FROM hourly WHERE hour < %(since)s GROUP BY actor_id
            )
            SELECT h.actor_id, h.hour, h.cards, coalesce(u.median, 0)
            FROM hourly h LEFT JOIN usual u USING (actor_id)
            WHERE h.hour >= date_trunc('hour', %(since)s::timestamptz)
              AND h.cards >= greatest(%(min)s, %(factor)s * coalesce(u.median, 0))
            ORDER BY h.cards DESC, h.hour DESC
            LIMIT 50
            """,
            {
                "viewed": VIEWED,
                "team": team,
                "from": since - BASELINE,
                "since": since,
                "min": settings.AUDIT_BUSY_HOUR_MIN,
                "factor": settings.AUDIT_BUSY_HOUR_FACTOR,
            },
        )
        rows = cursor.fetchall()
    users = User.objects.in_bulk({row[0] for row in rows})
    return [BusyHour(users[actor], hour, cards, float(usual)) for actor, hour, cards, usual in rows]


def outside_access(user: User, *, since: datetime) -> list[OutsideAccess]:
    team = list(team_of(user).exclude(role=Role.ADMIN).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.actor_id, count(*), count(DISTINCT e.customer_id), max(e.occurred_at)
            FROM audit_auditevent e
            JOIN customers_customer c ON c.id = e.customer_id
            WHERE e.action = %(viewed)s AND e.actor_id = ANY(%(team)s) AND e.occurred_at >= %(since)s
              AND NOT EXISTS (
                  SELECT 1 FROM accounts_storemembership m
                  WHERE m.user_id = e.actor_id
                    AND (c.home_store_id = m.store_id
                         OR EXISTS (SELECT 1 FROM customers_storerelationship r
                                    WHERE r.customer_id = c.id AND r.store_id = m.store_id)))
            GROUP BY e.actor_id
            ORDER BY count(*) DESC
            """,
            {"viewed": VIEWED, "team": team, "since": since},
        )
        rows = cursor.fetchall()
    users = User.objects.in_bulk({row[0] for row in rows})
    return [OutsideAccess(users[actor], cards, customers, last) for actor, cards, customers, last in rows]
