"""Reading sales files row by row: the two formats, and what makes a row unreadable.

- generic: ``customer_id,order_id,product_id,ordered_at,quantity,store_id,category`` (header row;
  ``customer_id`` may be empty for a guest, ``store_id`` is a store code, empty for online orders);
- online_retail: the UCI export (``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,
  CustomerID,Country``), an online shop: every invoice is a web order.

A row that cannot be read, or that the tables could not hold, is handed back with its line number
and reason, and the rest go on.
"""

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

Format = Literal["generic", "online_retail"]
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
IMPORTED_CATEGORY = "imported"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unknown format, missing columns)."""


@dataclass(frozen=True)
class Row:
    customer: str
    order: str
    product: str
    description: str
    placed_at: str
    """ISO 8601 with its offset, as PostgreSQL reads it."""
    quantity: int
    price: Decimal | None
    store: str
    category: str


def open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # noqa: SIM115 - the caller closes
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def detect_format(header: list[str]) -> Format:
    names = [h.strip() for h in header]
    if all(column in names for column in ONLINE_RETAIL):
        return "online_retail"
    if all(column in names for column in GENERIC[:5]):
        return "generic"
    raise ImportFileError(
        f"Unknown columns {names}: expected {','.join(GENERIC)} "
        f"or the Online Retail export ({','.join(ONLINE_RETAIL)})."
    )


_moments: dict[str, str] = {}


def _moment(text: str) -> str:
    """ISO dates and times (``2010-12-01 08:26``, ``2010-12-01``, with or without an offset), UTC if
    naive, checked and written back in full; memoised, since an order's lines repeat its time."""
    found = _moments.get(text)
    if found is None:
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            try:  # the UCI export's own form, 12/1/2010 8:26
                value = datetime.strptime(text.strip(), "%m/%d/%Y %H:%M").replace(tzinfo=UTC)
            except ValueError:
                raise ValueError(
                    f"{text.strip()[:40]!r} is not a date and time (e.g. 2026-03-01 10:00)"
                ) from None
        found = (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
        if len(_moments) > 1_000_000:
            _moments.clear()
        _moments[text] = found
    return found


def read_rows(path: Path, reject: Callable[[int, str, list[str]], None]) -> Iterator[tuple[int, Row]]:
    """The file's good rows with their line numbers; each bad one is handed to ``reject`` (line
    number, reason, raw cells)."""
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ImportFileError("The file is empty.")
        fmt = detect_format(header)
        at = {name.strip(): n for n, name in enumerate(header)}
        for line, cells in enumerate(reader, start=2):
            try:
                row = _checked(_online_retail(cells, at) if fmt == "online_retail" else _generic(cells, at))
            except (ValueError, IndexError, InvalidOperation) as error:
                reject(line, str(error) or type(error).__name__, cells)
                continue
            yield line, row


MAX_QUANTITY = 100_000
MAX_PRICE = Decimal("99999999.99")


def _checked(row: Row) -> Row:
    """What the tables can hold: longer ids or larger numbers reject the row, not the whole file."""
    for name, value, limit in (
        ("order id", row.order, 64),
        ("product id", row.product, 64),
        ("customer id", row.customer, 128),
    ):
        if len(value) > limit:
            raise ValueError(f"{name} longer than {limit} characters")
    if row.quantity > MAX_QUANTITY:
        raise ValueError(f"quantity above {MAX_QUANTITY:,}")
    if row.price is not None and (row.price > MAX_PRICE or row.price * row.quantity >= Decimal("1e10")):
        raise ValueError("price too large")
    if len(row.store) > 32 or len(row.category) > 64:
        raise ValueError("store or category code too long")
    if any(
        "\x00" in text
        for text in (row.customer, row.order, row.product, row.description, row.store, row.category)
    ):
        raise ValueError("a NUL character")  # PostgreSQL text cannot hold one
    return row


def _generic(cells: list[str], at: dict[str, int]) -> Row:
    get = lambda name: cells[at[name]].strip() if name in at and at[name] < len(cells) else ""  # noqa: E731
    order, product = get("order_id"), get("product_id")
    if not order or not product:
        raise ValueError("order_id and product_id are required")
    quantity = int(get("quantity") or 1)
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    return Row(
        get("customer_id"),
        order,
        product,
        "",
        _moment(get("ordered_at")),
        quantity,
        None,
        get("store_id"),
        get("category"),
    )


def _online_retail(cells: list[str], at: dict[str, int]) -> Row:
    invoice = cells[at["InvoiceNo"]].strip()
    if invoice.upper().startswith("C"):
        raise ValueError("cancellation (returns are not imported from this file)")
    quantity = int(cells[at["Quantity"]])
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    price = Decimal(cells[at["UnitPrice"]].strip())
    if price < 0:
        raise ValueError("negative price")
    customer = cells[at["CustomerID"]].strip()
    if customer.endswith(".0"):
        customer = customer[:-2]
    return Row(
        customer,
        invoice,
        cells[at["StockCode"]].strip(),
        cells[at["Description"]].strip()[:200],
        _moment(cells[at["InvoiceDate"]]),
        quantity,
        price,
        "",
        "",
    )
