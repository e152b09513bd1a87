"""Service episodes (alterations, repairs, styling appointments, visits) and the staff who serve.

Episodes are keyed by ``external_id`` and attached to their customer by the same identity resolution
as orders (``integrations.identity``); staff are keyed by ``username`` (the retailer's employee id or
login) with their role and stores. A store-scoped token writes its stores' episodes, and staff of its
stores only.
"""

from typing import Any

from rest_framework import serializers

from accounts.models import Role, StoreMembership, User
from audit.services import record_event
from catalog.models import Product
from integrations.bulk import CREATED, UNCHANGED, UPDATED, BulkUpsertView, ItemRejected, upsert
from integrations.catalogue import writable_store
from integrations.identity import PendingOrder, parse_identifiers, resolve_customers
from integrations.models import ApiToken, Resource
from integrations.orders import CustomerRef
from integrations.services import store_ids_of
from sales.models import Channel, ServiceEpisode
from stores.models import Store


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
        existing = ServiceEpisode.objects.filter(external_id=item["external_id"]).first()
        if existing is not None and allowed is not None and existing.store_id not in allowed:
            raise ItemRejected(
                {"external_id": ["This episode is another store's; this token may not change it."]}
            )
        product = None
        if item["product"]:
            product = Product.objects.filter(sku=item["product"]).first()
            if product is None:
                raise ItemRejected({"product": ["No such product SKU; send it to /api/v1/products/ first."]})
        pending = PendingOrder(
            0, item["external_id"], {"channel": Channel.STORE, "customer": item["customer"]}, store=store
        )
        parse_identifiers([pending])
        if pending.errors:
            raise ItemRejected(pending.errors)
        created = resolve_customers([pending], allowed, actor_kind=f"integration:{token.prefix}")
        values = {
            "kind": item["kind"],
            "status": item["status"],
            "store": store,
            "customer_id": pending.customer_id
            if pending.customer_id is not None
            else (existing.customer_id if existing else None),
            "product": product,
            "opened_at": item["opened_at"],
            "closed_at": item["closed_at"],
            "summary": item["summary"],
        }
        status, episode = upsert(ServiceEpisode, {"external_id": item["external_id"]}, values)
        for customer_id in created:
            record_event(
                by=None,
                actor_kind=f"integration:{token.prefix}",
                action="customer.created_from_sales",
                customer_id=customer_id,
            )
        if status != UNCHANGED and episode.customer_id:
            record_event(
                by=None,
                actor_kind=f"integration:{token.prefix}",
                action="service_episode.upserted",
                customer_id=episode.customer_id,
                store_id=store.pk,
                detail={"episode": episode.pk, "kind": episode.kind, "status": status},
            )
        return status, episode


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
        allowed = store_ids_of(token)
        codes = list(dict.fromkeys(item.pop("stores")))
        stores = {s.code: s for s in Store.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in stores]
        if missing:
            raise ItemRejected({"stores": [f"No such store: {', '.join(missing)}."]})
        existing = User.objects.filter(username=item["username"]).first()
        if existing is not None and existing.role == Role.ADMIN:
            raise ItemRejected({"username": ["Administrators are managed in the admin only."]})
        if allowed is not None:
            current = (
                set(StoreMembership.objects.filter(user=existing).values_list("store_id", flat=True))
                if existing
                else set()
            )
            if not {s.pk for s in stores.values()} | current <= allowed:
                raise ItemRejected({"stores": ["This token writes staff of its own stores only."]})
        # apply() runs in the item's own savepoint (BulkUpsertView): user and memberships together.
        status, user = upsert(User, {"username": item.pop("username")}, item)
        if status == CREATED:
            user.set_unusable_password()  # she sets one through the admin's reset or SSO
            user.save(update_fields=["password"])
        target = {stores[code].pk: index == 0 for index, code in enumerate(codes)}  # primary first
        have = dict(StoreMembership.objects.filter(user=user).values_list("store_id", "is_primary"))
        if have != target:
            StoreMembership.objects.filter(user=user).delete()
            StoreMembership.objects.bulk_create(
                StoreMembership(user=user, store_id=pk, is_primary=primary) for pk, primary in target.items()
            )
            status = UPDATED if status == UNCHANGED else status
        return status, user
