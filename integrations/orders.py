"""Orders with their lines, from any channel, in bulk and set-based (a fixed number of queries per
request for new orders, not per order), each attached to its customer by ``integrations.identity``.

An order is keyed by ``channel`` + ``external_id``. Sent again as it is, it is ``unchanged``; with
other values or lines, ``updated`` (its lines replaced, unless goods of it were returned). A
store-scoped token writes its stores' orders only.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from rest_framework import serializers

from audit.services import Event, record_events
from catalog.models import Product, ProductVariant
from integrations.bulk import CREATED, ERROR, UNCHANGED, UPDATED, BulkView
from integrations.identity import PendingOrder, parse_identifiers, resolve_customers
from integrations.models import ApiToken, Resource
from integrations.services import store_ids_of
from sales.models import Channel, Order, OrderLine, ReturnLine
from stores.models import Store


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
        orders: list[PendingOrder] = []
        results: dict[int, dict[str, Any]] = {}
        validator = OrderItem()
        for index, raw in enumerate(items):
            data, errors = self.validated(validator, raw)
            if data is None:
                results[index] = self.error(index, self.key_of(raw), errors)
            else:
                orders.append(PendingOrder(index, f"{data['channel']}/{data['external_id']}", data))
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


def _write(orders: list[PendingOrder], token: ApiToken) -> None:
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
    allowed = store_ids_of(token)
    created_customers = resolve_customers(live, allowed, actor_kind=f"integration:{token.prefix}")
    existing = _existing(live)
    returned = set(
        ReturnLine.objects.filter(order_line__order_id__in=[row.pk for row, _ in existing.values()])
        .values_list("order_line__order_id", flat=True)
        .distinct()
    )
    new_orders: list[tuple[PendingOrder, Order]] = []
    replaced: list[int] = []
    for order in live:
        data = order.data
        values = {
            "customer_id": order.customer_id,
            "store_id": order.store.pk if order.store else None,
            "placed_at": data["placed_at"],
            "currency": data["currency"],
            "total_amount": data["total_amount"],
        }
        lines = order.rows = _line_tuples(data["lines"], products, variants)
        found = existing.get((data["channel"], data["external_id"]))
        if found is None:
            new_orders.append(
                (order, Order(channel=data["channel"], external_id=data["external_id"], **values))
            )
            order.status = CREATED
            continue
        row, old_lines = found
        if allowed is not None and row.store_id not in allowed:
            order.errors["store"] = ["This order is another store's; this token may not change it."]
            continue
        if all(getattr(row, name) == value for name, value in values.items()) and old_lines == lines:
            order.status = UNCHANGED
            continue
        if old_lines != lines and row.pk in returned:
            order.errors["lines"] = [
                "Goods of this order have been returned; its lines can no longer change."
            ]
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
        replaced.append(row.pk)
        new_orders.append((order, row))
        order.status = UPDATED
    OrderLine.objects.filter(order_id__in=replaced).delete()
    # In key order, like the identifiers (see ``resolve_customers``): no two requests deadlock on them.
    Order.objects.bulk_create(
        sorted(
            (row for _, row in new_orders if row.pk is None), key=lambda row: (row.channel, row.external_id)
        )
    )
    _copy_lines((row.pk, *line) for order, row in new_orders for line in order.rows)
    _audit(token, created_customers, new_orders)


def _copy_lines(rows: Iterable[tuple[Any, ...]]) -> None:
    """Order lines in with one COPY: at thousands of lines a request, several times faster than an
    INSERT of thousands of parameters."""
    payload = "".join(
        "\t".join(r"\N" if value is None else str(value) for value in row) + "\n" for row in rows
    )
    if not payload:
        return
    table = OrderLine._meta.db_table
    columns = "order_id, line_number, product_id, variant_id, quantity, unit_price, amount"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(payload.encode())


def _resolve_stores(orders: list[PendingOrder], token: ApiToken) -> None:
    codes = {o.data["store"] for o in orders if o.data.get("store")}
    stores = {s.code: s for s in Store.objects.filter(code__in=codes)}
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


def _resolve_catalogue(orders: list[PendingOrder]) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    skus = {line["product"] for o in orders for line in o.data["lines"]}
    variant_skus = {line["variant"] for o in orders for line in o.data["lines"] if line.get("variant")}
    products = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
    variants = {
        sku: (pk, product_id)
        for sku, pk, product_id in ProductVariant.objects.filter(sku__in=variant_skus).values_list(
            "sku", "pk", "product_id"
        )
    }
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
) -> list[tuple[int, int, int | None, int, Decimal, Decimal]]:
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


def _existing(orders: list[PendingOrder]) -> dict[tuple[str, str], tuple[Order, list[tuple[Any, ...]]]]:
    keys_by_channel: dict[str, set[str]] = defaultdict(set)
    for order in orders:
        keys_by_channel[order.data["channel"]].add(order.data["external_id"])
    found: dict[tuple[str, str], tuple[Order, list[tuple[Any, ...]]]] = {}
    for channel, external_ids in keys_by_channel.items():
        rows = Order.objects.select_for_update().filter(channel=channel, external_id__in=external_ids)
        for row in rows:
            found[(row.channel, row.external_id)] = (row, [])
    by_pk = {row.pk: key for key, (row, _) in found.items()}
    for line in (
        OrderLine.objects.filter(order_id__in=list(by_pk))
        .order_by("order_id", "line_number")
        .values_list(
            "order_id", "line_number", "product_id", "variant_id", "quantity", "unit_price", "amount"
        )
    ):
        found[by_pk[line[0]]][1].append(tuple(line[1:]))
    return found


def _audit(token: ApiToken, created_customers: list[int], written: list[tuple[PendingOrder, Order]]) -> None:
    """One event per customer created from sales data, and one for the request's orders (which
    customers' histories it wrote), with pseudonymous ids only."""
    events = [Event("customer.created_from_sales", customer_id=pk) for pk in created_customers]
    if written:
        customers = sorted({row.customer_id for _, row in written if row.customer_id})
        events.append(Event("orders.upserted", detail={"orders": len(written), "customers": customers}))
    record_events(events, by=None, actor_kind=f"integration:{token.prefix}")
