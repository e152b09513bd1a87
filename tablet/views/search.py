"""Finding a customer: a name, e-mail, phone or loyalty number typed in, or her membership QR scanned."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.selectors import current_store
from audit.services import record_listing
from common.http import HtmxHttpRequest, render_page
from common.permissions_policy import permits
from consent.selectors import get_visible_customer
from customers.membership import InvalidMembershipCode, read_membership_code
from customers.models import Customer
from tablet.search import search_customers, with_details
from tablet.views.base import staff


@require_http_methods(["GET", "POST"])
@login_required
def customer_search(request: HtmxHttpRequest) -> HttpResponse:
    """Find a customer; htmx requests get the results list only. What was typed (a name, an e-mail, a
    phone number) travels in the body of a POST, never in the URL, where access logs, proxies and
    the browser's history would keep it out of reach of erasure. A GET shows the empty search."""
    query = request.POST.get("q", "") if request.method == "POST" else ""
    store = current_store(request)
    results = with_details(search_customers(staff(request), query, store=store), store)
    record_listing(
        by=staff(request),
        page="search",
        customer_ids=[result.customer.pk for result in results],
        store_id=store.pk if store else None,
    )
    template = f"tablet/customer_list.html{'#results' if request.htmx else ''}"
    return render_page(request, template, {"query": query, "results": results, "store": store})


@require_http_methods(["GET", "POST"])
@login_required
@permits(camera=["self"])  # the only page that may use the camera
def scan(request: HtmxHttpRequest) -> HttpResponse:
    """Scan her membership QR with the camera; a scanned code (sent in a POST body, never in a URL)
    opens her card."""
    code = request.POST.get("code", "") if request.method == "POST" else ""
    error = ""
    if code:
        try:
            public_id = read_membership_code(code)
            customer = get_visible_customer(staff(request), public_id)
            return redirect("tablet:card", public_id=customer.public_id)
        except InvalidMembershipCode:
            error = _("This code was not issued by this store's membership programme.")
        except Customer.DoesNotExist:
            error = _("This membership is not active here: the customer may have withdrawn her consent.")
    return render_page(request, "tablet/scan.html", {"error": error}, status=400 if error else 200)
