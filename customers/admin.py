from django.contrib import admin

from customers.models import StoreRelationship


@admin.register(StoreRelationship)
class StoreRelationshipAdmin(admin.ModelAdmin):
    list_display = ["customer_id", "store", "orders_count", "spend_12m", "last_activity_at"]
    list_filter = ["store"]
    list_select_related = ["store"]
    show_full_result_count = False
