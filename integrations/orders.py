"""The orders endpoint: orders with their lines, from any channel, in bulk. Each is checked against
the stores, products and variants it names, attached to its customer by ``identity.resolution``,
and written by ``sales.services.orders`` (keyed by ``channel`` + ``external_id``; sent again as it is,
``unchanged``). A store-scoped token writes its stores' orders only.
"""

from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from rest_framework import serializers

from catalog.selectors import product_ids_by_sku, variants_by_sku
from identity.resolution import resolve_customers
from integrations.bulk import ERROR, BulkView
from integrations.models import ApiToken, Resource
from integrations.pending import PendingRecord, parse_identifiers
from integrations.services import store_ids_of
from sales.models import Channel
from sales.services.orders import Line, NewOrder, write_orders
from stores.selectors import stores_by_code


class CustomerRef(serializers.Serializer):
    """Who bought, as the channel knows her; any of these, all optional (none: a guest)."""

    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    loyalty = serializers.CharField(max_length=64, required=False, allow_blank=True)
    external_id = serializers.CharField(
        max_length=128, required=False, allow_blank=True, help_text="The channel's own customer id."
    )
    given_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=80, required=False, allow_blank=True)


class LineItem(serializers.Serializer):
    line_number = serializers.IntegerField(min_value=1, max_value=32_767)
    product = serializers.CharField(max_length=64, help_text="The product's SKU.")
    variant = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="The variant's SKU."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderItem(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    external_id = serializers.CharField(max_length=64, help_text="The order's id in its channel (the key).")
    store = serializers.SlugField(
        max_length=32,
        required=False,
        allow_null=True,
        default=None,
        help_text="The store's code (in-store sales).",
    )
    placed_at = serializers.DateTimeField()
    currency = serializers.RegexField(r"^[A-Z]{3}$")
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    customer = CustomerRef(required=False, allow_null=True, default=None)
    lines = LineItem(many=True, allow_empty=False, max_length=500)  # type: ignore[call-arg]  # ListSerializer takes it

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["channel"] == Channel.STORE and not attrs.get("store"):
            raise serializers.ValidationError({"store": ["An in-store sale names its store."]})
        numbers = [line["line_number"] for line in attrs["lines"]]
        if len(numbers) != len(set(numbers)):
            raise serializers.ValidationError({"lines": ["Two lines have the same line_number."]})
        return attrs


class OrdersView(BulkView):
    resource = Resource.ORDERS
    item_serializer = OrderItem
    schema_description = "Create or update orders with their lines, keyed by `channel` + `external_id`."
    key_field = "external_id"

    def key_of(self, raw: Any) -> str | None:
        if isinstance(raw, dict) and raw.get("channel") is not None and raw.get("external_id") is not None:
            return f"{raw['channel']}/{raw['external_id']}"[:200]
        return None

    def process(self, items: list[Any], token: ApiToken) -> list[dict[str, Any]]:
        orders: list[PendingRecord] = []
        results: dict[int, dict[str, Any]] = {}
        validator = OrderItem()
        for index, raw in enumerate(items):
            data, errors = self.validated(validator, raw)
            if data is None:
                results[index] = self.error(index, self.key_of(raw), errors)
            else:
                orders.append(
                    PendingRecord(index=index, key=f"{data['channel']}/{data['external_id']}", data=data)
                )
        for attempt in range(2):
            try:
                with transaction.atomic():
                    _write(orders, token)
                break
            except (IntegrityError, OperationalError) as error:
                # A concurrent request wrote the same order or identifier first (or, in an order of
                # its own, the same rows: a deadlock, which PostgreSQL breaks by failing one of us).
                retryable = isinstance(error, IntegrityError) or _pgcode(error) in _RETRYABLE
                if attempt or not retryable:
                    raise
                for order in orders:
                    order.errors, order.notes, order.identifiers = {}, [], []
                    order.status, order.customer_id, order.store = "", None, None
        for order in orders:
            result: dict[str, Any] = {"index": order.index, "key": order.key}
            if order.errors:
                result |= {"status": ERROR, "errors": order.errors}
            else:
                result["status"] = order.status
                if order.notes:
                    result["notes"] = order.notes
            results[order.index] = result
        return [results[index] for index in range(len(items))]


_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure


def _pgcode(error: Exception) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


def _write(orders: list[PendingRecord], token: ApiToken) -> None:
    """Everything the request's valid orders need, a few queries for all of them."""
    seen: set[str] = set()
    for order in orders:
        if order.key in seen:
            order.errors["external_id"] = ["This order is in the request twice; send it once."]
        seen.add(order.key)
    _resolve_stores(orders, token)
    products, variants = _resolve_catalogue(orders)
    parse_identifiers(orders)
    live = [o for o in orders if not o.errors]
    actor_kind = f"integration:{token.prefix}"
    resolve_customers(live, store_ids_of(token), actor_kind=actor_kind)
    new_orders = [
        NewOrder(
            channel=order.data["channel"],
            external_id=order.data["external_id"],
            customer_id=order.customer_id,
            store_id=order.store.pk if order.store else None,
            placed_at=order.data["placed_at"],
            currency=order.data["currency"],
            total_amount=order.data["total_amount"],
            lines=_line_tuples(order.data["lines"], products, variants),
        )
        for order in live
    ]
    write_orders(new_orders, store_ids=store_ids_of(token), actor_kind=actor_kind)
    for order, written in zip(live, new_orders, strict=True):
        order.status, order.errors = written.status, written.errors


def _resolve_stores(orders: list[PendingRecord], token: ApiToken) -> None:
    codes = {o.data["store"] for o in orders if o.data.get("store")}
    stores = stores_by_code(codes)
    allowed = store_ids_of(token)
    for order in orders:
        code = order.data.get("store")
        if code:
            order.store = stores.get(code)
            if order.store is None:
                order.errors["store"] = ["No such store."]
            elif allowed is not None and order.store.pk not in allowed:
                order.errors["store"] = ["This token may not write this store."]
        elif allowed is not None:
            order.errors["store"] = ["This token writes its stores' orders only: name the store."]


def _resolve_catalogue(orders: list[PendingRecord]) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    skus = {line["product"] for o in orders for line in o.data["lines"]}
    variant_skus = {line["variant"] for o in orders for line in o.data["lines"] if line.get("variant")}
    products = product_ids_by_sku(skus)
    variants = variants_by_sku(variant_skus)
    for order in orders:
        for n, line in enumerate(order.data["lines"]):
            if line["product"] not in products:
                order.errors[f"lines.{n}.product"] = [
                    "No such product SKU; send it to /api/v1/products/ first."
                ]
            variant = line.get("variant")
            if variant and (variant not in variants or variants[variant][1] != products.get(line["product"])):
                order.errors[f"lines.{n}.variant"] = ["No such variant SKU of this product."]
    return products, variants


def _line_tuples(
    lines: list[dict[str, Any]], products: dict[str, int], variants: dict[str, tuple[int, int]]
) -> list[Line]:
    return sorted(
        (
            line["line_number"],
            products[line["product"]],
            variants[line["variant"]][0] if line.get("variant") else None,
            line["quantity"],
            line["unit_price"],
            line["amount"],
        )
        for line in lines
    )
