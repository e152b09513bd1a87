"""Order lines out of PostgreSQL as numpy arrays, fast enough for a million customers.

Lines are read with ``COPY … TO STDOUT (FORMAT BINARY)``: every column is fixed-width and never
NULL, so each row has the same byte layout and numpy reads the whole stream at once.

Only customers who currently grant the ``suggestions`` purpose are read, for her own list and for the
population statistics alike; orders without a customer (guest checkouts) feed the statistics, each
as its own pseudo-customer. Sensitive purchases are read like any other and dropped by the engine.
A full run reads them all once for its fit and keeps them (``HeldLines``) for its batches.
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection

from consent.models import PurposeCode
from suggestions.data import EPOCH, ItemIndex
from suggestions.engine import Interactions
from suggestions.engine.types import FloatArray, LongArray

# A binary COPY row of (customer bigint, product bigint, basket bigint, day float8, quantity int4).
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l1", ">i4"),
        ("customer", ">i8"),
        ("l2", ">i4"),
        ("product", ">i8"),
        ("l3", ">i4"),
        ("basket", ">i8"),
        ("l4", ">i4"),
        ("day", ">f8"),
        ("l5", ">i4"),
        ("quantity", ">i4"),
    ]
)
_HEADER = 19  # signature (11) + flags (4) + header extension length (4)
_TRAILER = 2


@dataclass(frozen=True)
class Lines:
    """Order lines as read: customer ids (negative: a guest order's pseudo-customer), product ids."""

    customer_id: LongArray
    product_id: LongArray
    basket: LongArray
    day: FloatArray
    quantity: np.ndarray


_LINES_SQL = """
COPY (
    SELECT coalesce(o.customer_id, -o.id)::int8, l.product_id::int8, o.id::int8,
           (extract(epoch FROM o.placed_at - %(epoch)s::timestamptz) / 86400)::float8,
           greatest(l.quantity, 1)::int4
    FROM sales_orderline l
    JOIN sales_order o ON o.id = l.order_id
    WHERE {where}
) TO STDOUT (FORMAT BINARY)
"""

# Customers whose lines count: those who grant the purpose now (and, for the population, guests).
_CONSENTING = """
    EXISTS (SELECT 1 FROM consent_consentstate s JOIN customers_customer c ON c.id = s.customer_id
            WHERE s.customer_id = o.customer_id AND s.purpose_id = %(purpose)s AND s.granted
              AND c.merged_into_id IS NULL AND c.erased_at IS NULL)
"""


def _copy_lines(where: str, params: dict[str, object]) -> Lines:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(_LINES_SQL.format(where=where), {"epoch": EPOCH, **params}) as copy:
            for chunk in copy:
                buffer.write(chunk)
    data = buffer.getbuffer()[_HEADER : len(buffer.getbuffer()) - _TRAILER]
    rows = np.frombuffer(data, dtype=_ROW)
    return Lines(
        customer_id=rows["customer"].astype(np.int64),
        product_id=rows["product"].astype(np.int64),
        basket=rows["basket"].astype(np.int64),
        day=rows["day"].astype(np.float64),
        quantity=rows["quantity"].astype(np.float32),
    )


def population_lines() -> Lines:
    """Every line of consenting customers and of guest orders: what the population model learns from."""
    return _copy_lines(f"(o.customer_id IS NULL OR {_CONSENTING})", {"purpose": PurposeCode.SUGGESTIONS})


def lines_of(customer_ids: LongArray, *, held: "HeldLines | None" = None) -> Lines:
    """The lines of these customers (the caller has already kept only those who consent): from
    ``held`` when given, but from PostgreSQL for those it may lack (``changed_since_read``)."""
    if held is None:
        return _read_lines_of(customer_ids)
    changed = changed_since_read(held.read_at - HELD_MARGIN, customer_ids)
    fresh = _read_lines_of(changed)
    kept = held.slice(customer_ids[~np.isin(customer_ids, changed)])
    return Lines(*(np.concatenate([getattr(kept, f), getattr(fresh, f)]) for f in Lines.__dataclass_fields__))


def _read_lines_of(customer_ids: LongArray) -> Lines:
    """The id range next to the list lets PostgreSQL read one slice of the orders index (a batch's
    customers are contiguous ids), rather than hash-join every order line."""
    if len(customer_ids) == 0:
        return _copy_lines("false", {})
    return _copy_lines(
        "o.customer_id BETWEEN %(lo)s AND %(hi)s AND o.customer_id = ANY(%(ids)s)",
        {"lo": int(customer_ids.min()), "hi": int(customer_ids.max()), "ids": customer_ids.tolist()},
    )


# Changes recorded this long before the held lines were read count as since: a row stamped before the
# read began but committed after it (so invisible to the read) is not missed.
HELD_MARGIN = timedelta(minutes=10)


def changed_since_read(moment: datetime, customer_ids: LongArray) -> LongArray:
    """Which of these customers have orders created, or a ``suggestions`` grant recorded, or were on
    either side of a merge made or undone, since ``moment``: held lines lack those orders, a customer
    who granted since was not read at all, and a merge moves orders from one customer to another."""
    if len(customer_ids) == 0:
        return customer_ids
    params = {
        "moment": moment,
        "lo": int(customer_ids.min()),
        "hi": int(customer_ids.max()),
        "ids": customer_ids.tolist(),
        "purpose": PurposeCode.SUGGESTIONS,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT customer_id FROM sales_order
             WHERE created_at >= %(moment)s AND customer_id BETWEEN %(lo)s AND %(hi)s
               AND customer_id = ANY(%(ids)s)
            UNION
            SELECT customer_id FROM consent_consentevent
             WHERE customer_id = ANY(%(ids)s) AND purpose_id = %(purpose)s AND granted
               AND recorded_at >= %(moment)s
            UNION (
                SELECT unnest(ARRAY[survivor_id, merged_id]) FROM identity_customermerge
                 WHERE created_at >= %(moment)s OR undone_at >= %(moment)s
                INTERSECT
                SELECT unnest(%(ids)s::bigint[])
            )
            """,
            params,
        )
        return np.array(sorted(row[0] for row in cursor.fetchall()), dtype=np.int64)


@dataclass(frozen=True)
class HeldLines:
    """Every consenting customer's lines, read once for a full run's fit and kept, sorted by customer,
    so that the run's batches in this process slice them instead of reading them again."""

    lines: Lines
    read_at: datetime
    """When the read began: orders created since are not in ``lines``."""

    @classmethod
    def of(cls, lines: Lines, read_at: datetime) -> "HeldLines":
        mine = np.flatnonzero(lines.customer_id > 0)  # guests' pseudo-customers are nobody's list
        order = mine[np.argsort(lines.customer_id[mine], kind="stable")]
        return cls(Lines(*(getattr(lines, f)[order] for f in Lines.__dataclass_fields__)), read_at)

    def slice(self, customer_ids: LongArray) -> Lines:
        """The held lines of these customers (a batch: ids close together, so one span is scanned)."""
        held = self.lines.customer_id
        if len(customer_ids) == 0:
            start = stop = 0
        else:
            start = int(np.searchsorted(held, customer_ids.min(), side="left"))
            stop = int(np.searchsorted(held, customer_ids.max(), side="right"))
        span = slice(start, stop)
        keep = np.isin(held[span], customer_ids)
        return Lines(*(getattr(self.lines, f)[span][keep] for f in Lines.__dataclass_fields__))


def to_interactions(lines: Lines, items: ItemIndex, customer_ids: LongArray) -> Interactions:
    """Engine rows for ``customer_ids`` (customer index = position in that array); lines of other
    customers or of products the index does not hold are dropped."""
    order = np.argsort(customer_ids, kind="stable")
    at = np.searchsorted(customer_ids[order], lines.customer_id)
    at = np.minimum(at, max(len(customer_ids) - 1, 0))
    known = (
        (customer_ids[order][at] == lines.customer_id)
        if len(customer_ids)
        else np.zeros(len(lines.customer_id), bool)
    )
    item = items.items_of(lines.product_id)
    keep = known & (item >= 0)
    return Interactions(
        customer=order[at[keep]].astype(np.int32),
        item=item[keep],
        day=lines.day[keep],
        quantity=lines.quantity[keep],
        basket=lines.basket[keep],
        n_customers=len(customer_ids),
        n_items=len(items.product_ids),
    )
