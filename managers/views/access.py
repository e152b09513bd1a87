"""Managers' view of the audit trail: unusual access in their stores, one associate's trail, and
everything recorded about one customer. Reading the trail is itself an access, but of ids and
field names only; the pages name a customer only when the manager may see her."""

from datetime import timedelta
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.permissions import manager_or_403
from audit.services import record_event, record_listing
from consent.selectors import get_visible_customer, visible_among
from customers.models import Customer
from managers import audit_trail

PAGE_SIZE = 50
PERIODS = {"1": 1, "7": 7, "30": 30}


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers read the audit trail."))


@require_GET
@login_required
def access_review(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    days = PERIODS.get(request.GET.get("days", ""), 7)
    since = timezone.now() - timedelta(days=days)
    return render(
        request,
        "managers/access_review.html",
        {
            "days": days,
            "periods": PERIODS,
            "busy": audit_trail.busy_hours(user, since=since),
            "outside": audit_trail.outside_access(user, since=since),
            "team": audit_trail.active_team(user),
        },
    )


@require_GET
@login_required
def staff_trail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _manager(request)
    member = audit_trail.team_member(user, user_id)
    if member is None:
        raise Http404("No such member of your stores' staff.")
    page = Paginator(audit_trail.events_by(user, member), PAGE_SIZE).get_page(request.GET.get("page"))
    visible = visible_among(user, {e.customer_id for e in page if e.customer_id})
    record_listing(by=user, page="staff trail", customer_ids=visible)
    return render(request, "managers/staff_trail.html", {"member": member, "page": page, "visible": visible})


@require_GET
@login_required
def customer_trail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _manager(request)
    try:
        customer = get_visible_customer(user, public_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer, or she does not consent to be seen.") from None
    page = Paginator(audit_trail.events_about(user, customer), PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(by=user, action="customer.viewed", customer_id=customer.pk, detail={"via": "audit trail"})
    return render(request, "managers/customer_trail.html", {"customer": customer, "page": page})
