from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.selectors import current_store
from audit.services import record_listing
from occasions import selectors as occasions
from tablet.my_day import build_my_day


@require_GET
@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """The associate's start page: whom to contact and why (her occasions, then the store's queue's,
    then her colleagues': birthdays, important dates and top clients to keep in touch with among
    them); her appointments today, messages not delivered, follow-ups due, and whom she viewed last."""
    assert isinstance(request.user, User)
    store = current_store(request)
    day = build_my_day(request.user, store=store)
    rows = occasions.for_my_day(request.user, store, day.today)
    named = day.customer_ids() | {row.occasion.customer_id for row in rows}
    record_listing(by=request.user, page="my day", customer_ids=named, store_id=store.pk if store else None)
    context = {"day": day, "store": store, **occasions.context(rows, day.today)}
    return render(request, "tablet/my_day.html", context)
