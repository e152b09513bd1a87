"""Backfilling sales history from CSV files: COPY into a staging table, then set-based upserts.

The two formats and the row checks are in ``integrations.csv_rows``. Python reads and checks each
row (a row that cannot be read goes to the rejects file with its line number and reason, and the
rest go on); the good rows are copied into a temporary table, and a few SQL statements create what
is missing: categories, products, customers "from sales data" with their channel id as an
identifier (invisible to staff until they consent), then orders and their lines. An order already
here is left as it is, so running the same file again adds nothing. It all happens in one
transaction: an import that fails part-way writes nothing.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify

from integrations.csv_rows import IMPORTED_CATEGORY, read_rows


@dataclass
class Summary:
    rows: int = 0
    rejected: int = 0
    orders_created: int = 0
    orders_already_here: int = 0
    lines_created: int = 0
    lines_already_here: int = 0
    customers_created: int = 0
    products_created: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


_STAGING = """
CREATE TEMP TABLE import_rows (
    row_no bigint, customer text, order_id text, product text, description text,
    placed_at timestamptz, quantity int, price numeric(10, 2), store text, category text
) ON COMMIT DROP
"""


def _text(value: str) -> str:
    """A text cell for COPY: backslashes doubled, tabs and line breaks made spaces."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return value


def import_sales(
    path: Path,
    *,
    source: str = "import",
    rejects: Path | None = None,
    progress: Callable[[int], object] | None = None,
) -> Summary:
    """Import ``path`` (either format, gzip or not); rejected rows go to ``rejects`` as CSV
    (line, reason, the row's cells). ``source`` names the system whose customer ids these are."""
    summary = Summary()
    rejected_rows: list[list[str]] = []

    def reject(line: int, reason: str, cells: list[str]) -> None:
        summary.rejected += 1
        summary.reasons[reason] = summary.reasons.get(reason, 0) + 1
        rejected_rows.append([str(line), reason, *cells])

    with transaction.atomic(), connection.cursor() as cursor:
        # ON COMMIT DROP is not enough inside an outer transaction: drop any left by an earlier import.
        cursor.execute(
            "DROP TABLE IF EXISTS pg_temp.import_rows, pg_temp.import_customers, pg_temp.import_orders"
        )
        cursor.execute(_STAGING)
        columns = (
            "row_no, customer, order_id, product, description, placed_at, quantity, price, store, category"
        )
        with cursor.cursor.copy(f"COPY import_rows ({columns}) FROM STDIN") as copy:
            buffer: list[str] = []
            for n, row in read_rows(path, reject):
                # Only the free-text cells need escaping; numbers and times are written as checked.
                category = slugify(row.category)[:64] if row.category else ""
                price = r"\N" if row.price is None else row.price
                buffer.append(
                    f"{n}\t{_text(row.customer)}\t{_text(row.order)}\t{_text(row.product)}\t"
                    f"{_text(row.description)}\t{row.placed_at}\t{row.quantity}\t{price}\t"
                    f"{_text(row.store)}\t{category}"
                )
                if len(buffer) == 20_000:
                    copy.write("\n".join(buffer) + "\n")
                    buffer.clear()
                    if progress:
                        progress(20_000)
            if buffer:
                copy.write("\n".join(buffer) + "\n")
                if progress:
                    progress(len(buffer))
        _upsert(cursor, summary, source, reject)
    summary.rows = summary.rejected + summary.lines_created + summary.lines_already_here
    if rejects is not None and rejected_rows:
        with rejects.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "reason", "row"])
            for cells in rejected_rows:
                writer.writerow([_safe(cell) for cell in cells])
    return summary


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _upsert(
    cursor: object, summary: Summary, source: str, reject: Callable[[int, str, list[str]], None]
) -> None:
    run = cursor.execute  # type: ignore[attr-defined]
    fetch = lambda: cursor.fetchall()  # type: ignore[attr-defined]  # noqa: E731
    # Rows naming a store that is not here are refused (stores come from the API, not from sales files).
    run(
        """DELETE FROM import_rows r WHERE r.store <> ''
           AND NOT EXISTS (SELECT 1 FROM stores_store s WHERE s.code = r.store)
           RETURNING r.row_no, r.store"""
    )
    for row_no, store in fetch():
        reject(int(row_no), f"unknown store {store!r}", [])
    run("CREATE INDEX ON import_rows (order_id)")
    run("ANALYZE import_rows")
    run(
        """INSERT INTO catalog_category (code, name, sensitive, sensitive_label, is_sensitive, masked_as)
           SELECT DISTINCT code, initcap(replace(code, '-', ' ')), false, '', false, ''
           FROM (SELECT coalesce(nullif(category, ''), %s) AS code FROM import_rows) r
           ON CONFLICT (code) DO NOTHING""",
        [IMPORTED_CATEGORY],
    )
    run(
        """INSERT INTO catalog_product (sku, name, description, price, currency, replenishable, is_active,
                                        created_at, updated_at, category_id)
           SELECT DISTINCT ON (r.product) r.product, coalesce(nullif(r.description, ''), r.product), '',
                  coalesce(r.price, 0), 'GBP', false, true, now(), now(), c.id
           FROM import_rows r JOIN catalog_category c ON c.code = coalesce(nullif(r.category, ''), %s)
           ORDER BY r.product, r.row_no
           ON CONFLICT (sku) DO NOTHING""",
        [IMPORTED_CATEGORY],
    )
    summary.products_created = cursor.rowcount  # type: ignore[attr-defined]
    # Customers: the file's customer ids are external identifiers in the ``source`` namespace.
    run(
        """CREATE TEMP TABLE import_customers ON COMMIT DROP AS
           SELECT DISTINCT r.customer AS external, coalesce(c.merged_into_id, c.id) AS customer_id
           FROM import_rows r
           LEFT JOIN customers_customeridentifier i
                  ON i.kind = 'external' AND i.namespace = %s AND i.value = r.customer
           LEFT JOIN customers_customer c ON c.id = i.customer_id
           WHERE r.customer <> ''""",
        [source],
    )
    run(
        """UPDATE import_customers
           SET customer_id = nextval(pg_get_serial_sequence('customers_customer', 'id'))
           WHERE customer_id IS NULL RETURNING customer_id"""
    )
    made = [row[0] for row in fetch()]
    summary.customers_created = len(made)
    if made:
        run(
            """INSERT INTO customers_customer (id, public_id, given_name, family_name, preferred_name, locale,
                                               country, source, created_at, updated_at)
               SELECT id, gen_random_uuid(), '', '', '', '', '', 'sales', now(), now()
               FROM unnest(%s::bigint[]) id""",
            [made],
        )
        run(
            """INSERT INTO customers_customeridentifier
                   (customer_id, kind, namespace, value, is_primary, created_at)
               SELECT customer_id, 'external', %s, external, false, now()
               FROM import_customers WHERE customer_id = ANY(%s)""",
            [source, made],
        )
        run(
            """INSERT INTO audit_auditevent (occurred_at, actor_kind, action, customer_id, detail)
               SELECT now(), %s, 'customer.created_from_sales', id, '{}'::jsonb
               FROM unnest(%s::bigint[]) id""",
            [f"import:{source}", made],
        )
    # Orders: one per order id (its first row says who and when); those already here are left alone.
    run("CREATE TEMP TABLE import_orders (id bigint, external_id text) ON COMMIT DROP")
    run(
        """WITH made AS (
               INSERT INTO sales_order (channel, external_id, customer_id, store_id, placed_at, currency,
                                        total_amount, created_at)
               SELECT CASE WHEN o.store <> '' THEN 'store' ELSE 'web' END, o.order_id, ic.customer_id, s.id,
                      o.placed_at, 'GBP', o.total, now()
               FROM (SELECT DISTINCT ON (order_id) order_id, customer, store, placed_at,
                            sum(quantity * coalesce(price, 0)) OVER (PARTITION BY order_id) AS total
                     FROM import_rows ORDER BY order_id, row_no) o
               LEFT JOIN import_customers ic ON ic.external = o.customer
               LEFT JOIN stores_store s ON s.code = o.store AND o.store <> ''
               ON CONFLICT (channel, external_id) DO NOTHING
               RETURNING id, external_id)
           INSERT INTO import_orders SELECT id, external_id FROM made"""
    )
    summary.orders_created = cursor.rowcount  # type: ignore[attr-defined]
    run("CREATE INDEX ON import_orders (external_id)")
    run(
        """SELECT count(DISTINCT order_id), count(*) FROM import_rows r
           WHERE NOT EXISTS (SELECT 1 FROM import_orders o WHERE o.external_id = r.order_id)"""
    )
    summary.orders_already_here, summary.lines_already_here = fetch()[0]
    run(
        """INSERT INTO sales_orderline
               (order_id, line_number, product_id, variant_id, quantity, unit_price, amount)
           SELECT o.id, row_number() OVER (PARTITION BY o.id ORDER BY r.row_no), p.id, NULL, r.quantity,
                  coalesce(r.price, p.price), r.quantity * coalesce(r.price, p.price)
           FROM import_rows r
           JOIN import_orders o ON o.external_id = r.order_id
           JOIN catalog_product p ON p.sku = r.product"""
    )
    summary.lines_created = cursor.rowcount  # type: ignore[attr-defined]
    # A generic file has no prices: its lines take the product's, and so must the order's total.
    run(
        """UPDATE sales_order o SET total_amount = t.total
           FROM (SELECT l.order_id, sum(l.amount) AS total FROM sales_orderline l
                 JOIN import_orders i ON i.id = l.order_id GROUP BY l.order_id) t
           WHERE o.id = t.order_id AND o.total_amount <> t.total"""
    )
    run(
        """INSERT INTO audit_auditevent (occurred_at, actor_kind, action, detail)
           VALUES (now(), %s, 'sales.imported', %s::jsonb)""",
        [
            f"import:{source}",
            f'{{"orders": {summary.orders_created}, "lines": {summary.lines_created}, '
            f'"customers": {summary.customers_created}}}',
        ],
    )
