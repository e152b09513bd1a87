"""Each customer's standing per store: activity, spend and value tier, derived set-based from sales."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from customers.models import ValueTier


def refresh_store_relationships(
    *, customer_ids: Iterable[int] | None = None, as_of: datetime | None = None
) -> None:
    """Re-derive each customer's activity and net spend (orders less refunds) per store.

    ``as_of`` is the moment "the last 12 months" ends (now, unless replaying history, as the demo does).
    """
    ids = list(customer_ids) if customer_ids is not None else None
    only = "AND customer_id = ANY(%(ids)s)" if ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO customers_storerelationship AS r
                (customer_id, store_id, first_activity_at, last_activity_at, orders_count,
                 lifetime_spend, spend_12m, refreshed_at)
            SELECT customer_id, store_id, MIN(at), MAX(at), SUM(is_order)::int,
                   COALESCE(SUM(amount), 0),
                   COALESCE(SUM(amount) FILTER (WHERE at >= %(as_of)s - interval '12 months'), 0),
                   now()
            FROM (
                SELECT customer_id, store_id, placed_at AS at, 1 AS is_order, total_amount AS amount
                FROM sales_order WHERE customer_id IS NOT NULL AND store_id IS NOT NULL {only}
                UNION ALL
                SELECT customer_id, store_id, returned_at, 0, -refund_amount
                FROM sales_return WHERE customer_id IS NOT NULL AND store_id IS NOT NULL {only}
                UNION ALL
                SELECT customer_id, store_id, opened_at, 0, NULL
                FROM sales_serviceepisode WHERE customer_id IS NOT NULL AND store_id IS NOT NULL {only}
            ) activity
            GROUP BY customer_id, store_id
            ON CONFLICT (customer_id, store_id) DO UPDATE SET
                first_activity_at = EXCLUDED.first_activity_at,
                last_activity_at = EXCLUDED.last_activity_at,
                orders_count = EXCLUDED.orders_count,
                lifetime_spend = EXCLUDED.lifetime_spend,
                spend_12m = EXCLUDED.spend_12m,
                refreshed_at = EXCLUDED.refreshed_at
            """,  # noqa: S608 - fixed SQL, values are parameters
            {"ids": ids, "as_of": as_of or timezone.now()},
        )


# Share of a store's spending customers in each tier, best first. "Top 1%" and "top 10%".
TIER_SHARES = ((ValueTier.PRIVATE_CLIENT, 0.01), (ValueTier.PREFERRED, 0.10))


@transaction.atomic
def compute_value_tiers(*, store_ids: Iterable[int] | None = None) -> int:
    """Rank each store's customers by 12-month spend and set their tier; returns rows changed.

    Only customers who spent something in the last 12 months can be in the top tiers; ties at a
    boundary all go to the better tier (rank, not row number).
    """
    ids = list(store_ids) if store_ids is not None else None
    only = "AND store_id = ANY(%(ids)s)" if ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ranked AS (
                SELECT id, spend_12m,
                       RANK() OVER (PARTITION BY store_id ORDER BY spend_12m DESC) AS position,
                       COUNT(*) FILTER (WHERE spend_12m > 0) OVER (PARTITION BY store_id) AS spenders
                FROM customers_storerelationship
                WHERE TRUE {only}
            ), tiered AS (
                SELECT id, CASE
                    WHEN spend_12m > 0 AND position <= GREATEST(1, CEIL(spenders * %(top)s)) THEN %(t1)s
                    WHEN spend_12m > 0 AND position <= GREATEST(1, CEIL(spenders * %(next)s)) THEN %(t2)s
                    ELSE %(t3)s END AS tier
                FROM ranked
            )
            UPDATE customers_storerelationship r
            SET tier = tiered.tier, tier_computed_at = now()
            FROM tiered
            WHERE r.id = tiered.id
            """,  # noqa: S608 - fixed SQL, values are parameters
            {
                "ids": ids,
                "top": TIER_SHARES[0][1],
                "next": TIER_SHARES[1][1],
                "t1": ValueTier.PRIVATE_CLIENT.value,
                "t2": ValueTier.PREFERRED.value,
                "t3": ValueTier.CLIENT.value,
            },
        )
        return cursor.rowcount
