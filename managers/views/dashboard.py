"""The store manager's dashboard (every store together, for administrators): consent, coverage of
the top tier, the team's outreach, and what suggestions and outreach brought in, over a period she
chooses, with their week-by-week trend; each associate's occasions due and done, and the campaigns'
results (``occasions.results``, live); and the same figures as a CSV file. Read from the rollups
(``managers.rollups``, with their definitions), each store's today computed live; the attribution
window is the rollups' (``settings.ATTRIBUTION_DAYS``), so it is not a choice."""

import csv
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role, User
from accounts.permissions import manager_or_403
from accounts.selectors import current_store, stores_of
from audit.services import record_event
from common.spreadsheet import spreadsheet_safe
from common.widgets import DatePicker
from consent.models import PurposeCode
from managers.charts import Trend, bars, trend
from managers.rollups import Week, dashboard
from occasions import results
from stores.models import Store

ALL = "all"
SHORT_PURPOSES: dict[str, Promise] = {
    PurposeCode.PROFILE.value: gettext_lazy("Profile"),
    PurposeCode.SUGGESTIONS.value: gettext_lazy("Suggestions"),
    PurposeCode.CONTACT_EMAIL.value: gettext_lazy("E-mail"),
    PurposeCode.CONTACT_SMS.value: gettext_lazy("Texts"),
    PurposeCode.CONTACT_WHATSAPP.value: gettext_lazy("WhatsApp"),
}
MAX_DAYS = 366


class PeriodForm(forms.Form):
    store = forms.ChoiceField(required=False, label=gettext_lazy("Store"))
    start = forms.DateField(label=gettext_lazy("From"), widget=DatePicker())
    end = forms.DateField(label=gettext_lazy("To"), widget=DatePicker())

    def __init__(self, *args: object, user: User, stores: list[Store], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(s.code, s.name) for s in stores]
        if user.role == Role.ADMIN or len(choices) > 1:
            choices.insert(0, (ALL, _("All my stores") if user.role != Role.ADMIN else _("The whole chain")))
        self.fields["store"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > MAX_DAYS):
            raise forms.ValidationError(
                _("Choose an end after the start, at most %(n)s days later.") % {"n": MAX_DAYS}
            )
        return data


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers see the dashboard."))


def _one_currency(stores: list[Store]) -> str:
    """The stores' currency, or "" when they use several."""
    currencies = {store.currency for store in stores}
    return currencies.pop() if len(currencies) == 1 else ""


@require_GET
@login_required
def store_dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard for a period of the stores' own days, or its CSV export (``format=csv``)."""
    user = _manager(request)
    today = timezone.localdate()
    store = current_store(request)
    initial = {"store": store.code if store else ALL, "start": today - timedelta(days=29), "end": today}
    stores = stores_of(user)
    form = PeriodForm(request.GET or None, user=user, stores=stores, initial=initial)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else initial
    chosen = [s for s in stores if data["store"] in (ALL, s.code)] or stores[:1]
    board = dashboard([s.pk for s in chosen], data["start"], data["end"] + timedelta(days=1))
    result = board.figures
    store_ids = [s.pk for s in chosen]
    occasions = results.due_and_done(store_ids, data["start"], data["end"])
    campaigns = results.campaign_results(
        store_ids,
        data["start"],
        data["end"],
        window_days=settings.ATTRIBUTION_DAYS,
        hers=None if user.role == Role.ADMIN else [s.pk for s in stores],
    )
    if request.GET.get("format") == "csv":
        return _csv(user, chosen, data, result.rows() + _occasion_rows(occasions, campaigns))
    return render(
        request,
        "managers/dashboard.html",
        {
            "form": form,
            "stores": chosen,
            # Sums of sales are in the stores' currency; stores of several currencies are not added
            # up as one amount on the page (the CSV has each figure as it is).
            "currency": _one_currency(chosen),
            "first_day": data["start"],
            "last_day": data["end"],
            "window_days": settings.ATTRIBUTION_DAYS,
            "live_days": [live.day for live in board.today],
            "f": result,
            "occasions": occasions,
            "campaigns": campaigns,
            "weeks": board.weeks,
            "trends": _trends(board.weeks, _one_currency(chosen)),
            "consent_chart": bars(
                [(str(SHORT_PURPOSES.get(p, p)), n) for p, n in result.consents.items()],
                total=result.customers,
            ),
            "funnel_chart": bars(
                [(_("Shown"), result.shown), (_("Liked"), result.liked), (_("Bought"), result.bought)],
                total=result.shown,
            ),
            "coverage_chart": bars(
                [
                    (_("Owned"), result.private_clients_assigned),
                    (_("Contacted"), result.private_clients_contacted),
                ],
                total=result.private_clients,
            ),
            "query": request.GET.urlencode(),
        },
    )


def _trends(weeks: list[Week], currency: str) -> list[Trend]:
    def of(name: str) -> list[tuple[Any, Any]]:
        return [(w.start, getattr(w, name)) for w in weeks]

    return [
        trend(_("Visits"), of("visits")),
        trend(_("Opt-ins"), of("opt_ins")),
        trend(_("Calls and messages"), of("outreach")),
        trend(_("Follow-ups done"), of("follow_ups_done")),
        trend(_("Suggestions shown"), of("shown")),
        trend(_("Suggestions bought"), of("bought")),
        trend(_("Sales after outreach"), of("outreach_sales"), money=True, currency=currency),
    ]


def _occasion_rows(
    occasions: list[results.OwnerOccasions], campaigns: list[results.CampaignResult]
) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for o in occasions:
        name = o.name if o.owner_id else "the store's queue"
        rows += [(f"occasions due for {name}", o.due), (f"occasions done by {name}", o.done)]
    for c in campaigns:
        rows += [
            (f"campaign {c.name}: clients", c.clients),
            (f"campaign {c.name}: contacted", c.done),
            (f"campaign {c.name}: orders after a contact", c.orders),
            (f"campaign {c.name}: sales after a contact", c.sales),
        ]
    return rows


def _csv(
    user: User, stores: list[Store], data: dict[str, Any], rows: list[tuple[str, object]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{data["start"]}-{data["end"]}.csv"'
    writer = csv.writer(response)
    writer.writerow(["stores", "from", "to", "figure", "value"])
    names = ", ".join(s.name for s in stores)
    for name, value in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in (names, data["start"], data["end"], name, value)])
    record_event(
        by=user,
        action="dashboard.exported",
        store_id=stores[0].pk if len(stores) == 1 else None,
        detail={"stores": [s.pk for s in stores], "from": str(data["start"]), "to": str(data["end"])},
    )
    return response
