"""Reading the rollups: a period's figures (the sum of its days, the snapshot of its last day) and
the same figures week by week, for trends; and the dashboard's, which adds each store's today
computed live from the raw rows (the rollups' own SQL, reading instead of writing)."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from accounts.models import User
from common.replica import heavy_read, read_connection
from managers.figures import AssociateFigures, Figures
from managers.rollups.build import LIVE_ASSOCIATE_DAYS, LIVE_STORE_DAYS, STORE_DAY_FIELDS, live_params

# With a ``now``, each store's rows stop before its own today at that instant (which the dashboard
# computes live): the rollups' row of today is up to five minutes old.
_BEFORE_TODAY = """
  AND (%(now)s::timestamptz IS NULL
       OR r.day < (%(now)s::timestamptz AT TIME ZONE (SELECT st.timezone FROM stores_store st
                                                      WHERE st.id = r.store_id))::date)"""

_SUMS = f"""
SELECT coalesce(sum(visits), 0), coalesce(sum(visits_consenting), 0), coalesce(sum(opt_ins), 0),
       coalesce(sum(shown), 0), coalesce(sum(liked), 0), coalesce(sum(bought), 0),
       coalesce(sum(suggestion_sales), 0), coalesce(sum(outreach_orders), 0),
       coalesce(sum(outreach_sales), 0)
FROM managers_storeday r
WHERE r.store_id = ANY(%(stores)s) AND r.day >= %(start)s AND r.day < %(end)s{_BEFORE_TODAY}
"""  # noqa: S608 - fixed SQL

# Each store's snapshot of the period's last day, or the latest one before it.
_SNAPSHOTS = """
SELECT DISTINCT ON (store_id) day, customers, consents, private_clients, private_clients_assigned,
       private_clients_contacted
FROM managers_storesnapshot
WHERE store_id = ANY(%(stores)s) AND day < %(end)s
ORDER BY store_id, day DESC
"""

_ASSOCIATES = f"""
SELECT associate_id, sum(outreach)::int, sum(follow_ups_done)::int
FROM managers_associateday r
WHERE r.store_id = ANY(%(stores)s) AND r.day >= %(start)s AND r.day < %(end)s{_BEFORE_TODAY}
GROUP BY associate_id
"""  # noqa: S608 - fixed SQL

_WEEKS = f"""
WITH s AS (
    SELECT date_trunc('week', day::timestamp)::date AS week,
           sum(visits) AS visits, sum(visits_consenting) AS consenting, sum(opt_ins) AS opt_ins,
           sum(shown) AS shown, sum(liked) AS liked, sum(bought) AS bought,
           sum(suggestion_sales) AS suggestion_sales, sum(outreach_orders) AS outreach_orders,
           sum(outreach_sales) AS outreach_sales
    FROM managers_storeday r
    WHERE r.store_id = ANY(%(stores)s) AND r.day >= %(start)s AND r.day < %(end)s{_BEFORE_TODAY}
    GROUP BY 1
), a AS (
    SELECT date_trunc('week', day::timestamp)::date AS week, sum(outreach) AS outreach,
           sum(follow_ups_done) AS done
    FROM managers_associateday r
    WHERE r.store_id = ANY(%(stores)s) AND r.day >= %(start)s AND r.day < %(end)s{_BEFORE_TODAY}
    GROUP BY 1
)
SELECT coalesce(s.week, a.week), coalesce(s.visits, 0), coalesce(s.consenting, 0), coalesce(s.opt_ins, 0),
       coalesce(a.outreach, 0), coalesce(a.done, 0), coalesce(s.shown, 0), coalesce(s.liked, 0),
       coalesce(s.bought, 0), coalesce(s.suggestion_sales, 0), coalesce(s.outreach_orders, 0),
       coalesce(s.outreach_sales, 0)
FROM s FULL JOIN a ON a.week = s.week
ORDER BY 1
"""  # noqa: S608 - fixed SQL


@dataclass(frozen=True)
class Week:
    """One ISO week's sums (``start``: its Monday), counting only the days inside the period."""

    start: date
    visits: int
    visits_consenting: int
    opt_ins: int
    outreach: int
    follow_ups_done: int
    shown: int
    liked: int
    bought: int
    suggestion_sales: Decimal
    outreach_orders: int
    outreach_sales: Decimal

    @property
    def opt_in_rate(self) -> float | None:
        return self.visits_consenting / self.visits if self.visits else None


def _params(store_ids: list[int], start_day: date, end_day: date, now: datetime | None) -> dict[str, Any]:
    return {"stores": list(store_ids), "start": start_day, "end": end_day, "now": now}


def _read_rollups(cursor: CursorWrapper, params: dict[str, Any]) -> tuple[Figures, dict[int, list[int]]]:
    """The days' sums and the snapshots into figures, and what each associate did (by her id)."""
    result = Figures()
    cursor.execute(_SUMS, params)
    (
        result.visitors,
        result.visitors_consenting,
        result.opt_ins,
        result.shown,
        result.liked,
        result.bought,
        result.suggestion_sales,
        result.outreach_orders,
        result.outreach_sales,
    ) = cursor.fetchone()
    cursor.execute(_SNAPSHOTS, params)
    consents: dict[str, int] = {}
    for day, customers, by_purpose, private, assigned, contacted in cursor.fetchall():
        result.as_of = max(result.as_of or day, day)
        result.customers += customers
        result.private_clients += private
        result.private_clients_assigned += assigned
        result.private_clients_contacted += contacted
        for purpose, n in json.loads(by_purpose).items():  # Django reads jsonb as text
            consents[purpose] = consents.get(purpose, 0) + n
    result.consents = dict(sorted(consents.items()))
    cursor.execute(_ASSOCIATES, params)
    by_user = {user_id: [outreach, done] for user_id, outreach, done in cursor.fetchall()}
    return result, by_user


def _name_associates(result: Figures, by_user: dict[int, list[int]]) -> None:
    users = User.objects.in_bulk(list(by_user))
    result.associates = sorted(
        (AssociateFigures(users[pk], *counts) for pk, counts in by_user.items() if pk in users),
        key=lambda a: (-a.outreach - a.follow_ups_done, a.user.get_full_name()),
    )


def _read_weeks(cursor: CursorWrapper, params: dict[str, Any]) -> list[Week]:
    cursor.execute(_WEEKS, params)
    found = {row[0]: Week(*row) for row in cursor.fetchall()}
    monday = params["start"] - timedelta(days=params["start"].weekday())
    weeks = []
    while monday < params["end"]:
        weeks.append(found.get(monday) or Week(monday, 0, 0, 0, 0, 0, 0, 0, 0, Decimal(0), 0, Decimal(0)))
        monday += timedelta(days=7)
    return weeks


@heavy_read
def figures_from_rollups(
    store_ids: list[int], start_day: date, end_day: date, *, before_today_at: datetime | None = None
) -> Figures:
    """The figures of the stores for the days from ``start_day`` to ``end_day`` (exclusive), in four
    queries whatever the period: the days' sums, the snapshots, the associates and their names. With
    ``before_today_at``, each store's days stop before its own today at that instant."""
    with read_connection().cursor() as cursor:
        result, by_user = _read_rollups(cursor, _params(store_ids, start_day, end_day, before_today_at))
    _name_associates(result, by_user)
    return result


@heavy_read
def weekly(
    store_ids: list[int], start_day: date, end_day: date, *, before_today_at: datetime | None = None
) -> list[Week]:
    """The stores' additive figures per ISO week for the days from ``start_day`` to ``end_day``
    (exclusive), weeks without a row included (as zeros), in one query (``before_today_at``: as for
    ``figures_from_rollups``)."""
    with read_connection().cursor() as cursor:
        return _read_weeks(cursor, _params(store_ids, start_day, end_day, before_today_at))


@dataclass(frozen=True)
class LiveDay:
    """The stores' figures of one local day that is today in some of them, computed from the raw rows."""

    day: date
    visits: int
    visits_consenting: int
    opt_ins: int
    shown: int
    liked: int
    bought: int
    suggestion_sales: Decimal
    outreach_orders: int
    outreach_sales: Decimal
    associates: dict[int, tuple[int, int]] = field(default_factory=dict)  # id: (outreach, done)


@dataclass(frozen=True)
class Dashboard:
    figures: Figures  # the period's, today included
    weeks: list[Week]  # the same, week by week
    today: list[LiveDay]  # the live slice (empty when the period ends before today everywhere)
    now: datetime


_ADDITIVE = STORE_DAY_FIELDS  # the additive figures: a period's are its days' sums
_FIGURE_NAMES = {"visits": "visitors", "visits_consenting": "visitors_consenting"}


def _live_day(row: tuple[Any, ...]) -> LiveDay:
    """A row of ``LIVE_STORE_DAYS``, its counts as ints (PostgreSQL sums them as numeric)."""
    day, visits, consenting, opt_ins, shown, liked, bought, suggestion_sales, orders, outreach_sales = row
    counts = (int(visits), int(consenting), int(opt_ins), int(shown), int(liked), int(bought))
    return LiveDay(day, *counts, suggestion_sales, int(orders), outreach_sales)


def _read_today(cursor: CursorWrapper, params: dict[str, Any]) -> list[LiveDay]:
    cursor.execute(LIVE_STORE_DAYS, params)
    days = {row[0]: _live_day(row) for row in cursor.fetchall()}
    cursor.execute(LIVE_ASSOCIATE_DAYS, params)
    for day, user_id, outreach, done in cursor.fetchall():
        days[day].associates[user_id] = (int(outreach), int(done))
    return list(days.values())


def _add_today(
    result: Figures, by_user: dict[int, list[int]], weeks: Iterable[Week], today: list[LiveDay]
) -> list[Week]:
    by_monday = {w.start: w for w in weeks}
    for live in today:
        for name in _ADDITIVE:
            figure = _FIGURE_NAMES.get(name, name)
            setattr(result, figure, getattr(result, figure) + getattr(live, name))
        monday = live.day - timedelta(days=live.day.weekday())
        week = by_monday[monday]
        outreach = sum(o for o, _ in live.associates.values())
        done = sum(d for _, d in live.associates.values())
        by_monday[monday] = replace(
            week,
            **{name: getattr(week, name) + getattr(live, name) for name in _ADDITIVE},
            outreach=week.outreach + outreach,
            follow_ups_done=week.follow_ups_done + done,
        )
        for user_id, (o, d) in live.associates.items():
            counts = by_user.setdefault(user_id, [0, 0])
            counts[0] += o
            counts[1] += d
    return list(by_monday.values())


def _may_hold_today(start_day: date, end_day: date, now: datetime) -> bool:
    """Whether the days from ``start_day`` to ``end_day`` (exclusive) may hold some store's today:
    every time zone's today is within a day of UTC's (from UTC-12 to UTC+14)."""
    utc_today = now.astimezone(UTC).date()
    return start_day <= utc_today + timedelta(days=1) and end_day > utc_today - timedelta(days=1)


@heavy_read
def dashboard(store_ids: list[int], start_day: date, end_day: date, now: datetime | None = None) -> Dashboard:
    """The dashboard's figures for the stores' days from ``start_day`` to ``end_day`` (exclusive): each
    store's days before its today from the rollups, its today (if in the period) computed live from
    the raw rows by the same SQL; and the same week by week. Seven queries whatever the period and the
    number of stores (five when the period ends before today or starts after it everywhere)."""
    now = now or timezone.now()
    params = _params(store_ids, start_day, end_day, now)
    with read_connection().cursor() as cursor:
        result, by_user = _read_rollups(cursor, params)
        weeks = _read_weeks(cursor, params)
        today = (
            _read_today(cursor, live_params(store_ids, start_day, end_day, now))
            if _may_hold_today(start_day, end_day, now)
            else []
        )
    weeks = _add_today(result, by_user, weeks, today)
    _name_associates(result, by_user)
    return Dashboard(result, weeks, today, now)
