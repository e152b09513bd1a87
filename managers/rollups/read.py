"""Reading the rollups: a period's figures (the sum of its days, the snapshot of its last day) and
the same figures week by week, for trends."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from accounts.models import User
from common.replica import heavy_read, read_connection
from managers.figures import AssociateFigures, Figures

_SUMS = """
SELECT coalesce(sum(visits), 0), coalesce(sum(visits_consenting), 0), coalesce(sum(opt_ins), 0),
       coalesce(sum(shown), 0), coalesce(sum(liked), 0), coalesce(sum(bought), 0),
       coalesce(sum(suggestion_sales), 0), coalesce(sum(outreach_orders), 0),
       coalesce(sum(outreach_sales), 0)
FROM managers_storeday
WHERE store_id = ANY(%(stores)s) AND day >= %(start)s AND day < %(end)s
"""

# Each store's snapshot of the period's last day, or the latest one before it.
_SNAPSHOTS = """
SELECT DISTINCT ON (store_id) day, customers, consents, private_clients, private_clients_assigned,
       private_clients_contacted
FROM managers_storesnapshot
WHERE store_id = ANY(%(stores)s) AND day < %(end)s
ORDER BY store_id, day DESC
"""

_ASSOCIATES = """
SELECT associate_id, sum(outreach)::int, sum(follow_ups_done)::int
FROM managers_associateday
WHERE store_id = ANY(%(stores)s) AND day >= %(start)s AND day < %(end)s
GROUP BY associate_id
"""

_WEEKS = """
WITH s AS (
    SELECT date_trunc('week', day::timestamp)::date AS week,
           sum(visits) AS visits, sum(visits_consenting) AS consenting, sum(opt_ins) AS opt_ins,
           sum(shown) AS shown, sum(liked) AS liked, sum(bought) AS bought,
           sum(suggestion_sales) AS suggestion_sales, sum(outreach_orders) AS outreach_orders,
           sum(outreach_sales) AS outreach_sales
    FROM managers_storeday
    WHERE store_id = ANY(%(stores)s) AND day >= %(start)s AND day < %(end)s
    GROUP BY 1
), a AS (
    SELECT date_trunc('week', day::timestamp)::date AS week, sum(outreach) AS outreach,
           sum(follow_ups_done) AS done
    FROM managers_associateday
    WHERE store_id = ANY(%(stores)s) AND day >= %(start)s AND day < %(end)s
    GROUP BY 1
)
SELECT coalesce(s.week, a.week), coalesce(s.visits, 0), coalesce(s.consenting, 0), coalesce(s.opt_ins, 0),
       coalesce(a.outreach, 0), coalesce(a.done, 0), coalesce(s.shown, 0), coalesce(s.liked, 0),
       coalesce(s.bought, 0), coalesce(s.suggestion_sales, 0), coalesce(s.outreach_orders, 0),
       coalesce(s.outreach_sales, 0)
FROM s FULL JOIN a ON a.week = s.week
ORDER BY 1
"""


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


def _params(store_ids: list[int], start_day: date, end_day: date) -> dict[str, Any]:
    return {"stores": list(store_ids), "start": start_day, "end": end_day}


@heavy_read
def figures_from_rollups(store_ids: list[int], start_day: date, end_day: date) -> Figures:
    """The figures of the stores for the days from ``start_day`` to ``end_day`` (exclusive), in four
    queries whatever the period: the days' sums, the snapshots, the associates and their names."""
    result = Figures()
    params = _params(store_ids, start_day, end_day)
    with read_connection().cursor() as cursor:
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
        by_user = {user_id: (outreach, done) for user_id, outreach, done in cursor.fetchall()}
    users = User.objects.in_bulk(list(by_user))
    result.associates = sorted(
        (AssociateFigures(users[pk], *counts) for pk, counts in by_user.items() if pk in users),
        key=lambda a: (-a.outreach - a.follow_ups_done, a.user.get_full_name()),
    )
    return result


@heavy_read
def weekly(store_ids: list[int], start_day: date, end_day: date) -> list[Week]:
    """The stores' additive figures per ISO week for the days from ``start_day`` to ``end_day``
    (exclusive), weeks without a row included (as zeros), in one query."""
    with read_connection().cursor() as cursor:
        cursor.execute(_WEEKS, _params(store_ids, start_day, end_day))
        found = {row[0]: Week(*row) for row in cursor.fetchall()}
    monday = start_day - timedelta(days=start_day.weekday())
    weeks = []
    while monday < end_day:
        weeks.append(found.get(monday) or Week(monday, 0, 0, 0, 0, 0, 0, 0, 0, Decimal(0), 0, Decimal(0)))
        monday += timedelta(days=7)
    return weeks
