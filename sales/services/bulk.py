"""Sales in bulk, as columns: orders, their lines, returns with their lines and service episodes, one
COPY per table (the demo's seed; a backfill of millions of rows).

Each table is written whole, every column named (a missing or misspelt one fails before anything is
written) but ``id``: ids the caller gives (``common.copy.next_id``) let rows point at each other
before they are written, and the caller then moves the sequences past them
(``common.copy.sync_sequence``); without them, the table's sequence numbers the rows. The caller
brings each customer's store standing up to date (``refresh_store_relationships``).
"""

from collections.abc import Mapping

from django.db import models

from common.copy import Bar, Column, CopyWriter
from sales.models import Order, OrderLine, Return, ReturnLine, ServiceEpisode

ORDER = ("id", "channel", "external_id", "customer_id", "store_id", "placed_at", "currency",
         "total_amount", "created_at")  # fmt: skip
ORDER_LINE = ("id", "order_id", "line_number", "product_id", "variant_id", "quantity", "unit_price", "amount")
RETURN = ("id", "channel", "external_id", "order_id", "customer_id", "store_id", "returned_at", "reason",
          "refund_amount", "created_at")  # fmt: skip
RETURN_LINE = ("id", "return_record_id", "order_line_id", "quantity", "amount")
SERVICE_EPISODE = ("id", "external_id", "kind", "status", "customer_id", "store_id", "product_id",
                   "opened_at", "closed_at", "summary", "created_at")  # fmt: skip


def copy_orders(writer: CopyWriter, columns: Mapping[str, Column], bar: Bar | None = None) -> int:
    return _copy(writer, Order, ORDER, columns, bar)


def copy_order_lines(writer: CopyWriter, columns: Mapping[str, Column], bar: Bar | None = None) -> int:
    return _copy(writer, OrderLine, ORDER_LINE, columns, bar)


def copy_returns(writer: CopyWriter, columns: Mapping[str, Column], bar: Bar | None = None) -> int:
    return _copy(writer, Return, RETURN, columns, bar)


def copy_return_lines(writer: CopyWriter, columns: Mapping[str, Column], bar: Bar | None = None) -> int:
    return _copy(writer, ReturnLine, RETURN_LINE, columns, bar)


def copy_service_episodes(writer: CopyWriter, columns: Mapping[str, Column], bar: Bar | None = None) -> int:
    return _copy(writer, ServiceEpisode, SERVICE_EPISODE, columns, bar)


def _copy(
    writer: CopyWriter,
    model: type[models.Model],
    expected: tuple[str, ...],
    columns: Mapping[str, Column],
    bar: Bar | None,
) -> int:
    if not set(expected) - {"id"} <= set(columns) <= set(expected):
        raise ValueError(f"{model._meta.db_table}: write the columns {list(expected)}, not {sorted(columns)}")
    return writer.write(model, dict(columns), bar)
