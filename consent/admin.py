from django.contrib import admin
from django.http import HttpRequest

from consent.models import ConsentEvent, PolicyVersion, Purpose


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
