from django.contrib import admin

from sales.models import Order, OrderLine, Return, ReturnLine, ServiceEpisode


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["product", "variant"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "channel", "store", "placed_at", "total_amount", "currency"]
    list_filter = ["channel", "store"]
    search_fields = ["external_id"]
    date_hierarchy = "placed_at"
    raw_id_fields = ["customer"]
    list_select_related = ["store"]
    inlines = [OrderLineInline]
    show_full_result_count = False


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    raw_id_fields = ["order_line"]


# The free text a till or a service desk sent (a return's reason, a repair's summary) may name her or
# give her number; the admin shows the structured rows only, whatever her consent (the tablet shows
# the text to her store's staff while she consents).


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    exclude = ["reason"]
    list_display = ["external_id", "channel", "store", "returned_at", "refund_amount"]
    list_filter = ["channel", "store"]
    raw_id_fields = ["customer", "order"]
    list_select_related = ["store"]
    inlines = [ReturnLineInline]
    show_full_result_count = False


@admin.register(ServiceEpisode)
class ServiceEpisodeAdmin(admin.ModelAdmin):
    exclude = ["summary"]
    list_display = ["external_id", "kind", "status", "store", "opened_at", "closed_at"]
    list_filter = ["kind", "status", "store"]
    raw_id_fields = ["customer", "product"]
    list_select_related = ["store"]
    show_full_result_count = False
