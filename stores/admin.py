from django.contrib import admin

from stores.models import CollectionPoint, Store


class CollectionPointInline(admin.TabularInline):
    model = CollectionPoint
    extra = 0


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "city",
        "country",
        "currency",
        "timezone",
        "locale",
        "sms_number",
        "is_active",
    ]
    list_filter = ["country", "is_active"]
    search_fields = ["code", "name", "city"]
    inlines = [CollectionPointInline]
