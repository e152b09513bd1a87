from django import forms

from catalog.models import Brand, Category
from customers.models import ImportantDate, PreferenceKind
from relationships.models import Interaction


class CardForm(forms.Form):
    """A form on the customer card. Several share field names, so each gets its own element ids."""

    id_prefix = "card"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class NoteForm(CardForm):
    id_prefix = "note"
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Note")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SizeForm(CardForm):
    id_prefix = "size"
    category = forms.ModelChoiceField(queryset=Category.objects.not_sensitive().order_by("name"))
    size = forms.CharField(max_length=20)
    fit_note = forms.CharField(max_length=120, required=False, label="Fit note")


class PreferenceForm(CardForm):
    id_prefix = "preference"
    kind = forms.ChoiceField(choices=PreferenceKind.choices)
    likes = forms.TypedChoiceField(
        choices=[("true", "Loves"), ("false", "Never suggest")], coerce=lambda v: v == "true", initial="true"
    )
    brand = forms.ModelChoiceField(queryset=Brand.objects.order_by("name"), required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.not_sensitive().order_by("name"), required=False
    )
    value = forms.CharField(max_length=60, required=False, label="Colour or style")


class ImportantDateForm(CardForm):
    id_prefix = "date"
    kind = forms.ChoiceField(choices=ImportantDate.Kind.choices)
    label = forms.CharField(max_length=80, required=False)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    year_known = forms.BooleanField(required=False, initial=True, label="The year matters")


class FollowUpForm(CardForm):
    id_prefix = "follow-up"
    title = forms.CharField(max_length=140, label="What to do")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")


class InteractionForm(CardForm):
    id_prefix = "interaction"
    kind = forms.ChoiceField(choices=Interaction.Kind.choices)
    summary = forms.CharField(max_length=280, required=False)
