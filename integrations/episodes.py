"""Service episodes (alterations, repairs, styling appointments, visits) and the staff who serve.

Episodes are keyed by ``external_id`` and attached to their customer by the same identity resolution
as orders (``identity.resolution``); staff are keyed by ``username`` (the retailer's employee id or
login) with their role and stores. A store-scoped token writes its stores' episodes, and staff of its
stores only.
"""

from typing import Any

from rest_framework import serializers

from accounts.models import Role
from accounts.services import write_staff
from catalog.selectors import product_by_sku
from common.upsert import Refused
from identity.resolution import resolve_customers
from integrations.bulk import BulkUpsertView
from integrations.catalogue import writable_store
from integrations.models import ApiToken, Resource
from integrations.orders import CustomerRef
from integrations.pending import PendingRecord, parse_identifiers
from integrations.services import store_ids_of
from sales.models import Channel, ServiceEpisode
from sales.selectors import episode_by_key
from sales.services.episodes import write_episode
from stores.selectors import stores_by_code


class EpisodeItem(serializers.Serializer):
    external_id = serializers.CharField(max_length=64, help_text="The episode's id in its system (the key).")
    kind = serializers.ChoiceField(choices=ServiceEpisode.Kind.choices)
    status = serializers.ChoiceField(choices=ServiceEpisode.Status.choices, required=False, default="open")
    store = serializers.SlugField(max_length=32, help_text="The store's code.")
    customer = CustomerRef(required=False, allow_null=True, default=None)
    product = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="SKU."
    )
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["closed_at"] is not None and attrs["closed_at"] < attrs["opened_at"]:
            raise serializers.ValidationError({"closed_at": ["It closes before it opened."]})
        return attrs


class ServiceEpisodesView(BulkUpsertView):
    resource = Resource.SERVICES
    item_serializer = EpisodeItem
    schema_description = (
        "Create or update service episodes (alterations, repairs, appointments, visits), "
        "keyed by `external_id`."
    )
    key_field = "external_id"

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        allowed = store_ids_of(token)
        store = writable_store(token, item["store"], "episodes")
        assert store is not None  # the serializer requires a store code
        existing = episode_by_key(item["external_id"])
        if existing is not None and allowed is not None and existing.store_id not in allowed:
            raise Refused({"external_id": ["This episode is another store's; this token may not change it."]})
        product = None
        if item["product"]:
            product = product_by_sku(item["product"])
            if product is None:
                raise Refused({"product": ["No such product SKU; send it to /api/v1/products/ first."]})
        pending = PendingRecord(
            key=item["external_id"],
            data={"channel": Channel.STORE, "customer": item["customer"]},
            store=store,
        )
        parse_identifiers([pending])
        if pending.errors:
            raise Refused(pending.errors)
        actor_kind = f"integration:{token.prefix}"
        resolve_customers([pending], allowed, actor_kind=actor_kind)
        return write_episode(
            external_id=item["external_id"],
            kind=item["kind"],
            status=item["status"],
            store=store,
            customer_id=pending.customer_id
            if pending.customer_id is not None
            else (existing.customer_id if existing else None),
            product=product,
            opened_at=item["opened_at"],
            closed_at=item["closed_at"],
            summary=item["summary"],
            actor_kind=actor_kind,
        )


class StaffItem(serializers.Serializer):
    username = serializers.RegexField(
        r"^[\w.@+-]{1,150}$", help_text="The retailer's employee id or login (the key)."
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(
        choices=[(Role.ASSOCIATE, "Associate"), (Role.MANAGER, "Store manager")],
        help_text="Administrators are made in the admin, never through the API.",
    )
    stores = serializers.ListField(
        child=serializers.SlugField(max_length=32),
        min_length=1,
        max_length=50,
        help_text="Store codes, primary first.",
    )
    is_active = serializers.BooleanField(required=False, default=True, help_text="false when she leaves.")


class StaffView(BulkUpsertView):
    resource = Resource.STAFF
    item_serializer = StaffItem
    schema_description = (
        "Create or update staff (associates and managers) with their stores, keyed by `username`."
    )
    key_field = "username"

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        codes = list(dict.fromkeys(item.pop("stores")))
        stores = stores_by_code(codes)
        missing = [code for code in codes if code not in stores]
        if missing:
            raise Refused({"stores": [f"No such store: {', '.join(missing)}."]})
        # apply() runs in the item's own savepoint (BulkUpsertView): user and memberships together.
        return write_staff(stores=[stores[code] for code in codes], store_ids=store_ids_of(token), **item)
