"""What the last full refresh learnt of each product, for the operator: read only."""

from django.contrib import admin
from django.http import HttpRequest

from suggestions.models import ProductCycle


@admin.register(ProductCycle)
class ProductCycleAdmin(admin.ModelAdmin):
    """Whether Buy again may suggest a product, and how long it lasts: the retailer's word (set on the
    product or its category) where ``said``, else learnt from the sales. Change it on the product or
    category; the next refresh settles it here."""

    list_display = ["product", "replenishable", "said", "cycle_days", "repeat_share", "buyers", "as_of"]
    list_filter = ["replenishable", "said"]
    list_select_related = ["product"]
    search_fields = ["product__sku", "product__name"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ProductCycle | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ProductCycle | None = None) -> bool:
        return False
