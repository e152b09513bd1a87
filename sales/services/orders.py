"""Orders with their lines, written set-based: a fixed number of queries for a batch of new orders,
not a number per order.

An order is keyed by ``channel`` + ``external_id``. Written again as it is, it is ``unchanged``; with
other values or lines, ``updated`` (its lines replaced, unless goods of it were returned). A writer
limited to some stores cannot change another store's order.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from audit.services import Event, record_events
from common.copy import NULL, CopyWriter
from common.upsert import CREATED, UNCHANGED, UPDATED
from sales.models import Order, OrderLine, ReturnLine
from sales.services.bulk import copy_order_lines

# (line_number, product_id, variant_id, quantity, unit_price, amount)
Line = tuple[int, int, int | None, int, Decimal, Decimal]
LINE_COLUMNS = ("line_number", "product_id", "variant_id", "quantity", "unit_price", "amount")


@dataclass
class NewOrder:
    """An order as a channel sends it, its customer and store resolved; ``lines`` in line order."""

    channel: str
    external_id: str
    customer_id: int | None
    store_id: int | None
    placed_at: datetime
    currency: str
    total_amount: Decimal
    lines: list[Line]
    status: str = ""  # what writing it did: created, updated or unchanged (empty when refused)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.external_id

    def values(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "store_id": self.store_id,
            "placed_at": self.placed_at,
            "currency": self.currency,
            "total_amount": self.total_amount,
        }


@transaction.atomic
def write_orders(orders: Sequence[NewOrder], *, store_ids: set[int] | None, actor_kind: str) -> None:
    """Create or update ``orders`` (each gets its ``status``, or ``errors`` when refused); audited
    as one event naming the customers whose history it wrote. ``store_ids``: the stores this writer
    may change orders of (None: every store). Run it in a transaction: existing orders are locked."""
    existing = _existing(orders)
    returned = set(
        ReturnLine.objects.filter(order_line__order_id__in=[row.pk for row, _ in existing.values()])
        .values_list("order_line__order_id", flat=True)
        .distinct()
    )
    written: list[tuple[NewOrder, Order]] = []
    replaced: list[int] = []
    for order in orders:
        found = existing.get(order.key)
        if found is None:
            written.append(
                (order, Order(channel=order.channel, external_id=order.external_id, **order.values()))
            )
            order.status = CREATED
            continue
        row, old_lines = found
        if store_ids is not None and row.store_id not in store_ids:
            order.errors["store"] = ["This order is another store's; this token may not change it."]
            continue
        values = order.values()
        if all(getattr(row, name) == value for name, value in values.items()) and old_lines == order.lines:
            order.status = UNCHANGED
            continue
        if old_lines != order.lines and row.pk in returned:
            order.errors["lines"] = [
                "Goods of this order have been returned; its lines can no longer change."
            ]
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
        replaced.append(row.pk)
        written.append((order, row))
        order.status = UPDATED
    OrderLine.objects.filter(order_id__in=replaced).delete()
    # In key order, like identifiers: no two concurrent writers deadlock on them.
    Order.objects.bulk_create(
        sorted((row for _, row in written if row.pk is None), key=lambda row: (row.channel, row.external_id))
    )
    copy_lines((row.pk, *line) for order, row in written for line in order.lines)
    if written:
        customers = sorted({row.customer_id for _, row in written if row.customer_id})
        record_events(
            [Event("orders.upserted", detail={"orders": len(written), "customers": customers})],
            by=None,
            actor_kind=actor_kind,
        )


def copy_lines(rows: Iterable[tuple[Any, ...]]) -> int:
    """Order lines ``(order_id, *Line)`` in with one COPY: at thousands of lines, several times
    faster than an INSERT of thousands of parameters. Their values are numbers: nothing to escape."""
    values = list(zip(*rows, strict=True))
    if not values:
        return 0
    columns = {
        name: [NULL if value is None else str(value) for value in column]
        for name, column in zip(("order_id", *LINE_COLUMNS), values, strict=True)
    }
    return copy_order_lines(CopyWriter(), columns)


def _existing(orders: Sequence[NewOrder]) -> dict[tuple[str, str], tuple[Order, list[tuple[Any, ...]]]]:
    """The orders already here, locked, each with its lines as ``Line`` tuples."""
    keys_by_channel: dict[str, set[str]] = defaultdict(set)
    for order in orders:
        keys_by_channel[order.channel].add(order.external_id)
    found: dict[tuple[str, str], tuple[Order, list[tuple[Any, ...]]]] = {}
    for channel, external_ids in keys_by_channel.items():
        rows = Order.objects.select_for_update().filter(channel=channel, external_id__in=external_ids)
        for row in rows:
            found[(row.channel, row.external_id)] = (row, [])
    by_pk = {row.pk: key for key, (row, _) in found.items()}
    for line in (
        OrderLine.objects.filter(order_id__in=list(by_pk))
        .order_by("order_id", "line_number")
        .values_list("order_id", *LINE_COLUMNS)
    ):
        found[by_pk[line[0]]][1].append(tuple(line[1:]))
    return found
