"""Reads of the catalogue by the keys other systems use: codes and SKUs."""

from collections.abc import Iterable

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
