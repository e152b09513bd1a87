"""Occasions on My day: done, a call logged, snoozed or dismissed with a reason, each in one tap;
htmx redraws the list, without JavaScript the page comes back."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import current_store, stores_of
from audit.services import record_listing
from common.http import HtmxHttpRequest, render_page
from occasions import actions, selectors
from occasions.models import Occasion
from tablet.views.base import staff


def _occasion_or_404(request: HtmxHttpRequest, occasion_id: int) -> Occasion:
    found = selectors.open_occasion([s.pk for s in stores_of(staff(request))], occasion_id)
    if found is None:
        raise Http404("No such occasion, or it is closed already.")
    return found


def _list(request: HtmxHttpRequest) -> HttpResponse:
    if not request.htmx:
        return redirect("tablet:my-day")
    store = current_store(request)
    today = timezone.localdate()
    rows = selectors.for_my_day(staff(request), store, today)
    record_listing(
        by=staff(request),
        page="my day",
        customer_ids=[row.occasion.customer_id for row in rows],
        store_id=store.pk if store else None,
    )
    context = {"store": store, **selectors.context(rows, today)}
    return render_page(request, "tablet/my_day.html#occasions", context)


@require_POST
@login_required
def done(request: HtmxHttpRequest, occasion_id: int) -> HttpResponse:
    actions.done(by=staff(request), occasion=_occasion_or_404(request, occasion_id))
    return _list(request)


@require_POST
@login_required
def call(request: HtmxHttpRequest, occasion_id: int) -> HttpResponse:
    actions.log_call(by=staff(request), occasion=_occasion_or_404(request, occasion_id))
    return _list(request)


@require_POST
@login_required
def snooze(request: HtmxHttpRequest, occasion_id: int) -> HttpResponse:
    days = request.POST.get("days", "")
    if not days.isdigit() or int(days) not in actions.SNOOZE_DAYS:
        raise Http404("Snooze for 1, 3 or 7 days.")
    actions.snooze(by=staff(request), occasion=_occasion_or_404(request, occasion_id), days=int(days))
    return _list(request)


@require_POST
@login_required
def dismiss(request: HtmxHttpRequest, occasion_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    if reason not in Occasion.Dismissal.values:
        raise Http404("Not a reason to dismiss.")
    actions.dismiss(by=staff(request), occasion=_occasion_or_404(request, occasion_id), reason=reason)
    return _list(request)
