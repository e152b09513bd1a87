"""Returns of goods, against the order lines they give back: never more of a line than was bought,
counting the other returns of that order."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from common.upsert import UNCHANGED, UPDATED, Refused, upsert
from sales.models import Order, Return, ReturnLine
from stores.models import Store

# (the order's line number, quantity, amount)
ReturnedLine = tuple[int, int, Decimal]


def write_return(
    *,
    channel: str,
    external_id: str,
    order: Order,
    store: Store | None,
    returned_at: datetime,
    reason: str,
    refund_amount: Decimal,
    lines: Sequence[ReturnedLine],
) -> tuple[str, Return]:
    """Create or update the return keyed by ``channel`` + ``external_id``; it belongs to the order's
    customer. Raises ``Refused`` for a line the order does not have, or more than is left of one."""
    status, record = upsert(
        Return,
        {"channel": channel, "external_id": external_id},
        {
            "order": order,
            "customer_id": order.customer_id,
            "store": store,
            "returned_at": returned_at,
            "reason": reason,
            "refund_amount": refund_amount,
        },
    )
    wanted = _lines(lines, order, record)
    current = sorted(record.lines.values_list("order_line_id", "quantity", "amount"))
    if current != wanted:
        record.lines.all().delete()
        ReturnLine.objects.bulk_create(
            ReturnLine(return_record=record, order_line_id=line, quantity=quantity, amount=amount)
            for line, quantity, amount in wanted
        )
        if status == UNCHANGED:
            status = UPDATED
    return status, record


def _lines(lines: Sequence[ReturnedLine], order: Order, record: Return) -> list[tuple[int, int, Decimal]]:
    by_number = {line.line_number: line for line in order.lines.all()}
    returned_elsewhere = dict(
        ReturnLine.objects.filter(order_line__order=order)
        .exclude(return_record=record)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    wanted = []
    for n, (number, quantity, amount) in enumerate(lines):
        ordered = by_number.get(number)
        if ordered is None:
            raise Refused({f"lines.{n}.line_number": ["The order has no such line."]})
        left = ordered.quantity - returned_elsewhere.get(ordered.pk, 0)
        if quantity > left:
            raise Refused({f"lines.{n}.quantity": [f"Only {left} of this line can still be returned."]})
        wanted.append((ordered.pk, quantity, amount))
    return sorted(wanted)
