from django.contrib import admin

from occasions.models import OccasionRule, OccasionRun


@admin.register(OccasionRule)
class OccasionRuleAdmin(admin.ModelAdmin):
    """The rules a retailer switches on and tunes; the occasions themselves are staff's work, on the
    tablet, not edited here."""

    list_display = ["kind", "is_active", "min_amount", "days_before", "after_days", "lapse_factor", "tier",
                    "expires_after_days", "template"]  # fmt: skip
    list_editable = ["is_active"]
    readonly_fields = ["kind", "version", "updated_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # one per kind, installed by migrations 0002 and 0003

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # switch it off instead

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.version = (obj.version or 0) + 1
        super().save_model(request, obj, form, change)


@admin.register(OccasionRun)
class OccasionRunAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "made", "last_customer_id", "started_at", "finished_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
