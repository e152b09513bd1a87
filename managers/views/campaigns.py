"""Campaigns: a manager's for her stores, an administrator's for any: define one (a draft, with how
many it would reach and how many it leaves out, and why), launch it, follow it per store and
associate with the sales it brought, pause it, end it. A stale form is a 409, nothing written."""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role, User
from accounts.permissions import manager_or_403
from accounts.selectors import stores_of
from catalog.models import Brand, Category, Product
from customers.models import ValueTier
from occasions import campaigns
from occasions.campaign_lists import ClientList, IdKind, ListFileError, problem_rows
from occasions.models import Campaign
from outreach.models import MessageTemplate, Use
from stores.models import Store

REFUSAL = "Campaigns are for store managers and administrators."


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=120, label=gettext_lazy("Name"))
    stores = forms.ModelMultipleChoiceField(
        queryset=Store.objects.none(), widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Stores")
    )
    tier = forms.ChoiceField(choices=[("", gettext_lazy("Any tier")), *ValueTier.choices], required=False)
    not_contacted_days = forms.TypedChoiceField(
        choices=[("", gettext_lazy("Any time")), ("30", "30"), ("60", "60"), ("90", "90")],
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
    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.filter(use=Use.OUTREACH, is_active=True).order_by(
            "language", "name"
        ),
        label=gettext_lazy("Message to suggest"),
    )
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
    starts_on = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

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


def _too_large(request: HttpRequest) -> bool:
    """A body well past the list's limit, refused before it is read."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.CAMPAIGN_LIST_MAX_BYTES + 256 * 1024  # the form's other fields and the encoding
    return request.method == "POST" and declared.isdigit() and int(declared) > limit


def _campaign_or_404(user: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id).prefetch_related("stores").first()
    if campaign is None:
        raise Http404("No such campaign.")
    if user.role != Role.ADMIN:
        mine = {s.pk for s in stores_of(user)}
        if not {s.pk for s in campaign.stores.all()} <= mine:
            raise Http404("No such campaign.")
    return campaign


def _visible(user: User) -> list[Campaign]:
    found = Campaign.objects.prefetch_related("stores").order_by("-created_at")
    if user.role == Role.ADMIN:
        return list(found[:100])
    mine = {s.pk for s in stores_of(user)}
    return [c for c in found[:300] if {s.pk for s in c.stores.all()} <= mine][:100]


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = manager_or_403(request, REFUSAL)
    return render(request, "managers/campaign_list.html", {"campaigns": _visible(user)})


@require_http_methods(["GET", "POST"])
@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = manager_or_403(request, REFUSAL)
    today = timezone.localdate()
    initial = {"starts_on": today, "ends_on": today + timedelta(days=14), "channel": "email"}
    if _too_large(request):  # the form again, empty: what was typed cannot be read without the file
        form = CampaignForm(user=user, initial=initial)
        refused = _("The file is larger than %(mb)s MB: split it into several campaigns.") % {
            "mb": settings.CAMPAIGN_LIST_MAX_BYTES // (1024 * 1024)
        }
        return render(request, "managers/campaign_form.html", {"form": form, "refused": refused}, status=413)
    form = CampaignForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        segment = campaigns.Segment(
            tier=data["tier"],
            not_contacted_days=data["not_contacted_days"],
            no_visit_days=data["no_visit_days"],
            category_id=data["category"].pk if data["category"] else None,
            brand_id=data["brand"].pk if data["brand"] else None,
            wishlist_product_id=data.get("wishlist_product_id"),
        )
        upload = data.get("client_list")
        client_list = (
            ClientList(upload, IdKind(data["id_kind"] or IdKind.LOYALTY), data.get("namespace", ""))
            if upload
            else None
        )
        try:
            campaign = campaigns.create_draft(
                by=user,
                name=data["name"],
                stores=list(data["stores"]),
                segment=segment,
                template=data["template"],
                channel=data["channel"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                client_list=client_list,
            )
        except ListFileError as error:
            form.add_error("client_list", str(error))
        else:
            return redirect("managers:campaign", campaign_id=campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "managers/campaign_form.html", {"form": form}, status=status)


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = manager_or_403(request, REFUSAL)
    campaign = _campaign_or_404(user, campaign_id)
    context: dict[str, Any] = {
        "campaign": campaign,
        "attribution_days": settings.ATTRIBUTION_DAYS,
        "list_problems": problem_rows(campaign),
        "list_problem_count": sum(campaign.list_report.get("counts", {}).values()),
    }
    if campaign.status == Campaign.Status.DRAFT:
        context["split"] = campaigns.preview(user, campaign)
    else:
        context["progress"] = campaigns.progress(campaign)
        context["sales"] = campaigns.attributed_sales(campaign, days=settings.ATTRIBUTION_DAYS)
    return render(request, "managers/campaign_detail.html", context)


_ACTIONS = {
    "pause": Campaign.Status.PAUSED,
    "resume": Campaign.Status.ACTIVE,
    "end": Campaign.Status.ENDED,
}


@require_POST
@login_required
def campaign_action(request: HttpRequest, campaign_id: int, action: str) -> HttpResponse:
    """Launch, pause, resume or end, at the version the manager saw (else 409)."""
    user = manager_or_403(request, REFUSAL)
    campaign = _campaign_or_404(user, campaign_id)
    version = request.POST.get("version", "")
    if not version.isdigit() or (action != "launch" and action not in _ACTIONS):
        raise Http404("No such action.")
    try:
        if action == "launch":
            split = campaigns.launch(by=user, campaign=campaign, version=int(version))
            messages.success(
                request,
                _("Launched: %(n)s clients in the stores' lists; %(out)s left out.")
                % {"n": split.included, "out": split.not_agreed + split.no_address},
            )
        else:
            campaigns.set_status(by=user, campaign=campaign, version=int(version), status=_ACTIONS[action])
    except campaigns.StaleCampaign:
        campaign.refresh_from_db()
        context = {"campaign": campaign, "stale": True, "attribution_days": settings.ATTRIBUTION_DAYS}
        if campaign.status != Campaign.Status.DRAFT:
            context["progress"] = campaigns.progress(campaign)
        return render(request, "managers/campaign_detail.html", context, status=409)
    return redirect("managers:campaign", campaign_id=campaign.pk)
