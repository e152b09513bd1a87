"""Reads of the catalogue: by the keys other systems use (codes and SKUs), and what the retailer says
of replenishment."""

from collections.abc import Iterable

from django.db import connection

from catalog.models import Category, Product, ProductVariant


def category_by_code(code: str) -> Category | None:
    return Category.objects.filter(code=code).first()


def product_by_sku(sku: str) -> Product | None:
    return Product.objects.filter(sku=sku).first()


def variant_by_sku(sku: str) -> ProductVariant | None:
    return ProductVariant.objects.filter(sku=sku).first()


def product_ids_by_sku(skus: Iterable[str]) -> dict[str, int]:
    return dict(Product.objects.filter(sku__in=set(skus)).values_list("sku", "pk"))


def variants_by_sku(skus: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Each variant SKU's (variant id, product id)."""
    return {
        sku: (pk, product_id)
        for sku, pk, product_id in ProductVariant.objects.filter(sku__in=set(skus)).values_list(
            "sku", "pk", "product_id"
        )
    }


def product_name(product_id: int) -> str:
    """A product's name ("" if there is no such product)."""
    return Product.objects.filter(pk=product_id).values_list("name", flat=True).first() or ""


# Each category's nearest node, itself first, then up the tree, that says whether its products are
# bought again (and, if it says so, its cycle).
_SAID_BY_CATEGORY = """
    WITH RECURSIVE chain (category_id, parent_id, depth, replenishable, days) AS (
        SELECT id, parent_id, 0, replenishable, replenish_after_days FROM catalog_category
        UNION ALL
        SELECT chain.category_id, up.parent_id, chain.depth + 1, up.replenishable, up.replenish_after_days
        FROM chain JOIN catalog_category up ON up.id = chain.parent_id
        WHERE chain.replenishable IS NULL
    )
    SELECT DISTINCT ON (category_id) category_id, replenishable, days
    FROM chain WHERE replenishable IS NOT NULL ORDER BY category_id, depth
"""


def said_replenishment() -> list[tuple[int, bool, int | None]]:
    """(product id, bought again?, cycle in days or None) of every product the retailer said it of:
    the product itself, else its category or the nearest category above it that says. Products
    nobody said it of are left out: the suggestions learn them from the sales."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT p.id, coalesce(p.replenishable, said.replenishable) AS replenishable,
                   CASE WHEN coalesce(p.replenishable, said.replenishable)
                        THEN coalesce(p.replenish_after_days, said.days) END
            FROM catalog_product p LEFT JOIN ({_SAID_BY_CATEGORY}) said ON said.category_id = p.category_id
            WHERE coalesce(p.replenishable, said.replenishable) IS NOT NULL
            """  # noqa: S608 - fixed SQL
        )
        return cursor.fetchall()
