"""Her orders, returns and services under her data rights (see ``common.data_rights``). They are the
retailer's accounts too: an erasure keeps them, detached from her, with their free text blanked."""

from collections.abc import Mapping
from typing import Any

from common.data_rights import (
    Detach,
    Follows,
    InSection,
    Keep,
    Move,
    NotExported,
    Section,
    Subject,
    iso,
    money,
    register,
    register_merge_hook,
)
from customers.models import StoreRelationship
from sales.models import Order, OrderLine, Return, ReturnLine, ServiceEpisode
from sales.services import refresh_store_relationships


def register_data_rights() -> None:
    register(
        Order,
        export=Section(
            "orders",
            _orders,
            total=lambda subject: Order.objects.filter(customer_id__in=subject.ids).count(),
            total_as="order_count",
        ),
        erase=Detach(),
        merge=Move(),
    )
    register(
        OrderLine,
        export=InSection("orders"),
        erase=Keep("an order's lines stay with it, and the order is detached from her"),
        merge=Follows(Order),
    )
    # An erasure detaches a return that hangs off her order even when it does not name her.
    register(
        Return,
        export=Section("returns", _returns),
        erase=Detach(blank={"reason": ""}, of=("customer_id", "order__customer_id")),
        merge=Move(after_undo=_returns_follow_their_orders),
    )
    register(
        ReturnLine,
        export=NotExported("which of an order's lines a return gave back; both are in the download"),
        erase=Keep("a return's lines stay with it, and the return is detached from her"),
        merge=Follows(Return),
    )
    register(
        ServiceEpisode,
        export=Section("services", _services),
        erase=Detach(blank={"summary": ""}),
        merge=Move(),
    )
    register_merge_hook(_rederive_standing)


def _orders(subject: Subject) -> list[dict[str, Any]]:
    newest = Order.objects.filter(customer_id__in=subject.ids).order_by("-placed_at", "-pk")[: subject.recent]
    orders = list(newest.select_related("store"))
    in_orders = (
        {"order__customer_id__in": subject.ids}
        if subject.recent is None
        else {"order__in": [o.pk for o in orders]}
    )
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in (
        OrderLine.objects.filter(**in_orders)
        .select_related("product", "variant")
        .order_by("order_id", "line_number")
    ):
        lines.setdefault(line.order_id, []).append(
            {
                "sku": line.variant.sku if line.variant else line.product.sku,
                "product": line.product.name,
                "colour": line.variant.colour if line.variant else "",
                "size": line.variant.size if line.variant else "",
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "amount": money(line.amount),
            }
        )
    return [
        {
            "id": o.external_id,
            "channel": o.channel,
            "placed_at": iso(o.placed_at),
            "store": o.store.name if o.store else None,
            "currency": o.currency,
            "total": money(o.total_amount),
            "lines": lines.get(o.pk, []),
        }
        for o in orders
    ]


def _returns(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "id": r.external_id,
            "returned_at": iso(r.returned_at),
            "store": r.store.name if r.store else None,
            "reason": r.reason,
            "refund": money(r.refund_amount),
        }
        for r in Return.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-returned_at")
    ]


def _services(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "kind": s.kind,
            "status": s.status,
            "opened_at": iso(s.opened_at),
            "closed_at": iso(s.closed_at),
            "store": s.store.name if s.store else None,
            "summary": s.summary,
        }
        for s in ServiceEpisode.objects.filter(customer_id__in=subject.ids)
        .select_related("store")
        .order_by("-opened_at")
    ]


def _returns_follow_their_orders(
    moved: Mapping[str, list[int]], survivor: int, merged: int
) -> dict[str, int]:
    """Undo: returns added to the survivor since the merge, of an order that went back, go with it."""
    orders = moved.get(Order._meta.db_table, [])
    following = Return.objects.filter(order_id__in=orders, customer_id=survivor).update(customer_id=merged)
    return {"returns_following_their_order": following}


def _rederive_standing(customer_ids: list[int]) -> None:
    """Her activity and spend per store, from the orders, returns and services she now has."""
    StoreRelationship.objects.filter(customer_id__in=customer_ids).update(
        first_activity_at=None, last_activity_at=None, orders_count=0, lifetime_spend=0, spend_12m=0
    )
    refresh_store_relationships(customer_ids=customer_ids)
