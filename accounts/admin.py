from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import StoreMembership, User


class StoreMembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    autocomplete_fields = ["store"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "memberships__store"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Clienteling", {"fields": ["role"]}))
    inlines = [StoreMembershipInline]
