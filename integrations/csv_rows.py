"""Sales files: the two formats, their header, and reading cells when PostgreSQL's CSV reader can't.

- generic: ``customer_id,order_id,product_id,ordered_at,quantity,store_id,category,unit_price``
  (header row; ``customer_id`` may be empty for a guest, ``store_id`` is a store code, empty for
  online orders; ``store_id``, ``category`` and ``unit_price`` (or ``price``: the price of one, in
  the store's currency, ``IMPORT_ONLINE_CURRENCY`` online; else the product's catalogue price) may
  be left out);
- online_retail: the UCI export (``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,
  CustomerID,Country``), an online shop in pounds: every invoice is a web order, in GBP;
- products and customers files (``integrations.import_records``), stores files
  (``integrations.import_stores``).

The cells are checked in SQL (``integrations.import_checks``). Python only reads the header, turns
each distinct date into a moment, and, for a file PostgreSQL's CSV reader refuses as a whole (a row
with too many or too few cells, a NUL, bytes that are not UTF-8), reads the file itself, setting
such rows aside with their line number and reason so the rest go on.
"""

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal, cast

Format = Literal["generic", "online_retail", "products", "customers", "stores"]
GENERIC = ("customer_id", "order_id", "product_id", "ordered_at", "quantity", "store_id", "category")
ONLINE_RETAIL = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
)
PRODUCTS = ("product_id", "name")
STORES = ("store_id", "name", "country", "timezone", "currency")
CUSTOMER_FIELDS = ("given_name", "family_name", "email", "phone", "loyalty", "home_store")
IMPORTED_CATEGORY = "imported"
# The column naming a store, in the formats that have one (``import_sales --create-stores``).
STORE_COLUMN: dict[str, str] = {"generic": "store_id", "customers": "home_store"}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unknown format, missing columns)."""


def open_bytes(path: Path) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb"))


def read_header(stream: IO[bytes]) -> list[str]:
    """The header row's column names (the stream is left at the first data row)."""
    first = stream.readline().decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first]), None)
    if not header:
        raise ImportFileError("The file is empty.")
    return [name.strip() for name in header]


def detect_format(header: list[str]) -> Format:
    if all(column in header for column in ONLINE_RETAIL):
        return "online_retail"
    if all(column in header for column in GENERIC[:5]):
        return "generic"
    if "order_id" not in header and all(column in header for column in STORES):
        return "stores"
    if "order_id" not in header and all(column in header for column in PRODUCTS):
        return "products"
    if "order_id" not in header and "customer_id" in header and any(c in header for c in CUSTOMER_FIELDS):
        return "customers"
    raise ImportFileError(
        f"Unknown columns {header}: expected sales ({','.join(GENERIC)}[,unit_price]), "
        f"the Online Retail export ({','.join(ONLINE_RETAIL)}), "
        f"products ({','.join(PRODUCTS)}[,category,price,description,image_url,replenishable,"
        "replenish_after_days,sensitive]), "
        f"customers (customer_id,{','.join(CUSTOMER_FIELDS)}) "
        f"or stores ({','.join(STORES)}[,city,address,locale])."
    )


def moment(text: str) -> str:
    """An ISO date and time (``2010-12-01 08:26``, ``2010-12-01``, with or without an offset) or the
    UCI export's own form (``12/1/2010 8:26``), UTC if naive, written back in full."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            value = datetime.strptime(text.strip(), "%m/%d/%Y %H:%M").replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(
                f"{text.strip()[:40]!r} is not a date and time (e.g. 2026-03-01 10:00)"
            ) from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def read_cells(
    path: Path, width: int, reject: Callable[[int, str, list[str]], None]
) -> Iterator[tuple[int, list[str]]]:
    """Each data row's cells with its row number (the header is row 0), read by Python's csv module:
    rows of another width, with a NUL or with bytes that are not UTF-8 go to ``reject`` with their
    line number; blank lines are skipped."""
    with (
        open_bytes(path) as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape") as text,
    ):
        reader = csv.reader(text)
        next(reader, None)
        for row_no, cells in enumerate(reader, start=1):
            if not cells:
                continue
            line = row_no + 1
            if len(cells) != width:
                reject(line, f"{len(cells)} cells where the header has {width}", cells)
            elif any("\x00" in cell for cell in cells):
                reject(line, "a NUL character", cells)  # PostgreSQL text cannot hold one
            elif not _utf8(cells):
                reject(line, "not UTF-8 text", [cell.encode("utf-8", "replace").decode() for cell in cells])
            else:
                yield row_no, cells


def _utf8(cells: list[str]) -> bool:
    try:
        "".join(cells).encode("utf-8")
    except UnicodeEncodeError:  # a byte that was not UTF-8, kept as a lone surrogate
        return False
    return True
