"""The store dashboard's figures computed live from the raw rows, each one query over the stores and
the period asked for: the page reads the rollups now (``managers.rollups``, whose definitions differ
where this docstring says "live figure" there); these stay for the benchmarks' before-and-after, and
``Figures`` is what both return.

Definitions (the tests compute each by hand on a small fixture):

- **opt-in rate**: of the identified customers who bought in the stores in the period (an order
  with a customer), the share whose latest "profile" consent decision before the period's end was
  a grant;
- **active consents**, per purpose: customers of the stores (home store or any activity there)
  who grant it today;
- **top-tier coverage**: of the stores' private clients today, how many have an owner and how many
  were contacted by the stores (a call, message or visit) in the 60 days before the period's end;
- **per associate**: outreach done (calls and messages) and follow-ups completed in the period;
- **suggestions**: the (customer, product) pairs shown on her card in the stores in the period,
  those she liked, and those she bought (any channel) within the attribution window after first
  being shown them, with what those lines came to;
- **outreach**: orders (any channel) placed within the attribution window after a call or message
  from the stores in the period, each order counted once, and what they came to.

They are read from the replica when one is configured (``common.replica.heavy_read``), seeing
everything committed before the dashboard was opened.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from accounts.models import User
from common.replica import heavy_read, read_connection
from consent.models import PurposeCode
from customers.models import ValueTier

COVERAGE_DAYS = 60


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive
    window_days: int  # attribution window


@dataclass
class AssociateFigures:
    user: User
    outreach: int = 0
    follow_ups_done: int = 0


@dataclass
class Figures:
    visitors: int = 0
    visitors_consenting: int = 0
    customers: int = 0
    consents: dict[str, int] = field(default_factory=dict)
    private_clients: int = 0
    private_clients_assigned: int = 0
    private_clients_contacted: int = 0
    associates: list[AssociateFigures] = field(default_factory=list)
    shown: int = 0
    liked: int = 0
    bought: int = 0
    suggestion_sales: Decimal = Decimal(0)
    outreach_orders: int = 0
    outreach_sales: Decimal = Decimal(0)
    # From the rollups only (managers.rollups): "profile" grants through the stores in the period,
    # and the day of the snapshot the standing figures come from.
    opt_ins: int = 0
    as_of: date | None = None

    @property
    def opt_in_rate(self) -> float | None:
        return self.visitors_consenting / self.visitors if self.visitors else None

    def rows(self) -> list[tuple[str, object]]:
        """Every figure as (name, value), for the CSV export."""
        rows: list[tuple[str, object]] = [
            ("visits by identified customers", self.visitors),
            ("of which consenting to a profile", self.visitors_consenting),
            ("opt-in rate", "" if self.opt_in_rate is None else f"{self.opt_in_rate:.4f}"),
            ("opt-ins", self.opt_ins),
            ("standing figures as of", "" if self.as_of is None else self.as_of.isoformat()),
            ("customers of the stores", self.customers),
            *((f"active consents: {purpose}", n) for purpose, n in self.consents.items()),
            ("private clients", self.private_clients),
            ("private clients with an owner", self.private_clients_assigned),
            (f"private clients contacted in {COVERAGE_DAYS} days", self.private_clients_contacted),
            ("suggestions shown", self.shown),
            ("suggestions liked", self.liked),
            ("suggestions bought", self.bought),
            ("sales from suggestions", self.suggestion_sales),
            ("orders after outreach", self.outreach_orders),
            ("sales after outreach", self.outreach_sales),
        ]
        for a in self.associates:
            name = a.user.get_full_name() or a.user.get_username()
            rows += [(f"outreach by {name}", a.outreach), (f"follow-ups done by {name}", a.follow_ups_done)]
        return rows


@heavy_read
def figures(store_ids: list[int], period: Period) -> Figures:
    result = Figures()
    params: dict[str, Any] = {
        "stores": store_ids,
        "start": period.start,
        "end": period.end,
        "window": timedelta(days=period.window_days),
        "coverage": timedelta(days=COVERAGE_DAYS),
        "profile": PurposeCode.PROFILE.value,
        "top": ValueTier.PRIVATE_CLIENT.value,
    }
    with read_connection().cursor() as cursor:
        cursor.execute(_OPT_IN, params)
        result.visitors, result.visitors_consenting = cursor.fetchone()
        cursor.execute(_CONSENTS, params)
        rows = cursor.fetchall()
        result.customers = rows[0][2] if rows else 0
        result.consents = {purpose: n for purpose, n, _ in rows if purpose is not None}
        cursor.execute(_COVERAGE, params)
        result.private_clients, result.private_clients_assigned, result.private_clients_contacted = (
            cursor.fetchone()
        )
        cursor.execute(_ASSOCIATES, params)
        by_user = {user_id: (outreach, done) for user_id, outreach, done in cursor.fetchall()}
        cursor.execute(_SUGGESTIONS, params)
        result.shown, result.liked, result.bought, result.suggestion_sales = cursor.fetchone()
        cursor.execute(_OUTREACH, params)
        result.outreach_orders, result.outreach_sales = cursor.fetchone()
    users = User.objects.in_bulk(list(by_user))
    result.associates = sorted(
        (AssociateFigures(users[pk], *counts) for pk, counts in by_user.items() if pk in users),
        key=lambda a: (-a.outreach - a.follow_ups_done, a.user.get_full_name()),
    )
    return result


_OPT_IN = """
WITH visitors AS (
    SELECT DISTINCT customer_id FROM sales_order
    WHERE store_id = ANY(%(stores)s) AND placed_at >= %(start)s AND placed_at < %(end)s
      AND customer_id IS NOT NULL
)
SELECT count(*), count(*) FILTER (WHERE latest.granted)
FROM visitors v
LEFT JOIN LATERAL (
    SELECT e.granted FROM consent_consentevent e
    WHERE e.customer_id = v.customer_id AND e.purpose_id = %(profile)s AND e.occurred_at < %(end)s
    ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1
) latest ON true
"""

_RELATED = """
    SELECT id FROM customers_customer WHERE home_store_id = ANY(%(stores)s) AND merged_into_id IS NULL
      AND erased_at IS NULL
    UNION
    SELECT r.customer_id FROM customers_storerelationship r JOIN customers_customer c ON c.id = r.customer_id
    WHERE r.store_id = ANY(%(stores)s) AND c.merged_into_id IS NULL AND c.erased_at IS NULL
"""

_CONSENTS = f"""
WITH related AS ({_RELATED})
SELECT s.purpose_id, count(s.customer_id), (SELECT count(*) FROM related)
FROM related r
LEFT JOIN consent_consentstate s ON s.customer_id = r.id AND s.granted
GROUP BY s.purpose_id
ORDER BY s.purpose_id
"""  # noqa: S608 - fixed SQL

_COVERAGE = """
SELECT count(*), count(r.assigned_associate_id),
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM relationships_interaction i
           WHERE i.customer_id = r.customer_id AND i.store_id = ANY(%(stores)s)
             AND i.occurred_at >= %(end)s::timestamptz - %(coverage)s AND i.occurred_at < %(end)s))
FROM customers_storerelationship r JOIN customers_customer c ON c.id = r.customer_id
WHERE r.store_id = ANY(%(stores)s) AND r.tier = %(top)s AND c.merged_into_id IS NULL AND c.erased_at IS NULL
"""

_ASSOCIATES = """
SELECT user_id, sum(outreach)::int, sum(done)::int FROM (
    SELECT associate_id AS user_id, count(*) AS outreach, 0 AS done FROM relationships_interaction
    WHERE store_id = ANY(%(stores)s) AND kind IN ('call', 'message')
      AND occurred_at >= %(start)s AND occurred_at < %(end)s AND associate_id IS NOT NULL
    GROUP BY associate_id
    UNION ALL
    SELECT done_by_id, 0, count(*) FROM relationships_followup
    WHERE store_id = ANY(%(stores)s) AND status = 'done' AND done_at >= %(start)s AND done_at < %(end)s
      AND done_by_id IS NOT NULL
    GROUP BY done_by_id
) x GROUP BY user_id
"""

_SUGGESTIONS = """
WITH shown AS (
    SELECT customer_id, product_id, min(at) AS first_shown FROM suggestions_feedback
    WHERE kind = 'shown' AND store_id = ANY(%(stores)s) AND at >= %(start)s AND at < %(end)s
    GROUP BY customer_id, product_id
), liked AS (
    SELECT DISTINCT customer_id, product_id FROM suggestions_feedback
    WHERE kind = 'liked' AND store_id = ANY(%(stores)s) AND at >= %(start)s AND at < %(end)s
), bought AS (
    SELECT s.customer_id, s.product_id, sum(l.amount) AS amount
    FROM shown s
    JOIN sales_order o ON o.customer_id = s.customer_id
         AND o.placed_at > s.first_shown AND o.placed_at <= s.first_shown + %(window)s
    JOIN sales_orderline l ON l.order_id = o.id AND l.product_id = s.product_id
    GROUP BY s.customer_id, s.product_id
)
SELECT (SELECT count(*) FROM shown), (SELECT count(*) FROM liked), (SELECT count(*) FROM bought),
       (SELECT coalesce(sum(amount), 0) FROM bought)
"""

_OUTREACH = """
WITH outreach AS (
    SELECT customer_id, occurred_at FROM relationships_interaction
    WHERE store_id = ANY(%(stores)s) AND kind IN ('call', 'message')
      AND occurred_at >= %(start)s AND occurred_at < %(end)s
), attributed AS (
    SELECT DISTINCT o.id, o.total_amount
    FROM outreach x
    JOIN sales_order o ON o.customer_id = x.customer_id
         AND o.placed_at > x.occurred_at AND o.placed_at <= x.occurred_at + %(window)s
)
SELECT count(*), coalesce(sum(total_amount), 0) FROM attributed
"""
