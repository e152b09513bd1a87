"""Forms the customer fills in on her own phone (or a tablet handed to her)."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.widgets import DatePicker
from consent.otp import CODE_LENGTH
from consent.purposes import choice_text
from consent.selectors import active_purposes
from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise_email, normalise_phone


def purpose_choices() -> list[tuple[str, str]]:
    return [(p.code, choice_text(p.code, p.name, p.description)[0]) for p in active_purposes()]


def _set_purpose_choices(form: forms.Form) -> None:
    field = form.fields["purposes"]
    assert isinstance(field, forms.MultipleChoiceField)
    field.choices = purpose_choices()


def parse_contact(raw: str, *, default_region: str | None) -> tuple[str, str]:
    """("email" | "phone", normalised value) from whatever she typed; raises ``ValidationError``."""
    raw = raw.strip()
    try:
        if "@" in raw:
            return IdentifierKind.EMAIL, normalise_email(raw)
        return IdentifierKind.PHONE, normalise_phone(raw, default_region=default_region)
    except InvalidIdentifier as invalid:
        raise forms.ValidationError(str(invalid)) from None


class ContactField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("label", _("Your e-mail or mobile number"))
        kwargs.setdefault(
            "help_text", _("We send a one-time code to check it is yours. We never show it to anyone else.")
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}),
        )
        super().__init__(**kwargs)


class OptInForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("What you agree to"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one, or simply close this page: nothing is kept.")},
    )
    contact = ContactField()
    given_name = forms.CharField(label=_("First name (optional)"), max_length=80, required=False)
    family_name = forms.CharField(label=_("Last name (optional)"), max_length=80, required=False)

    def __init__(self, *args: Any, default_region: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_region = default_region
        _set_purpose_choices(self)

    def clean_contact(self) -> tuple[str, str]:
        return parse_contact(self.cleaned_data["contact"], default_region=self.default_region)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code we sent you"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        digits = "".join(c for c in self.cleaned_data["code"] if c.isdigit())
        if len(digits) != CODE_LENGTH:
            raise forms.ValidationError(_("The code has %(n)d digits.") % {"n": CODE_LENGTH})
        return digits


class SignInForm(forms.Form):
    contact = ContactField(help_text=_("We send a sign-in link there if we know it."))

    def __init__(self, *args: Any, default_region: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_region = default_region

    def clean_contact(self) -> tuple[str, str]:
        return parse_contact(self.cleaned_data["contact"], default_region=self.default_region)


class ProfileForm(forms.Form):
    given_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    family_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    preferred_name = forms.CharField(label=_("Name you like to be called"), max_length=80, required=False)
    birth_date = forms.DateField(label=_("Birthday"), required=False, widget=DatePicker())

    def clean_birth_date(self) -> date | None:
        born = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if born is not None and not (date(today.year - 120, 1, 1) <= born <= today):
            raise forms.ValidationError(_("Please check the year: that date cannot be a birthday."))
        return born


class ChoicesForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("What you agree to"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_purpose_choices(self)


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my profile, notes and preferences are deleted and cannot be brought back."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
