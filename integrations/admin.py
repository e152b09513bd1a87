from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations.models import ApiToken, Resource
from integrations.services import issue_token, revoke_token


class ApiTokenForm(forms.ModelForm):
    resources = forms.MultipleChoiceField(choices=Resource.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiToken
        fields = ["name", "resources", "all_stores", "stores"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued here (the secret is shown once, in the confirmation message) and revoked
    with the action; they are never edited into another scope or deleted, so the trail stays whole."""

    form = ApiTokenForm
    list_display = ["name", "prefix", "resources", "all_stores", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "all_stores"]
    search_fields = ["name", "prefix"]
    filter_horizontal = ["stores"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        return [
            "name",
            "prefix",
            "resources",
            "all_stores",
            "stores",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # only revocation changes a token, through the action
        token, secret = issue_token(
            name=form.cleaned_data["name"],
            resources=form.cleaned_data["resources"],
            all_stores=form.cleaned_data["all_stores"],
            stores=form.cleaned_data["stores"],
            by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(request, f"Copy this token now; it will not be shown again: {secret}")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return  # issue_token has set the stores

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            revoke_token(token, by=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Revoked {queryset.count()} token(s).")
