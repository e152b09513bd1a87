"""Each customer's standing per store (activity and spend), derived set-based from her sales. It is
written on her store relationship (``customers.StoreRelationship``), whose tier ``customers`` ranks."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.utils import timezone


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
