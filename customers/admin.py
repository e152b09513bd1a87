from django.contrib import admin

from customers.models import Customer, CustomerIdentifier, StoreRelationship
from customers.selectors import customers_visible_to


class IdentifierInline(admin.TabularInline):
    model = CustomerIdentifier
    extra = 0
    readonly_fields = ["kind", "namespace", "value", "is_primary", "verified_at", "created_at"]
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Read-only and consent-scoped: customer data changes through services that audit them."""

    list_display = ["public_id", "given_name", "family_name", "home_store", "source", "created_at"]
    list_filter = ["source", "home_store"]
    search_fields = ["public_id", "family_name", "identifiers__value"]
    list_select_related = ["home_store"]
    inlines = [IdentifierInline]
    show_full_result_count = False

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        # Consent gates every read, the admin's included.
        return customers_visible_to(request.user).select_related("home_store")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(StoreRelationship)
class StoreRelationshipAdmin(admin.ModelAdmin):
    list_display = ["customer_id", "store", "orders_count", "spend_12m", "last_activity_at"]
    list_filter = ["store"]
    list_select_related = ["store"]
    show_full_result_count = False
