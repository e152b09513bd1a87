from django.db import models
from django.db.models import Q

from catalog.images import validate_image_url


class CategoryQuerySet(models.QuerySet["Category"]):
    def not_sensitive(self) -> "CategoryQuerySet":
        return self.filter(is_sensitive=False)


class Category(models.Model):
    """A node of the catalogue tree. A sensitive category makes its whole subtree sensitive.

    ``sensitive`` and ``sensitive_label`` are what the retailer sets on this node; ``is_sensitive``
    and ``masked_as`` are the effective values, inherited down the tree by
    ``catalog.services.recompute_category_sensitivity`` whenever the tree changes.
    """

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sensitive = models.BooleanField(default=False, help_text="Health, pregnancy, religion, adult…")
    sensitive_label = models.CharField(
        max_length=60,
        blank=True,
        help_text='What associates see instead of the product, e.g. "health item".',
    )
    is_sensitive = models.BooleanField(default=False, editable=False)
    masked_as = models.CharField(max_length=60, blank=True, editable=False)
    replenishable = models.BooleanField(
        null=True,
        blank=True,
        default=None,
        help_text="Bought again when used up, for every product here and below that does not say "
        "itself. Empty: learnt from the sales.",
    )
    replenish_after_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long its products last, unless a product says."
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="category_not_own_parent"),
            models.CheckConstraint(
                condition=Q(is_sensitive=False) | ~Q(masked_as=""),
                name="category_sensitive_has_mask",
            ),
            models.CheckConstraint(
                condition=Q(replenish_after_days__isnull=True) | Q(replenishable=True),
                name="category_cycle_only_if_replenishable",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")
    replenishable = models.BooleanField(
        null=True,
        blank=True,
        default=None,
        help_text="Bought again when used up (cosmetics, food). Empty: as its category says, else "
        "learnt from the sales.",
    )
    replenish_after_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long it lasts; empty: its category's, else learnt."
    )
    # The product's picture: an https URL on one of PRODUCT_IMAGE_ORIGINS, or a path of our own
    # (/product-images/…, the demo's). Checked by catalog.images.image_url_problem.
    image_url = models.CharField(
        max_length=500, blank=True, default="", db_default="", validators=[validate_image_url]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(replenish_after_days__isnull=True) | Q(replenishable=True),
                name="product_cycle_only_if_replenishable",
            ),
        ]
        indexes = [models.Index(fields=["category"], name="product_category")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class ProductVariant(models.Model):
    """A sellable colour/size of a product; ``sku`` is what tills and stock systems scan."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    colour = models.CharField(max_length=40, blank=True)
    size = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "colour", "size"], name="variant_unique_colour_size"),
        ]

    def __str__(self) -> str:
        return " / ".join(p for p in (self.product.name, self.colour, self.size) if p)


class StockLevel(models.Model):
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="stock_levels", db_index=False
    )
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="stock_levels")
    quantity = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "variant"], name="stock_unique_store_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_not_negative"),
        ]
        indexes = [
            models.Index(fields=["variant", "store"], name="stock_in_stock", condition=Q(quantity__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × variant {self.variant_id} @ store {self.store_id}"
