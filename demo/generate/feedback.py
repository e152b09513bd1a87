"""The demo's history of suggestions on the card: what associates showed customers over the last
year, what they liked or set aside, and what they then bought, so the dashboard's suggestion
figures have something to show.

Set-based and deterministic (who, what and when follow from ids through ``hashtext``). Only customers
who grant the ``suggestions`` purpose today are shown anything, and never a sensitive product. For
one in six of their store orders in the year, the associate who looks after them (else the store's
first associate) showed them, 1 to 12 days before, one product of that order (which she then
bought) and two others of the catalogue (which she did not, mostly); a fifth of the pairs shown were
liked, one in twenty set aside ("not for her").
"""

from datetime import UTC, datetime

from django.db import connection

from demo.generate.common import Window

SQL = """
WITH shown_before AS (
    SELECT o.id AS order_id, o.customer_id, o.store_id, o.placed_at,
           o.placed_at - (1 + mod(abs(hashtext('lead:' || o.id)), 12)) * interval '1 day'
                       - mod(abs(hashtext('minute:' || o.id)), 480) * interval '1 minute' AS at
    FROM sales_order o
    JOIN consent_consentstate c
      ON c.customer_id = o.customer_id AND c.purpose_id = 'suggestions' AND c.granted
    WHERE o.store_id IS NOT NULL AND o.placed_at >= %(today)s - interval '365 days'
      AND o.placed_at < %(today)s AND mod(abs(hashtext('shown:' || o.id)), 6) = 0
), products AS (
    SELECT array_agg(p.id ORDER BY p.id) AS ids
    FROM catalog_product p JOIN catalog_category k ON k.id = p.category_id
    WHERE NOT k.is_sensitive AND p.is_active
), pairs AS (
    -- The product she went on to buy (the order's first line that is not sensitive)…
    SELECT s.customer_id, s.store_id, s.at, l.product_id, 'discover' AS list, 'popular_with_similar' AS reason
    FROM shown_before s
    CROSS JOIN LATERAL (
        SELECT l.product_id FROM sales_orderline l
        JOIN catalog_product p ON p.id = l.product_id
        JOIN catalog_category k ON k.id = p.category_id
        WHERE l.order_id = s.order_id AND NOT k.is_sensitive
        ORDER BY l.line_number LIMIT 1
    ) l
    UNION ALL
    -- …and two others she was shown at the same time.
    SELECT s.customer_id, s.store_id, s.at + n * interval '1 minute',
           p.ids[1 + mod(abs(hashtext('other:' || s.order_id || ':' || n)), cardinality(p.ids))],
           'discover', 'popular_with_similar'
    FROM shown_before s CROSS JOIN products p CROSS JOIN generate_series(1, 2) n
), by_whom AS (
    SELECT DISTINCT ON (pairs.customer_id, pairs.product_id, pairs.store_id)
           pairs.*, coalesce(r.assigned_associate_id, first_associate.id) AS by_id
    FROM pairs
    LEFT JOIN customers_storerelationship r
      ON r.customer_id = pairs.customer_id AND r.store_id = pairs.store_id
    LEFT JOIN LATERAL (
        SELECT m.user_id AS id FROM accounts_storemembership m
        WHERE m.store_id = pairs.store_id ORDER BY m.user_id LIMIT 1
    ) first_associate ON true
    ORDER BY pairs.customer_id, pairs.product_id, pairs.store_id, pairs.at
), kinds(kind, share, pause) AS (
    VALUES ('shown', 1, 0), ('liked', 5, 2), ('dismissed', 20, 3)
)
INSERT INTO suggestions_feedback
    (customer_id, product_id, kind, list, reason, model_version, by_id, store_id, at)
SELECT b.customer_id, b.product_id, k.kind, b.list, b.reason, 'demo', b.by_id, b.store_id,
       b.at + k.pause * interval '1 minute'
FROM by_whom b
JOIN kinds k
  ON k.kind = 'shown'
  OR (k.kind = 'liked' AND mod(abs(hashtext('liked:' || b.customer_id || ':' || b.product_id)), k.share) = 0)
  OR (k.kind = 'dismissed' AND b.list = 'discover'
      AND mod(abs(hashtext('dismissed:' || b.customer_id || ':' || b.product_id)), k.share) = 0)
"""


def write_feedback(window: Window) -> int:
    """The year's card feedback before ``window.today``; returns the rows written."""
    today = datetime.combine(window.today, datetime.min.time(), tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"today": today})
        return cursor.rowcount
