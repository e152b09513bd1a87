"""Every write of the catalogue: categories (with the sensitivity their subtree inherits), products
with their variants and brands, and stock levels."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.text import slugify

from catalog.models import Brand, Category, Product, ProductVariant, StockLevel
from common.upsert import UNCHANGED, UPDATED, Refused, upsert
from stores.models import Store

DEFAULT_MASK = "personal item"


@transaction.atomic
def recompute_category_sensitivity() -> int:
    """Push each sensitive flag and label down its subtree; returns the number of rows changed.

    A category is sensitive when it or any ancestor is; it is masked with the label of its nearest
    sensitive ancestor that has one. The tree is small (hundreds of nodes): one recursive query.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE tree AS (
                SELECT id, sensitive AS eff, CASE WHEN sensitive THEN sensitive_label ELSE '' END AS label
                FROM {Category._meta.db_table} WHERE parent_id IS NULL
                UNION ALL
                SELECT c.id, tree.eff OR c.sensitive,
                       CASE WHEN c.sensitive AND c.sensitive_label <> '' THEN c.sensitive_label
                            ELSE tree.label END
                FROM {Category._meta.db_table} c JOIN tree ON c.parent_id = tree.id
            )
            UPDATE {Category._meta.db_table} AS c
            SET is_sensitive = tree.eff,
                masked_as = CASE WHEN tree.eff THEN COALESCE(NULLIF(tree.label, ''), %s) ELSE '' END
            FROM tree
            WHERE c.id = tree.id
              AND (c.is_sensitive, c.masked_as) IS DISTINCT FROM
                  (tree.eff, CASE WHEN tree.eff THEN COALESCE(NULLIF(tree.label, ''), %s) ELSE '' END)
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            [DEFAULT_MASK, DEFAULT_MASK],
        )
        return cursor.rowcount


@transaction.atomic
def save_category(
    *,
    code: str,
    name: str,
    parent: Category | None = None,
    sensitive: bool = False,
    sensitive_label: str = "",
) -> Category:
    """Create or update a category by code, then re-derive sensitivity for the tree."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.code == code:
            raise ValueError(f"Category {code!r} cannot sit under its own subtree.")
        ancestor = ancestor.parent
    category, _ = Category.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "parent": parent,
            "sensitive": sensitive,
            "sensitive_label": sensitive_label,
        },
    )
    recompute_category_sensitivity()
    category.refresh_from_db()
    return category


def write_category(
    *, code: str, name: str, parent: Category | None, sensitive: bool, sensitive_label: str
) -> tuple[str, Category]:
    """Create or update a category by code; refused under its own subtree. Writing a batch, call
    ``recompute_category_sensitivity`` once after it, for the subtrees to inherit their flags."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.code == code:
            raise Refused({"parent_code": ["A category cannot be its own ancestor."]})
        ancestor = ancestor.parent
    return upsert(
        Category,
        {"code": code},
        {"name": name, "parent": parent, "sensitive": sensitive, "sensitive_label": sensitive_label},
    )


@dataclass(frozen=True)
class NewVariant:
    sku: str
    colour: str = ""
    size: str = ""


def write_product(
    *, sku: str, category: Category, brand: str, variants: Sequence[NewVariant], **values: Any
) -> tuple[str, Product]:
    """Create or update a product by SKU (``values``: its other fields) with its brand, found by name
    or made, and its variants; variants not listed are kept. Refused when a variant's SKU belongs to
    another product, or another variant of this one has the same colour and size."""
    status, product = upsert(Product, {"sku": sku}, {**values, "category": category, "brand": _brand(brand)})
    for n, variant in enumerate(variants):
        if ProductVariant.objects.filter(sku=variant.sku).exclude(product=product).exists():
            raise Refused({f"variants.{n}.sku": ["This variant SKU belongs to another product."]})
        clash = (
            ProductVariant.objects.filter(product=product, colour=variant.colour, size=variant.size)
            .exclude(sku=variant.sku)
            .exists()
        )
        if clash:
            raise Refused({f"variants.{n}": ["Another variant of this product has this colour and size."]})
        done, _ = upsert(
            ProductVariant,
            {"sku": variant.sku},
            {"product": product, "colour": variant.colour, "size": variant.size},
        )
        if status == UNCHANGED and done != UNCHANGED:
            status = UPDATED
    return status, product


def _brand(name: str) -> Brand | None:
    name = " ".join(name.split())
    if not name:
        return None
    brand = Brand.objects.filter(name__iexact=name).first()
    if brand is not None:
        return brand
    base = slugify(name)[:100] or "brand"
    slug, n = base, 1
    while Brand.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Brand.objects.create(name=name, slug=slug)


def set_stock(*, store: Store, variant: ProductVariant, quantity: int) -> tuple[str, StockLevel]:
    """Units of ``variant`` on hand in ``store``."""
    return upsert(StockLevel, {"store": store, "variant": variant}, {"quantity": quantity})
