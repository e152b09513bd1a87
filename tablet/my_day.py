"""My day's lists beside its occasions (``occasions.selectors``): her follow-ups due, the customers she
viewed last, her appointments today and her messages not delivered. Consenting customers only.

Birthdays, important dates and top clients not contacted lately are occasions now (the birthday,
important date and keep-in-touch rules), so they are in *Whom to contact, and why*, not here."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from common import prepared
from consent.selectors import visible_ids_sql
from customers.models import Customer
from outreach.models import Appointment, Message
from outreach.selectors import local_day_bounds
from relationships.models import FollowUp
from stores.models import Store

LIST_LENGTH = 8
UNDELIVERED_DAYS = 14


@dataclass
class MyDay:
    today: date
    overdue: list[FollowUp] = field(default_factory=list)
    due_today: list[FollowUp] = field(default_factory=list)
    recently_viewed: list[Customer] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    undelivered: list[Message] = field(default_factory=list)

    def customer_ids(self) -> set[int]:
        """Everyone the page names."""
        named = [row.customer for row in [*self.overdue, *self.due_today]]
        named += [row.customer for row in self.appointments] + [row.customer for row in self.undelivered]
        return {customer.pk for customer in [*named, *self.recently_viewed]}


_CUSTOMER = "c.id AS c_id, c.public_id AS c_public_id, c.given_name AS c_given, c.family_name AS c_family, \
c.preferred_name AS c_preferred"
# Every list of the page, each a JSON array from a subquery of one statement. {visible} is the
# consent gate: ``customers_visible_to`` as SQL (``visible_ids_sql``).
_LISTS_SQL = f"""
SELECT
  (SELECT jsonb_agg(f ORDER BY f.due_on, f.id) FROM (
     SELECT f.id, f.title, f.due_on::text AS due_on, {_CUSTOMER}
       FROM relationships_followup f JOIN customers_customer c ON c.id = f.customer_id
      WHERE f.assigned_to_id = %(user)s AND f.status = %(open)s AND f.due_on <= %(today)s
        AND f.customer_id IN ({{visible}})
      ORDER BY f.due_on, f.id LIMIT 50) f) AS follow_ups,
  (SELECT jsonb_agg(v ORDER BY v.viewed_at DESC, v.c_id) FROM (
     SELECT seen.viewed_at, {_CUSTOMER}
       FROM (SELECT e.customer_id, max(e.occurred_at) AS viewed_at
               FROM (SELECT customer_id, occurred_at FROM audit_auditevent
                      WHERE actor_id = %(user)s AND action = 'customer.viewed' AND customer_id IS NOT NULL
                      ORDER BY occurred_at DESC LIMIT 50) e
              GROUP BY e.customer_id) seen
       JOIN customers_customer c ON c.id = seen.customer_id
      WHERE c.id IN ({{visible}})
      ORDER BY seen.viewed_at DESC, c.id LIMIT {LIST_LENGTH}) v) AS recently_viewed,
  (SELECT jsonb_agg(a ORDER BY a.starts_at, a.id) FROM (
     SELECT a.id, a.public_id AS a_public_id, a.starts_at::text AS starts_at, a.purpose,
            s.timezone, {_CUSTOMER}
       FROM outreach_appointment a JOIN customers_customer c ON c.id = a.customer_id
       JOIN stores_store s ON s.id = a.store_id
      WHERE a.associate_id = %(user)s AND a.store_id = %(store)s AND a.status = %(booked)s
        AND a.starts_at >= %(day_starts)s AND a.starts_at < %(day_ends)s AND a.customer_id IN ({{visible}})
   ) a) AS appointments,
  (SELECT jsonb_agg(m ORDER BY m.created_at DESC, m.id DESC) FROM (
     SELECT m.id, m.channel, m.last_error, m.created_at, {_CUSTOMER}
       FROM outreach_message m JOIN customers_customer c ON c.id = m.customer_id
      WHERE m.sent_by_id = %(user)s AND m.status = %(failed)s AND m.created_at >= %(undelivered_since)s
        AND m.customer_id IN ({{visible}})
      ORDER BY m.created_at DESC, m.id DESC LIMIT 20) m) AS undelivered
"""  # noqa: S608 (no value is formatted in: only this module's fragments and compiled ORM SQL)

_LISTS = ("follow_ups", "recently_viewed", "appointments", "undelivered")


def build_my_day(user: User, *, store: Store | None) -> MyDay:
    """One query whatever the size of the store's client book."""
    today = timezone.localdate()
    if store is not None:
        day_starts, day_ends = local_day_bounds(
            store, timezone.now().astimezone(ZoneInfo(store.timezone)).date()
        )
    else:
        day_starts = day_ends = timezone.now()
    params: dict[str, Any] = {
        "user": user.pk,
        "store": store.pk if store else 0,
        "today": today,
        "open": FollowUp.Status.OPEN.value,
        "booked": Appointment.Status.BOOKED.value,
        "failed": Message.Status.FAILED.value,
        "day_starts": day_starts,
        "day_ends": day_ends,
        "undelivered_since": timezone.now() - timedelta(days=UNDELIVERED_DAYS),
    }
    statement = _LISTS_SQL.replace("{visible}", visible_ids_sql(user))
    lists = dict(
        zip(
            _LISTS,
            (prepared.json_rows(value) for value in prepared.fetch_one(statement, params)),
            strict=True,
        )
    )

    people: dict[int, Customer] = {}

    def customer(row: dict[str, Any]) -> Customer:
        if row["c_id"] not in people:
            people[row["c_id"]] = Customer(
                id=row["c_id"],
                public_id=UUID(row["c_public_id"]),
                given_name=row["c_given"],
                family_name=row["c_family"],
                preferred_name=row["c_preferred"],
            )
        return people[row["c_id"]]

    result = MyDay(today=today)
    for row in lists["follow_ups"]:
        task = FollowUp(id=row["id"], title=row["title"], due_on=date.fromisoformat(row["due_on"]))
        task.customer = customer(row)
        (result.overdue if task.due_on < today else result.due_today).append(task)
    result.recently_viewed = [customer(row) for row in lists["recently_viewed"]]
    result.appointments = [
        Appointment(
            id=row["id"],
            public_id=UUID(row["a_public_id"]),
            customer=customer(row),
            store=Store(id=store.pk, name=store.name, timezone=row["timezone"]) if store else None,
            starts_at=datetime.fromisoformat(row["starts_at"]),
            purpose=row["purpose"],
        )
        for row in lists["appointments"]
    ]
    result.undelivered = [
        Message(id=row["id"], customer=customer(row), channel=row["channel"], last_error=row["last_error"])
        for row in lists["undelivered"]
    ]
    return result
