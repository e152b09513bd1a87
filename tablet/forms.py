"""The forms on the associate's tablet: the card's (notes, sizes, preferences, dates, follow-ups,
contacts, messages, looks, wishlist, appointments)."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from catalog.models import Brand, Category
from common.widgets import DatePicker, TimePicker
from customers.models import ImportantDate, PreferenceKind
from outreach.models import Appointment, Channel
from relationships.models import Interaction
from stores.models import Store


class CardForm(forms.Form):
    """A form on the customer card. Several share field names, so each gets its own element ids."""

    id_prefix = "card"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class NoteForm(CardForm):
    id_prefix = "note"
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("Note"))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SizeForm(CardForm):
    id_prefix = "size"
    category = forms.ModelChoiceField(
        queryset=Category.objects.not_sensitive().order_by("name"), label=_("Category")
    )
    size = forms.CharField(max_length=20, label=_("Size"))
    fit_note = forms.CharField(max_length=120, required=False, label=_("Fit note"))


class PreferenceForm(CardForm):
    id_prefix = "preference"
    kind = forms.ChoiceField(choices=PreferenceKind.choices, label=_("Kind"))
    likes = forms.TypedChoiceField(
        choices=[("true", _("Loves")), ("false", _("Never suggest"))],
        coerce=lambda v: v == "true",
        initial="true",
        label=_("Likes"),
    )
    brand = forms.ModelChoiceField(queryset=Brand.objects.order_by("name"), required=False, label=_("Brand"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.not_sensitive().order_by("name"), required=False, label=_("Category")
    )
    value = forms.CharField(max_length=60, required=False, label=_("Colour or style"))


class ImportantDateForm(CardForm):
    id_prefix = "date"
    kind = forms.ChoiceField(choices=ImportantDate.Kind.choices, label=_("Kind"))
    label = forms.CharField(max_length=80, required=False, label=_("Label"))
    date = forms.DateField(widget=DatePicker(), label=_("Date"))
    year_known = forms.BooleanField(required=False, initial=True, label=_("The year matters"))


class FollowUpForm(CardForm):
    id_prefix = "follow-up"
    title = forms.CharField(max_length=140, label=_("What to do"))
    due_on = forms.DateField(widget=DatePicker(), label=_("Due"))


class InteractionForm(CardForm):
    id_prefix = "interaction"
    kind = forms.ChoiceField(choices=Interaction.Kind.choices, label=_("Kind"))
    summary = forms.CharField(max_length=280, required=False, label=_("Summary"))


class MessageForm(CardForm):
    """What the associate sends; the channel choices are only those she consented to."""

    id_prefix = "message"
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.RadioSelect, label=_("Send by"))
    template = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The occasion on My day it was written for: done once the message is on its way.
    occasion = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject = forms.CharField(max_length=150, required=False, label=_("Subject (e-mail)"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=1600, label=_("Message"))
    # One of her looks or a product, sent as a link with its picture (``outreach.attachments``).
    attach = forms.ChoiceField(required=False, label=_("Attach"))
    after_quiet_hours = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: object,
        channels: list[str] | None = None,
        attachments: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ) -> None:
        """``attachments``: what may be attached (``outreach.attachments.choices``); None: no field."""
        super().__init__(*args, **kwargs)
        if channels is not None:
            field = self.fields["channel"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(c, label) for c, label in Channel.choices if c in channels]
            if len(channels) == 1:
                self.initial.setdefault("channel", channels[0])
        if attachments is None:
            del self.fields["attach"]
        else:
            attach = self.fields["attach"]
            assert isinstance(attach, forms.ChoiceField)
            attach.choices = [("", _("Nothing")), *attachments]


class LookForm(CardForm):
    id_prefix = "look"
    title = forms.CharField(max_length=80, label=_("Title"), initial=_("Chosen for you"))
    note = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("A word for her")
    )
    products = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Products"))

    def __init__(self, *args: object, product_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["products"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = product_choices
        field.widget = forms.CheckboxSelectMultiple(choices=product_choices)


class WishlistForm(CardForm):
    id_prefix = "wish"
    product = forms.IntegerField(widget=forms.HiddenInput)
    size = forms.CharField(max_length=20, required=False, label=_("Size"))


PURPOSE_CHOICES = Appointment.Purpose.choices
DURATIONS = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1 hour 30")),
    (120, _("2 hours")),
]


def _staff_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


class AppointmentForm(CardForm):
    """Day and time as the store's clock shows them."""

    id_prefix = "appointment"
    day = forms.DateField(widget=DatePicker(), label=_("Day"))
    time = forms.TimeField(widget=TimePicker(attrs={"step": 300}), label=_("Time"))
    duration = forms.TypedChoiceField(coerce=int, choices=DURATIONS, initial=45, label=_("Length"))
    associate = forms.ModelChoiceField(
        queryset=User.objects.none(), label=pgettext_lazy("appointment", "With")
    )
    purpose = forms.ChoiceField(choices=PURPOSE_CHOICES, label=pgettext_lazy("appointment purpose", "For"))
    note = forms.CharField(max_length=280, required=False, label=_("To prepare or remember"))
    products = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), required=False, label=_("Products to prepare")
    )
    notify_by = forms.ChoiceField(choices=(), required=False, label=_("Confirm to her by"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: object,
        store: Store,
        team: list[User],
        channels: list[str],
        product_choices: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        associate = self.fields["associate"]
        assert isinstance(associate, forms.ModelChoiceField)
        associate.queryset = User.objects.filter(pk__in=[u.pk for u in team]).order_by("first_name")
        associate.label_from_instance = _staff_name  # type: ignore[method-assign,assignment]
        notify = self.fields["notify_by"]
        assert isinstance(notify, forms.ChoiceField)
        notify.choices = [(c, label) for c, label in Channel.choices if c in channels] + [
            ("", _("Do not send a message"))
        ]
        if notify.choices[0][0]:  # she may be sent a confirmation: by default she is, on her first channel
            self.initial.setdefault("notify_by", notify.choices[0][0])
        products = self.fields["products"]
        assert isinstance(products, forms.TypedMultipleChoiceField)
        products.choices = product_choices
        products.widget = forms.CheckboxSelectMultiple(choices=product_choices)

    def appointment(self) -> dict[str, Any]:
        """The cleaned form as ``book_appointment``'s and ``move_appointment``'s arguments."""
        data = self.cleaned_data
        return {
            "associate": data["associate"],
            "starts_at": datetime.combine(data["day"], data["time"], tzinfo=ZoneInfo(self.store.timezone)),
            "duration": timedelta(minutes=data["duration"]),
            "purpose": data["purpose"],
            "note": data["note"],
            "product_ids": data["products"],
            "notify_by": data["notify_by"],
        }

    @staticmethod
    def initial_for(store: Store, associate: User, now: datetime | None = None) -> dict[str, object]:
        """Tomorrow at 11:00 in the store, with the associate herself."""
        local = (now or timezone.now()).astimezone(ZoneInfo(store.timezone))
        return {
            "day": (local + timedelta(days=1)).date(),
            "time": "11:00",
            "associate": associate.pk,
            "duration": 45,
        }


class CancelAppointmentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=200, required=False, label=_("Why (for the team)"))
    tell_her = forms.BooleanField(required=False, initial=True, label=_("Tell her"))
