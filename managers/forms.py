"""The managers' form for message templates."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from outreach.merge_fields import FIELDS, validate_fields
from outreach.models import MessageTemplate


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "use", "language", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        labels = {
            "name": _("Name"),
            "use": _("Used for"),
            "language": _("Language"),
            "subject": _("Subject"),
            "body": _("Body"),
            "is_active": _("Associates can use it"),
        }
        help_texts = {
            "subject": _("E-mail only."),
            "body": format_lazy(
                _("Merge fields: {fields}"), fields=", ".join(f"{{{name}}}" for name in FIELDS)
            ),
        }

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    for_store = forms.BooleanField(required=False, label=_("Only for this store"))

    def clean_subject(self) -> str:
        validate_fields(self.cleaned_data["subject"])
        return str(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        validate_fields(self.cleaned_data["body"])
        return str(self.cleaned_data["body"])
