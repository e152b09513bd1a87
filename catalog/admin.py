from django.contrib import admin

from catalog.models import Brand, Category, Product, ProductVariant, StockLevel


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "parent",
        "sensitive",
        "is_sensitive",
        "masked_as",
        "replenishable",
        "replenish_after_days",
    ]
    list_filter = ["is_sensitive", "replenishable"]
    search_fields = ["name", "code"]
    readonly_fields = ["is_sensitive", "masked_as"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from catalog.services import recompute_category_sensitivity

        super().save_model(request, obj, form, change)
        recompute_category_sensitivity()


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class VariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "brand",
        "category",
        "price",
        "currency",
        "replenishable",
        "is_active",
    ]
    list_filter = ["replenishable", "is_active", "category"]
    search_fields = ["sku", "name"]
    list_select_related = ["brand", "category"]
    autocomplete_fields = ["brand", "category"]
    inlines = [VariantInline]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["variant", "store", "quantity", "updated_at"]
    list_filter = ["store"]
    list_select_related = ["variant__product", "store"]
    raw_id_fields = ["variant"]
    show_full_result_count = False
