"""The returns endpoint: returns of goods from any channel, written by ``sales.services.returns``
against the order lines they give back."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from common.upsert import Refused
from integrations.bulk import BulkUpsertView
from integrations.catalogue import writable_store
from integrations.models import ApiToken, Resource
from sales.models import Channel
from sales.selectors import order_by_key
from sales.services.returns import write_return


class ReturnLineItem(serializers.Serializer):
    line_number = serializers.IntegerField(
        min_value=1, max_value=32_767, help_text="The order's line number."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))


class ReturnItem(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="Where it was returned.")
    external_id = serializers.CharField(max_length=64, help_text="The return's id in that channel (the key).")
    order_channel = serializers.ChoiceField(choices=Channel.choices)
    order_external_id = serializers.CharField(max_length=64, help_text="The order it returns goods of.")
    store = serializers.SlugField(max_length=32, required=False, allow_null=True, default=None)
    returned_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))
    lines = ReturnLineItem(many=True, allow_empty=False, max_length=500)  # type: ignore[call-arg]  # ListSerializer takes it

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["channel"] == Channel.STORE and not attrs.get("store"):
            raise serializers.ValidationError({"store": ["A return in store names its store."]})
        numbers = [line["line_number"] for line in attrs["lines"]]
        if len(numbers) != len(set(numbers)):
            raise serializers.ValidationError({"lines": ["An order line is listed twice."]})
        return attrs


class ReturnsView(BulkUpsertView):
    resource = Resource.ORDERS
    item_serializer = ReturnItem
    schema_description = "Create or update returns, keyed by `channel` + `external_id` (orders scope)."
    key_field = "external_id"

    def key_of(self, raw: Any) -> str | None:
        if isinstance(raw, dict) and raw.get("channel") is not None and raw.get("external_id") is not None:
            return f"{raw['channel']}/{raw['external_id']}"[:200]
        return None

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        store = writable_store(token, item["store"], "returns")
        order = order_by_key(item["order_channel"], item["order_external_id"])
        if order is None:
            raise Refused({"order_external_id": ["No such order; send it to /api/v1/orders/ first."]})
        return write_return(
            channel=item["channel"],
            external_id=item["external_id"],
            order=order,
            store=store,
            returned_at=item["returned_at"],
            reason=item["reason"],
            refund_amount=item["refund_amount"],
            lines=[(line["line_number"], line["quantity"], line["amount"]) for line in item["lines"]],
        )
