"""Posters for managers to print: a QR code per collection point, with a plain-language invitation."""

import io

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.permissions import manager_or_403
from accounts.selectors import stores_of
from common.http import absolute_url
from consent.tokens import collection_point_token
from stores.models import CollectionPoint
from stores.selectors import collection_point_in, collection_points_of


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers print opt-in posters."))


def join_url(point: CollectionPoint) -> str:
    return absolute_url(reverse("customer_site:join", args=[collection_point_token(point.pk)]))


@require_GET
@login_required
def poster_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    points = collection_points_of(stores_of(user)).order_by("store__name", "name")
    return render(request, "managers/poster_list.html", {"points": points})


@require_GET
@login_required
def poster(request: HttpRequest, point_id: int) -> HttpResponse:
    """A printable A4 page (print it, or save it as PDF from the browser's print dialog)."""
    user = _manager(request)
    point = collection_point_in(stores_of(user), point_id)
    if point is None:
        raise Http404("No such collection point in your stores.")
    url = join_url(point)
    buffer = io.BytesIO()
    segno.make_qr(url, error="q").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, title="Scan to join", unit="mm"
    )
    return render(
        request, "managers/poster.html", {"point": point, "url": url, "qr_svg": buffer.getvalue().decode()}
    )
