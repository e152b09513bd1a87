from django.contrib import admin
from django.http import HttpRequest

from audit.services import record_event, record_listing
from consent.models import ConsentEvent, PolicyVersion, Purpose
from consent.selectors import customers_visible_to
from customers.models import Customer, CustomerIdentifier


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "position", "is_active"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "language", "published_at", "text_hash"]
    readonly_fields = ["text_hash"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a published text never changes; publish a new version instead


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    """The ledger, read-only: history is appended through consent services, never edited."""

    list_display = [
        "occurred_at",
        "customer_id",
        "purpose",
        "granted",
        "method",
        "verification",
        "store",
    ]
    list_filter = ["purpose", "granted", "method"]
    date_hierarchy = "occurred_at"
    list_select_related = ["purpose", "store"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class IdentifierInline(admin.TabularInline):
    model = CustomerIdentifier
    extra = 0
    readonly_fields = ["kind", "namespace", "value", "is_primary", "verified_at", "created_at"]
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Read-only and consent-scoped: customer data changes through services that audit them. It is
    registered here, beside the gate it reads through (``customers_visible_to``)."""

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

    # Every read is accounted for, the admin's too: a list names whom it showed, a page is a view.
    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            record_listing(by=request.user, page="admin", customer_ids=[c.pk for c in changelist.result_list])
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        response = super().change_view(request, object_id, form_url, extra_context)
        customer = self.get_object(request, object_id) if response.status_code == 200 else None
        if customer is not None:
            record_event(
                by=request.user, action="customer.viewed", customer_id=customer.pk, detail={"via": "admin"}
            )
        return response
