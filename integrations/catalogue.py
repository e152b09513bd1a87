"""The catalogue endpoints: stores, categories, products with their variants, and stock levels, in
bulk, written by ``stores.services`` and ``catalog.services``."""

from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from catalog.images import MAX_LENGTH as MAX_IMAGE_URL
from catalog.images import image_url_problem
from catalog.selectors import category_by_code, variant_by_sku
from catalog.services import (
    NewVariant,
    recompute_category_sensitivity,
    set_stock,
    write_category,
    write_product,
)
from common import outbox
from common.upsert import Refused
from integrations.bulk import BulkUpsertView
from integrations.models import ApiToken, Resource
from integrations.services import store_ids_of
from stores.models import Store, validate_timezone
from stores.selectors import store_by_code
from stores.services import write_store

# --- stores --------------------------------------------------------------------------------------


class StoreItem(serializers.Serializer):
    code = serializers.SlugField(max_length=32, help_text="The retailer's store code (the key).")
    name = serializers.CharField(max_length=120)
    country = serializers.RegexField(r"^[A-Z]{2}$", help_text="ISO 3166 code, e.g. GB.")
    timezone = serializers.CharField(
        max_length=64, validators=[validate_timezone], help_text="e.g. Europe/London"
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217 code, e.g. GBP.")
    city = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


def _may_write_store(token: ApiToken, store: Store | None) -> bool:
    allowed = store_ids_of(token)
    return allowed is None or (store is not None and store.pk in allowed)


def writable_store(token: ApiToken, code: str | None, what: str) -> Store | None:
    """The store an item names by ``code`` (``None`` when it names none), refused if unknown or not
    the token's to write ``what`` for (a store-scoped token must name one of its stores)."""
    store = None
    if code:
        store = store_by_code(code)
        if store is None:
            raise Refused({"store": ["No such store."]})
    if not _may_write_store(token, store):
        raise Refused({"store": [f"This token may not write this store's {what}."]})
    return store


class StoresView(BulkUpsertView):
    resource = Resource.STORES
    item_serializer = StoreItem
    schema_description = "Create or update stores, keyed by `code`."
    key_field = "code"

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        code = item.pop("code")
        if not _may_write_store(token, store_by_code(code)):
            raise Refused({"code": ["This token may not write this store."]})
        return write_store(code=code, **item)


# --- categories ----------------------------------------------------------------------------------


class Replenishment(serializers.Serializer):
    """Whether a product (or a category's products) is bought again, and how long it lasts: what the
    retailer says wins over what the suggestions learn from the sales."""

    replenishable = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Bought again when used up (a category: for its products and subcategories that do "
        "not say themselves). null or left out: as the category above says, else learnt from the sales.",
    )
    replenish_after_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=32_767,
        help_text="How long it lasts, with replenishable: true only; null: as the category above "
        "says, else learnt.",
    )


def _cycle_only_if_replenishable(attrs: dict[str, Any]) -> dict[str, Any]:
    if attrs.get("replenish_after_days") is not None and not attrs.get("replenishable"):
        raise serializers.ValidationError(
            {"replenish_after_days": ["Only with replenishable: true (its cycle says it is bought again)."]}
        )
    return attrs


class CategoryItem(Replenishment):
    code = serializers.SlugField(max_length=64, help_text="The retailer's category code (the key).")
    name = serializers.CharField(max_length=120)
    parent_code = serializers.SlugField(
        max_length=64, required=False, allow_null=True, default=None, help_text="The parent's code."
    )
    sensitive = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Health, pregnancy, religion, adult…: never suggested, never a signal, masked for staff. "
        "Inherited by the whole subtree.",
    )
    sensitive_label = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text='What staff see, e.g. "health item".',
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _cycle_only_if_replenishable(attrs)


class CategoriesView(BulkUpsertView):
    resource = Resource.CATEGORIES
    item_serializer = CategoryItem
    schema_description = "Create or update categories, keyed by `code`; parents first."
    key_field = "code"

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        parent_code = item.pop("parent_code")
        parent = None
        if parent_code is not None:
            parent = category_by_code(parent_code)
            if parent is None:
                raise Refused(
                    {"parent_code": [f"No category {parent_code!r} (send parents before children)."]}
                )
        return write_category(parent=parent, **item)

    def finished(self, results: list[dict[str, Any]]) -> None:
        recompute_category_sensitivity()  # the subtree of every changed node inherits its flag


# --- products ------------------------------------------------------------------------------------


class VariantItem(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text="What tills and stock systems scan (the key).")
    colour = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    size = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ProductItem(Replenishment):
    sku = serializers.CharField(max_length=64, help_text="The product's style code (the key).")
    name = serializers.CharField(max_length=200)
    category = serializers.SlugField(max_length=64, help_text="The category's code.")
    brand = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0))
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="GBP")
    is_active = serializers.BooleanField(required=False, default=True)
    image_url = serializers.CharField(
        max_length=MAX_IMAGE_URL,
        required=False,
        allow_blank=True,
        help_text="The product's picture: an https URL on one of the server's PRODUCT_IMAGE_ORIGINS "
        '(its image server). "" removes it; left out, the picture is kept.',
    )
    variants = VariantItem(many=True, required=False, default=list, help_text="Variants not listed are kept.")

    def validate_image_url(self, value: str) -> str:
        problem = image_url_problem(value)
        if problem:
            raise serializers.ValidationError(f"The picture's URL {problem}.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _cycle_only_if_replenishable(attrs)
        skus = [v["sku"] for v in attrs.get("variants", [])]
        if len(skus) != len(set(skus)):
            raise serializers.ValidationError({"variants": ["A variant SKU is listed twice."]})
        return attrs


class ProductsView(BulkUpsertView):
    resource = Resource.PRODUCTS
    item_serializer = ProductItem
    schema_description = "Create or update products and their variants, keyed by `sku`."
    key_field = "sku"

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        category = category_by_code(item.pop("category"))
        if category is None:
            raise Refused({"category": ["No such category; send it to /api/v1/categories/ first."]})
        variants = [NewVariant(**variant) for variant in item.pop("variants")]
        return write_product(category=category, variants=variants, **item)


# --- stock ---------------------------------------------------------------------------------------


class StockItem(serializers.Serializer):
    store = serializers.SlugField(max_length=32, help_text="The store's code.")
    variant = serializers.CharField(max_length=64, help_text="The variant's SKU.")
    quantity = serializers.IntegerField(min_value=0, max_value=2_147_483_647)


class StockView(BulkUpsertView):
    resource = Resource.STOCK
    item_serializer = StockItem
    schema_description = "Set stock levels (units on hand) per store and variant SKU."
    key_field = "variant"

    def key_of(self, raw: Any) -> str | None:
        if isinstance(raw, dict) and raw.get("store") is not None and raw.get("variant") is not None:
            return f"{raw['store']}/{raw['variant']}"[:200]
        return None

    def apply(self, item: dict[str, Any], token: ApiToken) -> tuple[str, Any]:
        store = store_by_code(item["store"])
        if store is None:
            raise Refused({"store": ["No such store."]})
        if not _may_write_store(token, store):
            raise Refused({"store": ["This token may not write this store."]})
        variant = variant_by_sku(item["variant"])
        if variant is None:
            raise Refused({"variant": ["No such variant SKU; send its product first."]})
        stock = set_stock(store=store, variant=variant, quantity=item["quantity"])
        if stock.back_in_stock:  # occasions for those who wanted it
            outbox.enqueue(
                "occasions.back_in_stock",
                args=[store.pk, [variant.pk]],
                key=f"back-in-stock:{store.pk}:{variant.pk}:{timezone.localdate()}",
            )
        return stock.status, stock.level
