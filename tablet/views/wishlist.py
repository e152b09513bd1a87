"""On the customer card: her wishlist, added to by the associate (or by her, from a look)."""

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import current_store
from common.http import HtmxHttpRequest, render_page
from customers.models import Customer
from outreach import looks
from outreach.card import card_outreach
from outreach.selectors import search_products, wishlist_item_of
from tablet.forms import WishlistForm
from tablet.views.base import account_for_read, customer_or_404, staff

CARD = "tablet/customer_detail.html"


def _wishlist(request: HtmxHttpRequest, customer: Customer, status: int = 200, **extra: Any) -> HttpResponse:
    if request.htmx or status != 200:
        account_for_read(request, customer, via="wishlist")
        context = {
            "customer": customer,
            "outreach": card_outreach(customer),
            "wish_form": WishlistForm(),
            **extra,
        }
        return render_page(request, f"{CARD}#wishlist", context, status=status)
    return redirect("tablet:card", public_id=customer.public_id)


@require_GET
@login_required
def wishlist_search(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    query = request.GET.get("q", "")
    return _wishlist(request, customer, wish_query=query, wish_results=search_products(query))


@require_POST
@login_required
def wishlist_add(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    form = WishlistForm(request.POST)
    if not form.is_valid():
        return _wishlist(request, customer, status=422, wish_error=_("Choose a product first."))
    try:
        looks.add_to_wishlist(
            customer=customer,
            product_id=form.cleaned_data["product"],
            by=staff(request),
            store=current_store(request),
            size=form.cleaned_data["size"],
        )
    except ValidationError as error:
        return _wishlist(request, customer, status=422, wish_error=" ".join(error.messages))
    return _wishlist(request, customer)


@require_POST
@login_required
def wishlist_remove(request: HtmxHttpRequest, public_id: UUID, item_id: int) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    item = wishlist_item_of(customer, item_id)
    if item is None:
        raise Http404("No such wishlist item.")
    looks.remove_from_wishlist(item=item, by=staff(request))
    return _wishlist(request, customer)
