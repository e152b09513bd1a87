"""Building the rollups, set-based: each rebuild deletes the rows of its days and inserts them again
with INSERT … SELECT … GROUP BY, in one transaction, under a transaction-level advisory lock (two
rebuilds, or a rebuild and a snapshot, run one after the other: running one twice, or two at
once, leaves the same rows)."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from consent.models import PurposeCode
from customers.models import ValueTier
from managers.models import StoreSnapshot
from stores.models import Store

COVERAGE_DAYS = 60
# pg_advisory_xact_lock key of the dashboard's rollups ("rollups" in ASCII, as a bigint).
LOCK = 0x726F6C6C757073


@dataclass(frozen=True)
class Rebuilt:
    days: int
    store_days: int
    associate_days: int


# One row per store and day asked for, with the day's bounds as instants: the store's local midnights.
_DAYS = """
days AS (
    SELECT s.id AS store_id, (%(first)s::date + k) AS day,
           ((%(first)s::date + k)::timestamp AT TIME ZONE s.timezone) AS day_start,
           ((%(first)s::date + k + 1)::timestamp AT TIME ZONE s.timezone) AS day_end,
           ((%(first)s::date + k + 1 - %(coverage)s)::timestamp AT TIME ZONE s.timezone) AS coverage_start
    FROM stores_store s CROSS JOIN generate_series(0, %(n)s - 1) AS k
    WHERE %(stores)s::bigint[] IS NULL OR s.id = ANY(%(stores)s::bigint[])
), bounds AS (
    SELECT min(day_start) AS lo, max(day_end) AS hi FROM days
)"""

# The day's bounds of each store's today at %(now)s, where it falls from %(first)s to %(end)s (exclusive):
# the same rows as _DAYS, for the dashboard's live slice.
_TODAYS = """
days AS (
    SELECT s.id AS store_id, t.day,
           (t.day::timestamp AT TIME ZONE s.timezone) AS day_start,
           ((t.day + 1)::timestamp AT TIME ZONE s.timezone) AS day_end,
           ((t.day + 1 - %(coverage)s)::timestamp AT TIME ZONE s.timezone) AS coverage_start
    FROM stores_store s
    CROSS JOIN LATERAL (SELECT (%(now)s::timestamptz AT TIME ZONE s.timezone)::date AS day) t
    WHERE s.id = ANY(%(stores)s::bigint[]) AND t.day >= %(first)s::date AND t.day < %(end)s::date
), bounds AS (
    SELECT min(day_start) AS lo, max(day_end) AS hi FROM days
)"""

# A StoreDay row (its figures, by the definitions in managers.rollups) for every row of ``days``, as
# the CTE ``store_days``: written by rebuild, summed as it stands by the dashboard for today.
_STORE_DAY_ROWS = """visits AS (
    SELECT DISTINCT d.store_id, d.day, d.day_end, o.customer_id
    FROM days d
    JOIN sales_order o ON o.store_id = d.store_id AND o.placed_at >= d.day_start AND o.placed_at < d.day_end
    WHERE o.customer_id IS NOT NULL
), visit_counts AS (
    SELECT v.store_id, v.day, count(*) AS visits, count(*) FILTER (WHERE latest.granted) AS consenting
    FROM visits v
    LEFT JOIN LATERAL (
        SELECT e.granted FROM consent_consentevent e
        WHERE e.customer_id = v.customer_id AND e.purpose_id = %(profile)s AND e.occurred_at < v.day_end
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1
    ) latest ON true
    GROUP BY v.store_id, v.day
), opt_ins AS (
    SELECT d.store_id, d.day, count(DISTINCT e.customer_id) AS n
    FROM consent_consentevent e
    LEFT JOIN stores_collectionpoint p ON p.id = e.collection_point_id
    JOIN days d ON d.store_id = coalesce(e.store_id, p.store_id)
         AND e.occurred_at >= d.day_start AND e.occurred_at < d.day_end
    JOIN customers_customer c ON c.id = e.customer_id AND c.erased_at IS NULL
    WHERE e.purpose_id = %(profile)s AND e.granted
      AND e.occurred_at >= (SELECT lo FROM bounds) AND e.occurred_at < (SELECT hi FROM bounds)
    GROUP BY d.store_id, d.day
), first_shown AS (
    SELECT d.store_id, d.day, f.customer_id, f.product_id, min(f.at) AS first_at
    FROM days d
    JOIN suggestions_feedback f ON f.store_id = d.store_id AND f.kind = 'shown'
         AND f.at >= d.day_start AND f.at < d.day_end
    WHERE NOT EXISTS (
        SELECT FROM suggestions_feedback e
        WHERE e.customer_id = f.customer_id AND e.kind = 'shown' AND e.product_id = f.product_id
          AND e.store_id = f.store_id AND e.at < d.day_start
    )
    GROUP BY d.store_id, d.day, f.customer_id, f.product_id
), bought AS (
    SELECT s.store_id, s.day, s.customer_id, s.product_id, sum(l.amount) AS amount
    FROM first_shown s
    JOIN sales_order o ON o.customer_id = s.customer_id
         AND o.placed_at > s.first_at AND o.placed_at <= s.first_at + %(window)s
    JOIN sales_orderline l ON l.order_id = o.id AND l.product_id = s.product_id
    GROUP BY s.store_id, s.day, s.customer_id, s.product_id
), suggestion_counts AS (
    SELECT s.store_id, s.day, count(*) AS shown, count(b.customer_id) AS bought,
           coalesce(sum(b.amount), 0) AS sales
    FROM first_shown s
    LEFT JOIN bought b ON b.store_id = s.store_id AND b.day = s.day
         AND b.customer_id = s.customer_id AND b.product_id = s.product_id
    GROUP BY s.store_id, s.day
), liked AS (
    SELECT d.store_id, d.day, count(DISTINCT (f.customer_id, f.product_id)) AS n
    FROM days d
    JOIN suggestions_feedback f ON f.store_id = d.store_id AND f.kind = 'liked'
         AND f.at >= d.day_start AND f.at < d.day_end
    WHERE NOT EXISTS (
        SELECT FROM suggestions_feedback e
        WHERE e.customer_id = f.customer_id AND e.kind = 'liked' AND e.product_id = f.product_id
          AND e.store_id = f.store_id AND e.at < d.day_start
    )
    GROUP BY d.store_id, d.day
), attributed AS (
    SELECT DISTINCT d.store_id, d.day, o.id, o.total_amount
    FROM relationships_interaction i
    JOIN sales_order o ON o.customer_id = i.customer_id
         AND o.placed_at > i.occurred_at AND o.placed_at <= i.occurred_at + %(window)s
    JOIN days d ON d.store_id = i.store_id AND o.placed_at >= d.day_start AND o.placed_at < d.day_end
    WHERE i.kind IN ('call', 'message')
      AND i.occurred_at >= (SELECT lo FROM bounds) - %(window)s AND i.occurred_at < (SELECT hi FROM bounds)
), outreach AS (
    SELECT store_id, day, count(*) AS orders, coalesce(sum(total_amount), 0) AS sales
    FROM attributed GROUP BY store_id, day
), store_days AS (
    SELECT d.store_id, d.day, coalesce(v.visits, 0) AS visits, coalesce(v.consenting, 0) AS visits_consenting,
           coalesce(oi.n, 0) AS opt_ins, coalesce(sc.shown, 0) AS shown, coalesce(lk.n, 0) AS liked,
           coalesce(sc.bought, 0) AS bought, coalesce(sc.sales, 0) AS suggestion_sales,
           coalesce(x.orders, 0) AS outreach_orders, coalesce(x.sales, 0) AS outreach_sales
    FROM days d
    LEFT JOIN visit_counts v ON v.store_id = d.store_id AND v.day = d.day
    LEFT JOIN opt_ins oi ON oi.store_id = d.store_id AND oi.day = d.day
    LEFT JOIN suggestion_counts sc ON sc.store_id = d.store_id AND sc.day = d.day
    LEFT JOIN liked lk ON lk.store_id = d.store_id AND lk.day = d.day
    LEFT JOIN outreach x ON x.store_id = d.store_id AND x.day = d.day
)"""

STORE_DAY_FIELDS = (
    "visits",
    "visits_consenting",
    "opt_ins",
    "shown",
    "liked",
    "bought",
    "suggestion_sales",
    "outreach_orders",
    "outreach_sales",
)

_STORE_DAYS = f"""
WITH {_DAYS}, {_STORE_DAY_ROWS}
INSERT INTO managers_storeday (store_id, day, {", ".join(STORE_DAY_FIELDS)}, computed_at)
SELECT store_id, day, {", ".join(STORE_DAY_FIELDS)}, now() FROM store_days
"""  # noqa: S608 - fixed SQL

# An AssociateDay row for every associate who did something on a row of ``days``, as ``associate_days``.
_ASSOCIATE_DAY_ROWS = """associate_days AS (
SELECT store_id, day, user_id AS associate_id, sum(outreach) AS outreach, sum(done) AS follow_ups_done FROM (
    SELECT d.store_id, d.day, i.associate_id AS user_id, count(*) AS outreach, 0 AS done
    FROM days d
    JOIN relationships_interaction i ON i.store_id = d.store_id
         AND i.occurred_at >= d.day_start AND i.occurred_at < d.day_end
    WHERE i.kind IN ('call', 'message') AND i.associate_id IS NOT NULL
    GROUP BY d.store_id, d.day, i.associate_id
    UNION ALL
    SELECT d.store_id, d.day, f.done_by_id, 0, count(*)
    FROM days d
    JOIN relationships_followup f ON f.store_id = d.store_id
         AND f.done_at >= d.day_start AND f.done_at < d.day_end
    WHERE f.status = 'done' AND f.done_by_id IS NOT NULL
    GROUP BY d.store_id, d.day, f.done_by_id
) x
GROUP BY store_id, day, user_id
)"""

_ASSOCIATE_DAYS = f"""
WITH {_DAYS}, {_ASSOCIATE_DAY_ROWS}
INSERT INTO managers_associateday (store_id, day, associate_id, outreach, follow_ups_done, computed_at)
SELECT store_id, day, associate_id, outreach, follow_ups_done, now() FROM associate_days
"""  # noqa: S608 - fixed SQL

# Today's slice, live: the same rows for each store's today, summed per day (stores whose today is
# the same day add up; around midnight two stores can be on different days).
LIVE_STORE_DAYS = f"""
WITH {_TODAYS}, {_STORE_DAY_ROWS}
SELECT day, {", ".join(f"coalesce(sum({name}), 0)" for name in STORE_DAY_FIELDS)}
FROM store_days GROUP BY day ORDER BY day
"""  # noqa: S608 - fixed SQL

LIVE_ASSOCIATE_DAYS = f"""
WITH {_TODAYS}, {_ASSOCIATE_DAY_ROWS}
SELECT day, associate_id, sum(outreach)::int, sum(follow_ups_done)::int
FROM associate_days GROUP BY day, associate_id ORDER BY day, associate_id
"""  # noqa: S608 - fixed SQL

_SNAPSHOT = f"""
WITH RECURSIVE {_DAYS}, related AS (
    SELECT d.store_id, c.id AS customer_id FROM days d
    JOIN customers_customer c ON c.home_store_id = d.store_id
    WHERE c.merged_into_id IS NULL AND c.erased_at IS NULL
    UNION
    SELECT d.store_id, r.customer_id FROM days d
    JOIN customers_storerelationship r ON r.store_id = d.store_id
    JOIN customers_customer c ON c.id = r.customer_id
    WHERE c.merged_into_id IS NULL AND c.erased_at IS NULL
), family(member, root) AS (
    SELECT DISTINCT customer_id, customer_id FROM related
    UNION
    SELECT c.id, f.root FROM family f JOIN customers_customer c ON c.merged_into_id = f.member
), granted AS (
    SELECT store_id, purpose_id AS purpose, count(*) FILTER (WHERE granted) AS n FROM (
        SELECT DISTINCT ON (r.store_id, r.customer_id, e.purpose_id) r.store_id, e.purpose_id, e.granted
        FROM related r
        JOIN days d ON d.store_id = r.store_id
        JOIN family f ON f.root = r.customer_id
        JOIN consent_consentevent e ON e.customer_id = f.member AND e.occurred_at < d.day_end
        ORDER BY r.store_id, r.customer_id, e.purpose_id, e.occurred_at DESC, e.id DESC
    ) latest
    GROUP BY store_id, purpose_id
), top AS (
    SELECT d.store_id, count(*) AS private_clients, count(r.assigned_associate_id) AS assigned,
           count(*) FILTER (WHERE EXISTS (
               SELECT FROM relationships_interaction i
               WHERE i.customer_id = r.customer_id AND i.store_id = d.store_id
                 AND i.occurred_at >= d.coverage_start AND i.occurred_at < d.day_end)) AS contacted
    FROM days d
    JOIN customers_storerelationship r ON r.store_id = d.store_id AND r.tier = %(top)s
    JOIN customers_customer c ON c.id = r.customer_id
    WHERE c.merged_into_id IS NULL AND c.erased_at IS NULL
    GROUP BY d.store_id
), counted AS (
    SELECT store_id, count(*) AS n FROM related GROUP BY store_id
), consents AS (
    SELECT store_id, jsonb_object_agg(purpose, n) AS by_purpose FROM granted WHERE n > 0 GROUP BY store_id
)
INSERT INTO managers_storesnapshot (
    store_id, day, customers, consents, private_clients, private_clients_assigned,
    private_clients_contacted, computed_at
)
SELECT d.store_id, d.day,
       coalesce(n.n, 0), coalesce(g.by_purpose, '{{}}'::jsonb),
       coalesce(t.private_clients, 0), coalesce(t.assigned, 0), coalesce(t.contacted, 0), now()
FROM days d
LEFT JOIN counted n ON n.store_id = d.store_id
LEFT JOIN consents g ON g.store_id = d.store_id
LEFT JOIN top t ON t.store_id = d.store_id
"""  # noqa: S608 - fixed SQL

_DELETE = """
DELETE FROM {table} WHERE day >= %(first)s AND day < %(end)s
  AND (%(stores)s::bigint[] IS NULL OR store_id = ANY(%(stores)s::bigint[]))
"""


def _params(first_day: date, end_day: date, store_ids: list[int] | None) -> dict[str, Any]:
    return {
        "first": first_day,
        "end": end_day,
        "n": (end_day - first_day).days,
        "stores": list(store_ids) if store_ids is not None else None,
        "window": timedelta(days=settings.ATTRIBUTION_DAYS),
        "coverage": COVERAGE_DAYS,
        "profile": PurposeCode.PROFILE.value,
        "top": ValueTier.PRIVATE_CLIENT.value,
    }


def live_params(store_ids: list[int], first_day: date, end_day: date, now: datetime) -> dict[str, Any]:
    """The parameters of ``LIVE_STORE_DAYS`` and ``LIVE_ASSOCIATE_DAYS``: the stores' todays at
    ``now`` that fall from ``first_day`` to ``end_day`` (exclusive)."""
    return {**_params(first_day, end_day, store_ids), "now": now}


@transaction.atomic
def rebuild(first_day: date, end_day: date, store_ids: list[int] | None = None) -> Rebuilt:
    """The additive rows (``StoreDay``, ``AssociateDay``) of the days from ``first_day`` to
    ``end_day`` (exclusive), for the stores given (default: every store), deleted and inserted again."""
    params = _params(first_day, end_day, store_ids)
    if params["n"] <= 0:
        return Rebuilt(0, 0, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        for table in ("managers_storeday", "managers_associateday"):
            cursor.execute(_DELETE.format(table=table), params)
        cursor.execute(_STORE_DAYS, params)
        store_days = cursor.rowcount
        cursor.execute(_ASSOCIATE_DAYS, params)
        associate_days = cursor.rowcount
    return Rebuilt(params["n"], store_days, associate_days)


@transaction.atomic
def snapshot(day: date, store_ids: list[int] | None = None) -> int:
    """The stores' snapshots as at the end of ``day`` (their local day), taken again; returns how many."""
    params = _params(day, day + timedelta(days=1), store_ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        cursor.execute(_DELETE.format(table="managers_storesnapshot"), params)
        cursor.execute(_SNAPSHOT, params)
        return cursor.rowcount


def local_todays(now: datetime | None = None) -> dict[date, list[int]]:
    """Today's date in each store's time zone: the stores, by their today."""
    now = now or timezone.now()
    todays: dict[date, list[int]] = {}
    for pk, tz in Store.objects.values_list("pk", "timezone"):
        todays.setdefault(now.astimezone(zoneinfo.ZoneInfo(tz)).date(), []).append(pk)
    return todays


def today(now: datetime | None = None) -> Rebuilt:
    """The incremental pass: every store's today (the days that are today somewhere), rebuilt; and
    the snapshot of its yesterday taken for a store that has none yet. The nightly pass runs at one
    hour on the server's clock, which is still the evening before for a store far west of it: this
    pass takes that store's snapshot within minutes of its own midnight."""
    days = local_todays(now) or {timezone.localdate(now): []}
    rebuilt = rebuild(min(days), max(days) + timedelta(days=1))
    for day, store_ids in days.items():
        taken = StoreSnapshot.objects.filter(day=day - timedelta(days=1), store_id__in=store_ids)
        missing = sorted(set(store_ids) - set(taken.values_list("store_id", flat=True)))
        if missing:
            snapshot(day - timedelta(days=1), missing)
    return rebuilt


def nightly(now: datetime | None = None) -> Rebuilt:
    """The nightly pass: the last ATTRIBUTION_DAYS + 1 days before each store's today rebuilt (what
    was bought after a suggestion changes for that long), and each store's yesterday snapshotted."""
    days = local_todays(now) or {timezone.localdate(now): []}
    first = min(days) - timedelta(days=settings.ATTRIBUTION_DAYS + 1)
    rebuilt = rebuild(first, max(days))
    for day, store_ids in days.items():
        snapshot(day - timedelta(days=1), store_ids)
    return rebuilt
