"""The campaign pages' forms: a new campaign (a draft, perhaps from a list), and an edit (a draft's
every field but its list; a launched campaign's name, message and last day), at the version seen."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.selectors import stores_of
from catalog.models import Brand, Category, Product
from customers.models import ValueTier
from occasions import campaigns
from occasions.campaign_lists import IdKind
from occasions.models import Campaign
from outreach.models import MessageTemplate, Use
from stores.models import Store


def _templates() -> Any:
    return MessageTemplate.objects.filter(use=Use.OUTREACH, is_active=True).order_by("language", "name")


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=120, label=gettext_lazy("Name"))
    stores = forms.ModelMultipleChoiceField(
        queryset=Store.objects.none(), widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Stores")
    )
    tier = forms.ChoiceField(choices=[("", gettext_lazy("Any tier")), *ValueTier.choices], required=False)
    owner = forms.ChoiceField(
        choices=[("", gettext_lazy("Anyone or no one")), (campaigns.OWNED, gettext_lazy("Someone")),
                 (campaigns.UNOWNED, gettext_lazy("No one"))],
        required=False, label=gettext_lazy("Looked after by"),
    )  # fmt: skip
    not_contacted_days = forms.TypedChoiceField(
        choices=[("", gettext_lazy("Any time")), ("0", gettext_lazy("Never contacted")), ("30", "30"),
                 ("60", "60"), ("90", "90")],
        coerce=int, empty_value=None, required=False, label=gettext_lazy("Not contacted for (days)"),
    )  # fmt: skip
    no_visit_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, label=gettext_lazy("No visit for (days)")
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_sensitive=False).order_by("name"), required=False,
        label=gettext_lazy("Bought in this category (last year)"),
    )  # fmt: skip
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Bought this brand (last year)"),
    )
    wishlist_sku = forms.CharField(
        max_length=64, required=False, label=gettext_lazy("Has this product on her wishlist (SKU)")
    )
    template = forms.ModelChoiceField(queryset=_templates(), label=gettext_lazy("Message to suggest"))
    channel = forms.ChoiceField(
        choices=[("email", gettext_lazy("E-mail")), ("sms", gettext_lazy("Text message"))],
        label=gettext_lazy("Channel"),
    )
    client_list = forms.FileField(
        required=False, label=gettext_lazy("Or only the clients of a list (CSV or text, one id a row)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )  # fmt: skip
    id_kind = forms.ChoiceField(
        choices=IdKind.choices,
        initial=IdKind.LOYALTY,
        required=False,
        label=gettext_lazy("The list's ids are"),
    )
    namespace = forms.SlugField(
        max_length=32, required=False,
        label=gettext_lazy("The system that gave the ids (for another system's ids)"),
    )  # fmt: skip
    starts_on = _date(gettext_lazy("From"))
    ends_on = _date(gettext_lazy("Until"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stores"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Store.objects.filter(pk__in=[s.pk for s in stores_of(user)]).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("It must end on or after the day it starts."))
        if data.get("client_list") and data.get("id_kind") == IdKind.EXTERNAL and not data.get("namespace"):
            self.add_error("namespace", _("Say which system gave the ids, as the integration names it."))
        sku = data.get("wishlist_sku", "").strip()
        if sku:
            product = Product.objects.filter(sku=sku, category__is_sensitive=False).first()
            if product is None:
                self.add_error("wishlist_sku", _("No product has this SKU."))
            else:
                data["wishlist_product_id"] = product.pk
        return data

    def segment(self) -> campaigns.Segment:
        data = self.cleaned_data
        return campaigns.Segment(
            tier=data["tier"],
            owner=data["owner"],
            not_contacted_days=data["not_contacted_days"],
            no_visit_days=data["no_visit_days"],
            category_id=data["category"].pk if data["category"] else None,
            brand_id=data["brand"].pk if data["brand"] else None,
            wishlist_product_id=data.get("wishlist_product_id"),
        )


class DraftEditForm(CampaignForm):
    """A draft's fields, its list kept (a new list is a new draft), and with a list its stores."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.campaign = campaign
        dropped = ["client_list", "id_kind", "namespace"]
        if campaign.from_list:  # the list was matched to its stores
            dropped.append("stores")
        for name in dropped:
            del self.fields[name]

    @staticmethod
    def initial_of(campaign: Campaign) -> dict[str, Any]:
        segment = campaigns.Segment.of(campaign)
        sku = (
            Product.objects.filter(pk=segment.wishlist_product_id).values_list("sku", flat=True).first()
            if segment.wishlist_product_id
            else ""
        )
        return {
            "name": campaign.name, "stores": list(campaign.stores.all()), "tier": segment.tier,
            "owner": segment.owner,
            "not_contacted_days": segment.not_contacted_days, "no_visit_days": segment.no_visit_days,
            "category": segment.category_id, "brand": segment.brand_id, "wishlist_sku": sku or "",
            "template": campaign.template_id, "channel": campaign.channel, "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on, "version": campaign.version,
        }  # fmt: skip

    def changes(self) -> campaigns.Changes:
        data = self.cleaned_data
        draft = campaigns.DraftChanges(
            stores=list(data.get("stores") or self.campaign.stores.all()), segment=self.segment(),
            channel=data["channel"],
            starts_on=data["starts_on"],
        )  # fmt: skip
        return campaigns.Changes(data["name"], data["template"], data["ends_on"], draft)


class LaunchedEditForm(forms.Form):
    """A launched campaign's name, message and last day (not before today, nor before it starts)."""

    name = forms.CharField(max_length=120, label=gettext_lazy("Name"))
    template = forms.ModelChoiceField(queryset=_templates(), label=gettext_lazy("Message to suggest"))
    ends_on = _date(gettext_lazy("Until"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    @staticmethod
    def initial_of(campaign: Campaign) -> dict[str, Any]:
        return {"name": campaign.name, "template": campaign.template_id, "ends_on": campaign.ends_on,
                "version": campaign.version}  # fmt: skip

    def clean_ends_on(self) -> Any:
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < max(self.campaign.starts_on, timezone.localdate()):
            raise forms.ValidationError(_("It must end today or later, and not before it starts."))
        return ends_on

    def changes(self) -> campaigns.Changes:
        data = self.cleaned_data
        return campaigns.Changes(data["name"], data["template"], data["ends_on"])
