"""Each store's value tiers: its customers ranked by 12-month spend (derived nightly from sales)."""

from collections.abc import Iterable

from django.db import connection, transaction

from customers.models import ValueTier

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
