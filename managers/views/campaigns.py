"""Campaigns: a manager's for her stores, an administrator's for any: define one (a draft, with how
many it would reach and how many it leaves out, and why; from a segment, or an uploaded list), edit
it, launch it, follow it per store and associate with the sales it brought, pause it, end it. A stale
form is a 409, nothing written."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role, User
from accounts.permissions import manager_or_403
from accounts.selectors import stores_of
from managers.campaign_forms import CampaignForm, DraftEditForm, LaunchedEditForm
from occasions import campaigns, results
from occasions.campaign_lists import ClientList, IdKind, ListFileError, problem_rows
from occasions.models import Campaign
from stores.models import Store

REFUSAL = "Campaigns are for store managers and administrators."


def _hers(user: User) -> QuerySet[Campaign]:
    """The campaigns ``user`` may open: an administrator's, any; a manager's, those all of whose
    stores are hers (the dashboard's ``occasions.results`` links the same ones)."""
    if user.role == Role.ADMIN:
        return Campaign.objects.all()
    mine = [s.pk for s in stores_of(user)]
    others = Store.objects.exclude(pk__in=mine)
    return Campaign.objects.filter(stores__in=mine).exclude(stores__in=others).distinct()


def _campaign_or_404(user: User, campaign_id: int) -> Campaign:
    campaign = _hers(user).filter(pk=campaign_id).prefetch_related("stores").first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def _visible(user: User) -> list[Campaign]:
    return list(_hers(user).prefetch_related("stores").order_by("-created_at")[:100])


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
    form = CampaignForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
                segment=form.segment(),
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
        context["progress"] = results.progress(campaign)
        context["sales"] = results.attributed_sales(campaign, days=settings.ATTRIBUTION_DAYS)
    return render(request, "managers/campaign_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A draft's fields, or a launched campaign's name, message and last day, at the version the
    form was drawn at: a stale one is a 409 showing the campaign as it is now, nothing written."""
    user = manager_or_403(request, REFUSAL)
    campaign = _campaign_or_404(user, campaign_id)
    if campaign.status == Campaign.Status.ENDED:
        raise Http404("An ended campaign changes no more.")
    form = _edit_form(user, campaign, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = campaigns.update(
                by=user, campaign=campaign, version=form.cleaned_data["version"], changes=form.changes()
            )
        except campaigns.StaleCampaign:
            campaign = _campaign_or_404(user, campaign_id)
            fresh = _edit_form(user, campaign, None)
            context = {"form": fresh, "campaign": campaign, "stale": True}
            return render(request, "managers/campaign_edit.html", context, status=409)
        if changed:
            messages.success(request, _("The campaign is changed."))
        return redirect("managers:campaign", campaign_id=campaign.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "managers/campaign_edit.html", {"form": form, "campaign": campaign}, status=status)


def _edit_form(user: User, campaign: Campaign, data: Any) -> DraftEditForm | LaunchedEditForm:
    if campaign.status == Campaign.Status.DRAFT:
        return DraftEditForm(data, user=user, campaign=campaign, initial=DraftEditForm.initial_of(campaign))
    return LaunchedEditForm(data, campaign=campaign, initial=LaunchedEditForm.initial_of(campaign))


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
            context["progress"] = results.progress(campaign)
        return render(request, "managers/campaign_detail.html", context, status=409)
    return redirect("managers:campaign", campaign_id=campaign.pk)
