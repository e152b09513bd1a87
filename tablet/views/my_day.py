from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.selectors import current_store
from tablet.my_day import build_my_day


@require_GET
@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """The associate's start page: follow-ups due, occasions this week, top clients to contact."""
    assert isinstance(request.user, User)
    store = current_store(request)
    return render(
        request, "tablet/my_day.html", {"day": build_my_day(request.user, store=store), "store": store}
    )
