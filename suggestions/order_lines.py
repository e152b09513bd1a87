"""Order lines out of PostgreSQL as numpy arrays, fast enough for a million customers.

Lines come as columns of arrays (``suggestions.arrays``); times travel as PostgreSQL keeps them,
microseconds since 2000-01-01.

Only customers who currently grant the ``suggestions`` purpose are read, for her own list and for the
population statistics alike; orders without a customer (guest checkouts) feed the statistics, each
as its own pseudo-customer. Sensitive purchases are read like any other and dropped by the engine.
A full run reads them all once for its fit and keeps them (``HeldLines``) for its batches; a batch
computed elsewhere reads its customers' lines with one query (``lines_of``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection

from consent.models import PurposeCode
from suggestions.arrays import BIGINT, INT, copy_arrays, each_on_own_connection
from suggestions.data import ItemIndex, consenting_customer_ids, day_of
from suggestions.engine import Interactions
from suggestions.engine.types import FloatArray, LongArray

_POSTGRES_EPOCH_DAY = day_of(datetime(2000, 1, 1, tzinfo=UTC))  # where PostgreSQL counts time from
_MICROSECONDS_A_DAY = 86_400_000_000


@dataclass(frozen=True)
class Lines:
    """Order lines as read: customer ids (negative: a guest order's pseudo-customer), product ids."""

    customer_id: LongArray
    product_id: LongArray
    basket: LongArray
    day: FloatArray
    quantity: np.ndarray
    store: np.ndarray
    """The order's store id, -1 for an online order."""


def _days(microseconds: LongArray) -> FloatArray:
    return microseconds / _MICROSECONDS_A_DAY + _POSTGRES_EPOCH_DAY


# Orders and lines are read in slices of this many order ids: each slice is one index range scan
# and one row of arrays (a PostgreSQL value is at most 1 GB, a row of a COPY too).
ORDER_ID_SLICE = 1 << 19


def population_lines(consenting: LongArray | None = None) -> Lines:
    """Every line of consenting customers and of guest orders: what the population model learns from,
    sorted by customer (guests' pseudo-customers first). ``consenting``: who grants the purpose now
    (ascending ids), if the caller has read it already.

    Orders and lines are read apart, in slices of order ids, and joined here: PostgreSQL reads each
    table once in id order and does no per-row work, where a join with the consent check took most
    of a minute at a million customers. Slices are read on two connections at once
    (``each_on_own_connection``), each joined and sorted in its thread as soon as it arrives."""
    if consenting is None:
        consenting = consenting_customer_ids()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM sales_order")
        first, last = cursor.fetchone()
    lows = list(range(first or 0, (last or 0) + 1, ORDER_ID_SLICE))  # one at least, even without orders
    parts = each_on_own_connection(lambda low: _slice_lines(low, low + ORDER_ID_SLICE, consenting), lows)
    lines = Lines(*(np.concatenate([getattr(part, f) for part in parts]) for f in Lines.__dataclass_fields__))
    # Each slice is sorted by customer already: a stable sort merges the runs (timsort).
    by_customer = np.argsort(lines.customer_id, kind="stable")
    return Lines(*(getattr(lines, f)[by_customer] for f in Lines.__dataclass_fields__))


def _slice_lines(low: int, high: int, consenting: LongArray) -> Lines:
    """The counted lines of the orders with ids in [low, high), sorted by customer, then order id."""
    span = {"low": low, "high": high}
    order_id, order_customer, placed_at, order_store = copy_arrays(
        "SELECT array_agg(id::int8), array_agg(coalesce(customer_id, 0)::int8), array_agg(placed_at),"
        " array_agg(coalesce(store_id, -1)::int4) FROM sales_order WHERE id >= %(low)s AND id < %(high)s",
        span,
        (BIGINT, BIGINT, BIGINT, INT),
    )
    line_order, product_id, quantity = copy_arrays(
        "SELECT array_agg(order_id::int8), array_agg(product_id::int8), array_agg(quantity::int4)"
        " FROM sales_orderline WHERE order_id >= %(low)s AND order_id < %(high)s",
        span,
        (BIGINT, BIGINT, INT),
    )
    if len(order_id) > 1 and not (order_id[1:] > order_id[:-1]).all():  # the index gives them in order
        by_id = np.argsort(order_id, kind="stable")
        order_id, order_customer, placed_at = order_id[by_id], order_customer[by_id], placed_at[by_id]
        order_store = order_store[by_id]
    counted = (order_customer == 0) | np.isin(order_customer, consenting)
    customer = np.where(order_customer == 0, -order_id, order_customer)
    order = np.minimum(np.searchsorted(order_id, line_order), max(len(order_id) - 1, 0))
    keep = np.flatnonzero((order_id[order] == line_order) & counted[order]) if len(order_id) else order[:0]
    keep = keep[np.argsort(customer[order[keep]], kind="stable")]
    order = order[keep]
    return Lines(
        customer_id=customer[order],
        product_id=product_id[keep],
        basket=order_id[order],
        day=_days(placed_at[order]),
        quantity=np.maximum(quantity[keep], 1).astype(np.float32),
        store=order_store[order].astype(np.int32),
    )


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
    """One query for the lines of these customers. The id range next to the list lets PostgreSQL read
    one slice of the orders index (a batch's customers are contiguous ids), rather than hash-join
    every order line."""
    if len(customer_ids) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Lines(
            empty, empty, empty, np.empty(0), np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int32)
        )
    customer, product, basket, placed_at, quantity, store = copy_arrays(
        """
        SELECT array_agg(o.customer_id::int8), array_agg(l.product_id::int8), array_agg(o.id::int8),
               array_agg(o.placed_at), array_agg(greatest(l.quantity, 1)::int4),
               array_agg(coalesce(o.store_id, -1)::int4)
          FROM sales_order o JOIN sales_orderline l ON l.order_id = o.id
         WHERE o.customer_id BETWEEN %(lo)s AND %(hi)s AND o.customer_id = ANY(%(ids)s)
        """,
        {"lo": int(customer_ids.min()), "hi": int(customer_ids.max()), "ids": customer_ids.tolist()},
        (BIGINT, BIGINT, BIGINT, BIGINT, INT, INT),
    )
    return Lines(customer, product, basket, _days(placed_at), quantity.astype(np.float32), store)


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
        store=lines.store[keep].astype(np.int32),
    )
