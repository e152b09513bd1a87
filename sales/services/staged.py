"""Orders from rows staged in the database (a sales file COPYed into a temporary table), written
set-based: a few statements for half a million lines."""

from dataclasses import dataclass

from django.db import connection, transaction

from sales.services.standing import refresh_store_relationships


@dataclass(frozen=True)
class Inserted:
    orders_created: int
    orders_already_here: int
    lines_created: int
    lines_already_here: int
    lines_without_price: int = 0
    """New lines with no price of their own and none in the catalogue: recorded at 0."""


@transaction.atomic
def insert_orders_from(lines: str, *, online_currency: str = "GBP") -> Inserted:
    """New orders with their lines from the query ``lines`` (fixed SQL of the caller's): one row per
    line, with columns ``row_no, order_key, customer_id, store_id, placed_at, sku, quantity,
    unit_price`` (NULL: the product's price), every ``sku`` a product of the catalogue.

    Each order is as its first row says: in store when it names a store, in the store's currency,
    else on the web, in ``online_currency``, keyed by ``order_key``; an order already here is left
    alone (and counted, with its lines). Lines are numbered in row order and the totals are their
    sum. The store standing of the customers of new orders in a store is brought up to date (tiers
    are re-ranked nightly)."""
    with connection.cursor() as cursor:
        run = cursor.execute
        run(
            """CREATE TEMP TABLE staged_orders
                   (id bigint, external_id text, customer_id bigint, store_id bigint) ON COMMIT DROP"""
        )
        # One per order key, from a hashed GROUP BY rather than a sort of every row.
        run(
            f"""WITH made AS (
                   INSERT INTO sales_order (channel, external_id, customer_id, store_id, placed_at, currency,
                                            total_amount, created_at)
                   SELECT CASE WHEN r.store_id IS NOT NULL THEN 'store' ELSE 'web' END, r.order_key,
                          r.customer_id, r.store_id, r.placed_at, coalesce(s.currency, %(online)s), o.total,
                          now()
                   FROM (SELECT min(row_no) AS row_no, sum(quantity * coalesce(unit_price, 0)) AS total
                         FROM ({lines}) l GROUP BY order_key) o
                   JOIN ({lines}) r USING (row_no)
                   LEFT JOIN stores_store s ON s.id = r.store_id
                   ON CONFLICT (channel, external_id) DO NOTHING
                   RETURNING id, external_id, customer_id, store_id)
               INSERT INTO staged_orders SELECT * FROM made""",  # noqa: S608 - fixed SQL, values are parameters
            {"online": online_currency},
        )
        orders_created = cursor.rowcount
        run("ANALYZE staged_orders")
        run(
            f"""SELECT count(DISTINCT order_key), count(*) FROM ({lines}) r
               WHERE NOT EXISTS (SELECT 1 FROM staged_orders o WHERE o.external_id = r.order_key)"""  # noqa: S608
        )
        orders_already_here, lines_already_here = cursor.fetchone()
        run(
            f"""INSERT INTO sales_orderline
                   (order_id, line_number, product_id, variant_id, quantity, unit_price, amount)
               SELECT o.id, row_number() OVER (PARTITION BY o.id ORDER BY r.row_no), p.id, NULL, r.quantity,
                      coalesce(r.unit_price, p.price), r.quantity * coalesce(r.unit_price, p.price)
               FROM ({lines}) r
               JOIN staged_orders o ON o.external_id = r.order_key
               JOIN catalog_product p ON p.sku = r.sku"""  # noqa: S608 - fixed SQL of the caller's
        )
        lines_created = cursor.rowcount
        run(
            f"""SELECT count(*) FROM ({lines}) r
               JOIN staged_orders o ON o.external_id = r.order_key
               JOIN catalog_product p ON p.sku = r.sku
               WHERE r.unit_price IS NULL AND p.price = 0"""  # noqa: S608 - fixed SQL of the caller's
        )
        (without_price,) = cursor.fetchone()
        # Lines without a price take the product's, and so must the order's total.
        run(
            """UPDATE sales_order o SET total_amount = t.total
               FROM (SELECT l.order_id, sum(l.amount) AS total FROM sales_orderline l
                     JOIN staged_orders s ON s.id = l.order_id GROUP BY l.order_id) t
               WHERE o.id = t.order_id AND o.total_amount <> t.total"""
        )
        run(
            """SELECT DISTINCT customer_id FROM staged_orders
               WHERE customer_id IS NOT NULL AND store_id IS NOT NULL"""
        )
        in_stores = [customer_id for (customer_id,) in cursor.fetchall()]
        run("DROP TABLE staged_orders")
    if in_stores:
        refresh_store_relationships(customer_ids=in_stores)
    return Inserted(orders_created, orders_already_here, lines_created, lines_already_here, without_price)
