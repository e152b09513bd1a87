from django import forms

from catalog.models import Brand, Category
from customers.models import ImportantDate, PreferenceKind
from relationships.models import Interaction


class NoteForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Note")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SizeForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.not_sensitive().order_by("name"))
    size = forms.CharField(max_length=20)
    fit_note = forms.CharField(max_length=120, required=False, label="Fit note")


class PreferenceForm(forms.Form):
    kind = forms.ChoiceField(choices=PreferenceKind.choices)
    likes = forms.TypedChoiceField(
        choices=[("true", "Loves"), ("false", "Never suggest")], coerce=lambda v: v == "true", initial="true"
    )
    brand = forms.ModelChoiceField(queryset=Brand.objects.order_by("name"), required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.not_sensitive().order_by("name"), required=False
    )
    value = forms.CharField(max_length=60, required=False, label="Colour or style")


class ImportantDateForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportantDate.Kind.choices)
    label = forms.CharField(max_length=80, required=False)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    year_known = forms.BooleanField(required=False, initial=True, label="The year matters")


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=140, label="What to do")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(choices=Interaction.Kind.choices)
    summary = forms.CharField(max_length=280, required=False)
