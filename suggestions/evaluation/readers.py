"""Read purchase histories from CSV into the engine's arrays.

Two formats:

``generic``
    A header row naming at least ``customer_id,order_id,product_id,ordered_at``; optional
    ``quantity`` (default 1), ``store_id`` (accepted, not used) and ``category`` (a product's first
    one counts). ``ordered_at`` is an ISO 8601 date or date-time (an offset is honoured; naive times
    are read as UTC).
``online_retail``
    The UCI Online Retail export (``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,
    CustomerID,Country``). Cancellations (invoice "C…"), lines without a customer and lines with a
    quantity below 1 are dropped as the data's own conventions, not counted as malformed. Its
    category is derived cheaply from the description's last word ("… T-LIGHT HOLDER" → "HOLDER").

Malformed rows (a missing value, an unparsable date or quantity, a wrong number of fields) are
skipped and counted, keeping the good rows; ``strict=True`` raises ``MalformedInput`` at the first one
instead. A missing column or a file without a single good row always raises ``MalformedInput``,
naming the file (and the line where there is one).
"""

import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from suggestions.engine import Catalogue, Interactions

Format = Literal["generic", "online_retail"]
GENERIC_REQUIRED = ("customer_id", "order_id", "product_id", "ordered_at")
GENERIC_OPTIONAL = ("quantity", "store_id", "category")
ONLINE_RETAIL_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "CustomerID")
EXAMPLES_KEPT = 5
SECONDS_PER_DAY = 86_400.0
NO_CATEGORY = "(none)"
_LAST_WORD = re.compile(r"([A-Z][A-Z\-]*)[^A-Z]*$")


class MalformedInput(ValueError):
    """The file cannot be read as asked; the message names the file and, where known, the line."""


@dataclass(frozen=True)
class Dataset:
    """A purchase history in the engine's dense indices, with the ids to translate back."""

    interactions: Interactions
    catalogue: Catalogue
    customer_ids: npt.NDArray[np.str_]
    product_ids: npt.NDArray[np.str_]
    category_names: tuple[str, ...]
    rows_read: int
    rows_skipped: int
    """Malformed rows skipped (only when not strict)."""
    rows_dropped: int = 0
    """Rows the format itself says to ignore (Online Retail: cancellations, guests, quantity < 1)."""
    skipped_examples: tuple[str, ...] = field(default=())
    """The first few skipped rows, as "line N: why"."""


@dataclass
class _Columns:
    customer: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    product: list[str] = field(default_factory=list)
    day: list[float] = field(default_factory=list)
    quantity: list[float] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    skipped: int = 0
    dropped: int = 0
    examples: list[str] = field(default_factory=list)

    def skip(self, line: int, why: str, *, path: Path, strict: bool) -> None:
        if strict:
            raise MalformedInput(f"{path}, line {line}: {why}.")
        self.skipped += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(f"line {line}: {why}")


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", newline="")


def detect_format(path: Path) -> Format:
    """``online_retail`` when the header has InvoiceNo and StockCode, else ``generic``."""
    with _open_text(path) as handle:
        header = next(csv.reader(handle), [])
    names = {name.strip() for name in header}
    return "online_retail" if {"InvoiceNo", "StockCode"} <= names else "generic"


def read_interactions(path: Path, fmt: Format | Literal["auto"] = "auto", *, strict: bool = False) -> Dataset:
    """Read ``path`` (plain or .gz) in ``fmt``; ``auto`` looks at the header."""
    if not path.is_file():
        raise MalformedInput(f"{path}: no such file.")
    try:
        chosen = detect_format(path) if fmt == "auto" else fmt
        with _open_text(path) as handle:
            rows = csv.reader(handle)
            if chosen == "online_retail":
                columns = _read_online_retail(rows, path=path, strict=strict)
            else:
                columns = _read_generic(rows, path=path, strict=strict)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, csv.Error) as broken:
        raise MalformedInput(f"{path}: not a readable CSV ({broken}).") from None
    if not columns.customer:
        detail = f" (first problem: {columns.examples[0]})" if columns.examples else ""
        raise MalformedInput(f"{path}: no usable rows{detail}.")
    return _encode(columns)


def _header(rows: Iterator[list[str]], path: Path) -> dict[str, int]:
    try:
        header = next(rows)
    except StopIteration:
        raise MalformedInput(f"{path}: the file is empty (a header row is needed).") from None
    return {name.strip(): position for position, name in enumerate(header)}


def _read_generic(rows: Iterator[list[str]], *, path: Path, strict: bool) -> _Columns:
    positions = _header(rows, path)
    missing = [name for name in GENERIC_REQUIRED if name not in positions]
    if missing:
        raise MalformedInput(
            f"{path}, line 1: missing column(s) {', '.join(missing)}; the generic format needs "
            f"{','.join(GENERIC_REQUIRED)}[,{','.join(GENERIC_OPTIONAL)}]."
        )
    at = {name: positions[name] for name in GENERIC_REQUIRED}
    quantity_at = positions.get("quantity")
    category_at = positions.get("category")
    width = len(positions)
    out = _Columns()
    days: dict[str, float] = {}
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != width:
            out.skip(line, f"{len(row)} fields where the header has {width}", path=path, strict=strict)
            continue
        customer, order, product, when = (row[at[name]].strip() for name in GENERIC_REQUIRED)
        if not (customer and order and product and when):
            out.skip(
                line, "an empty customer_id, order_id, product_id or ordered_at", path=path, strict=strict
            )
            continue
        day = days.get(when)
        if day is None:
            try:
                day = days[when] = _iso_day(when)
            except ValueError:
                out.skip(line, f"ordered_at {when!r} is not an ISO 8601 date", path=path, strict=strict)
                continue
        quantity = 1.0
        if quantity_at is not None and row[quantity_at].strip():
            try:
                quantity = float(row[quantity_at])
            except ValueError:
                out.skip(line, f"quantity {row[quantity_at]!r} is not a number", path=path, strict=strict)
                continue
            if not quantity > 0:
                out.skip(line, f"quantity {row[quantity_at]!r} is not positive", path=path, strict=strict)
                continue
        out.customer.append(customer)
        out.order.append(order)
        out.product.append(product)
        out.day.append(day)
        out.quantity.append(quantity)
        category = row[category_at].strip() if category_at is not None else ""
        out.category.append(category or NO_CATEGORY)
    return out


def _iso_day(value: str) -> float:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() / SECONDS_PER_DAY


def _read_online_retail(rows: Iterator[list[str]], *, path: Path, strict: bool) -> _Columns:
    positions = _header(rows, path)
    missing = [name for name in ONLINE_RETAIL_COLUMNS if name not in positions]
    if missing:
        raise MalformedInput(f"{path}, line 1: missing Online Retail column(s) {', '.join(missing)}.")
    invoice_at, code_at, text_at, quantity_at, date_at, customer_at = (
        positions[name] for name in ONLINE_RETAIL_COLUMNS
    )
    width = len(positions)
    out = _Columns()
    days: dict[str, float] = {}
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != width:
            out.skip(line, f"{len(row)} fields where the header has {width}", path=path, strict=strict)
            continue
        invoice = row[invoice_at].strip()
        customer = row[customer_at].strip()
        if invoice.startswith("C") or not customer or customer == "NA":
            out.dropped += 1
            continue
        try:
            quantity = float(row[quantity_at])
        except ValueError:
            out.skip(line, f"Quantity {row[quantity_at]!r} is not a number", path=path, strict=strict)
            continue
        if quantity < 1:
            out.dropped += 1
            continue
        code = row[code_at].strip()
        when = row[date_at].strip()
        if not (invoice and code and when):
            out.skip(line, "an empty InvoiceNo, StockCode or InvoiceDate", path=path, strict=strict)
            continue
        day = days.get(when)
        if day is None:
            try:
                day = days[when] = _iso_day(when)
            except ValueError:
                out.skip(line, f"InvoiceDate {when!r} is not a date and time", path=path, strict=strict)
                continue
        # "17850.0" and "17850" are the same customer in the different exports of this data.
        out.customer.append(customer.removesuffix(".0"))
        out.order.append(invoice)
        out.product.append(code.upper())
        out.day.append(day)
        out.quantity.append(quantity)
        match = _LAST_WORD.search(row[text_at].upper())
        out.category.append(match.group(1) if match else NO_CATEGORY)
    return out


def _encode(columns: _Columns) -> Dataset:
    customer_ids, customer = np.unique(np.asarray(columns.customer), return_inverse=True)
    product_ids, item = np.unique(np.asarray(columns.product), return_inverse=True)
    # An order id is only unique within its customer in a generic file.
    order_keys = np.char.add(np.char.add(np.asarray(columns.customer), "\x1f"), np.asarray(columns.order))
    _, basket = np.unique(order_keys, return_inverse=True)
    # A product's category: the one on its first row (descriptions drift a little in Online Retail).
    _, first_row = np.unique(item, return_index=True)
    category_names, category_of_row = np.unique(np.asarray(columns.category), return_inverse=True)
    interactions = Interactions(
        customer=customer.astype(np.int32),
        item=item.astype(np.int32),
        day=np.asarray(columns.day, dtype=np.float64),
        quantity=np.asarray(columns.quantity, dtype=np.float32),
        basket=basket.astype(np.int64),
        n_customers=len(customer_ids),
        n_items=len(product_ids),
    )
    # A file says nothing of what is bought again: the engine learns it, as it does after an import.
    catalogue = Catalogue.plain(
        len(product_ids),
        category=category_of_row[first_row],
        replenishable_known=np.zeros(len(product_ids), dtype=bool),
    )
    return Dataset(
        interactions=interactions,
        catalogue=catalogue,
        customer_ids=customer_ids,
        product_ids=product_ids,
        category_names=tuple(str(name) for name in category_names),
        rows_read=len(columns.customer),
        rows_skipped=columns.skipped,
        rows_dropped=columns.dropped,
        skipped_examples=tuple(columns.examples),
    )


def read_sensitive_categories(path: Path) -> frozenset[str]:
    """One category name per line; blank lines and lines starting with # are ignored; case-insensitive."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as broken:
        raise MalformedInput(f"{path}: cannot be read ({broken}).") from None
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def mark_sensitive(dataset: Dataset, categories: frozenset[str]) -> Dataset:
    """The same data with every product of one of ``categories`` flagged sensitive."""
    flagged = np.array([name.casefold() in categories for name in dataset.category_names], dtype=bool)
    sensitive = flagged[dataset.catalogue.category]
    return replace(dataset, catalogue=replace(dataset.catalogue, sensitive=sensitive))
