from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.selectors import current_store
from audit.services import record_listing
from tablet.my_day import build_my_day


@require_GET
@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """The associate's start page: follow-ups due, occasions this week, top clients to contact."""
    assert isinstance(request.user, User)
    store = current_store(request)
    day = build_my_day(request.user, store=store)
    record_listing(
        by=request.user, page="my day", customer_ids=day.customer_ids(), store_id=store.pk if store else None
    )
    return render(request, "tablet/my_day.html", {"day": day, "store": store})
