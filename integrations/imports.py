"""Backfilling sales history from CSV files: COPY into staging tables, then set-based upserts.

The file goes to PostgreSQL as it is: ``COPY ... (FORMAT csv)`` reads its cells into a text table
(``import_cells``), and SQL checks every row (``integrations.import_checks``), casting it into
``import_rows`` or setting it aside with its line number and reason. A file PostgreSQL's CSV reader
refuses as a whole (a row of another width, a NUL, bytes that are not UTF-8) is read again by
Python's csv module, which sets those rows aside and copies the rest. Then the domains write what is
missing, a few statements each: categories and products (``catalog.staged``), customers "from sales
data" with their channel id as an identifier, invisible to staff until they consent
(``identity.staged``), orders with their lines and the customers' standing per store
(``sales.services.staged``). An order already here is left as it is, so running the same file again adds
nothing. Products, customers and stores files are checked the same way (``integrations.import_records``,
``integrations.import_stores``) and upserted. It all happens in one transaction: an import that fails
part-way writes nothing.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
from django.conf import settings
from django.db import DataError, OperationalError, connection, transaction

from audit.services import record_event
from catalog.staged import add_missing_products
from common.db_stats import refresh_statistics, statement_timeout
from common.spreadsheet import spreadsheet_safe
from identity.staged import customers_for_sales
from integrations.csv_rows import (
    IMPORTED_CATEGORY,
    STORE_COLUMN,
    detect_format,
    open_bytes,
    read_cells,
    read_header,
)
from integrations.import_checks import ROWS_TABLE, STORE_CODE, cell_sql, cells_table, check_rows
from integrations.import_records import import_customers, import_products
from integrations.import_stores import import_stores
from sales.services.staged import insert_orders_from
from stores.services import StoreDefaults, create_stores

Progress = Callable[[int], object]
_CHUNK = 1 << 20


@dataclass
class Summary:
    rows: int = 0
    rejected: int = 0
    orders_created: int = 0
    orders_already_here: int = 0
    lines_created: int = 0
    lines_already_here: int = 0
    lines_without_price: int = 0
    """New lines with no price in the file nor in the catalogue, recorded at 0."""
    customers_created: int = 0
    products_created: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    format: str = ""
    records: dict[str, int] = field(default_factory=dict)
    """For a products, customers or stores file: created, updated and more, by name."""
    stores_created: list[str] = field(default_factory=list)
    """The codes of the stores made for the file (``create_stores``), in the order it names them."""
    missing_stores: list[str] = field(default_factory=list)
    """The codes of the stores rows were rejected for (not here), in the order the file names them."""


class ImportTooSlow(Exception):
    """A statement of the load ran past ``IMPORT_STATEMENT_TIMEOUT_SECONDS``; the load was rolled back."""


# The permanent tables a load reads and writes with set-based statements.
LOADED_TABLES = [
    "catalog_category", "catalog_product", "customers_customer", "customers_customeridentifier",
    "customers_storerelationship", "sales_order", "sales_orderline",
]  # fmt: skip


class _NotPlainCsv(Exception):
    """The file holds what COPY would misread (a line of its own ``\\.`` ends COPY's input)."""


def import_sales(
    path: Path,
    *,
    source: str = "import",
    rejects: Path | None = None,
    progress: Progress | None = None,
    create_stores: StoreDefaults | None = None,
) -> Summary:
    """Import ``path`` (either format, gzip or not); rejected rows go to ``rejects`` as CSV
    (line, reason, the row's cells). ``source`` names the system whose customer ids these are.
    With ``create_stores``, the stores the file names that are not here are made first, there
    (``stores.services.create_stores``); without, their rows are rejected and their codes listed in
    ``Summary.missing_stores``."""
    summary = Summary()
    rejected_rows: list[list[str]] = []

    def reject(line: int, reason: str, cells: list[str]) -> None:
        summary.rejected += 1
        summary.reasons[reason] = summary.reasons.get(reason, 0) + 1
        rejected_rows.append([str(line), reason, *cells])

    try:
        with transaction.atomic(), statement_timeout(settings.IMPORT_STATEMENT_TIMEOUT_SECONDS):
            _load(path, source, summary, reject, progress, create_stores)
    except OperationalError as error:
        if isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            raise ImportTooSlow(
                f"A statement ran longer than IMPORT_STATEMENT_TIMEOUT_SECONDS "
                f"({settings.IMPORT_STATEMENT_TIMEOUT_SECONDS} s) and was stopped; nothing was imported."
            ) from error
        raise
    if rejects is not None and rejected_rows:
        with rejects.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "reason", "row"])
            for cells in rejected_rows:
                writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return summary


def _load(
    path: Path,
    source: str,
    summary: Summary,
    reject: Callable[[int, str, list[str]], None],
    progress: Progress | None,
    create: StoreDefaults | None,
) -> None:
    """The whole load, in the caller's transaction: COPY the file, then the set-based statements."""
    with connection.cursor() as cursor:
        # ON COMMIT DROP is not enough inside an outer transaction: drop any left by an earlier import.
        cursor.execute(
            "DROP TABLE IF EXISTS pg_temp.import_cells, pg_temp.import_rows, pg_temp.import_moments, "
            "pg_temp.import_categories, pg_temp.import_products, pg_temp.import_customers, "
            "pg_temp.import_records, pg_temp.import_latest, "
            "pg_temp.import_emails, pg_temp.import_phones, pg_temp.import_loyalty, pg_temp.import_images, "
            "pg_temp.import_country_codes, pg_temp.import_currency_codes, pg_temp.import_timezone_codes, "
            "pg_temp.import_locale_codes"
        )
        with open_bytes(path) as stream:
            header = read_header(stream)
            fmt = detect_format(header)
            cursor.execute(cells_table(len(header)))
            copied = 0

            def counted(rows: int) -> None:
                nonlocal copied
                copied += rows
                if progress:
                    progress(rows)

            try:
                with transaction.atomic():
                    _copy_csv(cursor, stream, len(header), counted)
            except (DataError, psycopg.DataError, _NotPlainCsv):
                if progress:
                    progress(-copied)
                _copy_cells(cursor, path, len(header), reject, progress)
        # The set-based statements below are planned on these tables' statistics: after a load that
        # was rolled back (a crash), they may say "nearly empty" and the plans go wrong by far.
        refresh_statistics(LOADED_TABLES)
        at: dict[str, int] = {}
        for n, name in enumerate(header):
            at.setdefault(name, n)
        summary.format = fmt
        if create is not None and fmt in STORE_COLUMN:
            summary.stores_created = _create_stores(cursor, cell_sql(at)(STORE_COLUMN[fmt]), create, source)
        if fmt in ("products", "customers", "stores"):
            cursor.execute("SELECT count(*) FROM import_cells")
            summary.rows = cursor.fetchone()[0] + summary.rejected
            if fmt == "products":
                counts, rejected = import_products(cursor, at, len(header), source=source)
            elif fmt == "stores":
                counts, rejected = import_stores(cursor, at, len(header), source=source)
            else:
                counts, rejected, summary.missing_stores = import_customers(
                    cursor, at, len(header), source=source
                )
            summary.records = counts
            for line, reason, cells in rejected:
                reject(line, reason, cells)
            _audit_import(source, {"format": fmt, **counts})
        else:
            cursor.execute(ROWS_TABLE)
            rejected, summary.missing_stores = check_rows(cursor, fmt, at, len(header))
            for line, reason, cells in rejected:
                reject(line, reason, cells)
            _upsert(cursor, summary, source)
            summary.rows = summary.rejected + summary.lines_created + summary.lines_already_here


def _create_stores(cursor: Any, store: str, defaults: StoreDefaults, source: str) -> list[str]:
    """Make the stores the cells ``store`` (SQL over ``import_cells``) name that are not here, in
    the order the file first names them; a cell that is no store code makes none (its rows are
    rejected for it)."""
    cursor.execute(
        f"""SELECT code FROM (SELECT {store} AS code, row_no FROM import_cells) f
            WHERE code ~ {STORE_CODE} AND NOT EXISTS (SELECT 1 FROM stores_store s WHERE s.code = f.code)
            GROUP BY code ORDER BY min(row_no)"""  # noqa: S608 - fixed pieces
    )
    codes = [code for (code,) in cursor.fetchall()]
    return create_stores(codes=codes, defaults=defaults, actor_kind=f"import:{source}") if codes else []


def _columns(width: int) -> str:
    return ", ".join(f"c{n}" for n in range(width))


def _copy_csv(cursor: Any, stream: IO[bytes], width: int, progress: Progress) -> None:
    """COPY the rest of ``stream`` (the rows after the header) as it is, PostgreSQL reading the CSV."""
    tail = b"\n"
    with cursor.copy(f"COPY import_cells ({_columns(width)}) FROM STDIN WITH (FORMAT csv)") as copy:
        while chunk := stream.read(_CHUNK):
            seen = tail + chunk
            if b"\n\\.\n" in seen or b"\n\\.\r\n" in seen:
                raise _NotPlainCsv
            tail = seen[-4:]
            copy.write(chunk)
            progress(chunk.count(b"\n"))


def _copy_cells(
    cursor: Any,
    path: Path,
    width: int,
    reject: Callable[[int, str, list[str]], None],
    progress: Progress | None,
) -> None:
    """COPY the rows Python's csv module reads, each with its row number; the unreadable go to ``reject``."""
    cursor.execute("TRUNCATE import_cells")
    with cursor.copy(f"COPY import_cells (row_no, {_columns(width)}) FROM STDIN") as copy:
        for n, (row_no, cells) in enumerate(read_cells(path, width, reject), start=1):
            copy.write_row((row_no, *cells))
            if progress and n % 20_000 == 0:
                progress(20_000)


def _upsert(cursor: Any, summary: Summary, source: str) -> None:
    run = cursor.execute
    run("ANALYZE import_rows")
    # Products: each new one as its first row describes it (a hashed GROUP BY, not a sort of every row).
    online_currency = "GBP" if summary.format == "online_retail" else settings.IMPORT_ONLINE_CURRENCY
    run(
        """CREATE TEMP TABLE import_products ON COMMIT DROP AS
           SELECT r.product AS sku, r.description, r.price, coalesce(s.currency, %s) AS currency,
                  coalesce(nullif(r.category, ''), %s) AS category
           FROM (SELECT min(row_no) AS row_no FROM import_rows GROUP BY product) f
           JOIN import_rows r USING (row_no)
           LEFT JOIN stores_store s ON s.id = r.store_id""",
        [online_currency, IMPORTED_CATEGORY],
    )
    summary.products_created = add_missing_products("import_products", default_category=IMPORTED_CATEGORY)
    summary.customers_created = customers_for_sales(
        "SELECT DISTINCT customer FROM import_rows WHERE customer <> ''",
        namespace=source,
        into="import_customers",
    )
    inserted = insert_orders_from(
        """SELECT r.row_no, r.order_id AS order_key, c.customer_id, r.store_id, r.placed_at,
                  r.product AS sku, r.quantity, r.price AS unit_price
           FROM import_rows r LEFT JOIN import_customers c ON c.external = r.customer""",
        online_currency=online_currency,
    )
    summary.orders_created, summary.orders_already_here = (
        inserted.orders_created,
        inserted.orders_already_here,
    )
    summary.lines_created, summary.lines_already_here = inserted.lines_created, inserted.lines_already_here
    summary.lines_without_price = inserted.lines_without_price
    _audit_import(
        source,
        {
            "orders": summary.orders_created,
            "lines": summary.lines_created,
            "customers": summary.customers_created,
        },
        action="sales.imported",
    )


def _audit_import(source: str, detail: dict[str, Any], *, action: str = "file.imported") -> None:
    record_event(by=None, actor_kind=f"import:{source}", action=action, detail=detail)
