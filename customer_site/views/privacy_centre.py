"""The privacy centre: the customer's own view of everything held about her, and her controls.

She signs in with a single-use link sent to an address she holds (or straight after opting in on her
own phone). Every change she makes is recorded in the audit trail as hers.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import record_event
from common.http import client_address
from consent import delivery
from consent.models import CodeChannel, DataExport, SendAttempt
from consent.otp import Throttled, record_send_attempt
from consent.purposes import choice_text
from consent.selectors import active_purposes, current_purposes
from consent.services import apply_choices
from consent.tokens import InvalidToken, export_token, read_export_token
from customer_site.forms import ChoicesForm, EraseForm, ProfileForm, SignInForm
from customer_site.privacy_session import (
    LinkRejected,
    device_id,
    issue_link,
    privacy_session_id,
    sign_in,
    sign_out,
    signed_in_customer,
    use_link,
)
from customers.models import Customer
from customers.selectors import person_holding
from customers.services.profiles import update_profile
from privacy.export import DownloadGone, NotHers, request_export, subject_data, take_download
from privacy.selectors import latest_export
from privacy.services import request_erasure

# The newest orders and profile views the page lists; it says how many there are, and the download
# has every one.
PAGE_ROWS = 50


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"  # her data must not linger in a shared browser's cache
    return response


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    customer = signed_in_customer(request)
    if customer is None:
        return _page(request, "customer_site/sign_in.html", {"form": SignInForm()})
    return _overview(request, customer)


def _overview(request: HttpRequest, customer: Customer, **forms: Any) -> HttpResponse:
    # Her own look at what is held about her is accounted for too (her download says so).
    record_event(by=None, actor_kind="customer", action="privacy_centre.viewed", customer_id=customer.pk)
    granted = current_purposes(customer)
    data = subject_data(customer, recent=PAGE_ROWS)
    export = latest_export(customer, session=privacy_session_id(request))
    context = {
        "customer": customer,
        "data": data,
        "choices": [
            {
                "code": p.code,
                "label": choice_text(p.code, p.name, p.description)[0],
                "description": choice_text(p.code, p.name, p.description)[1],
                "granted": p.code in granted,
            }
            for p in active_purposes()
        ],
        "profile_form": forms.get("profile_form")
        or ProfileForm(
            initial={
                "given_name": customer.given_name,
                "family_name": customer.family_name,
                "preferred_name": customer.preferred_name,
                "birth_date": customer.birth_date,
            }
        ),
        "erase_form": forms.get("erase_form") or EraseForm(),
        "export": export,
        "export_link": export_token(export.token)
        if export and export.status == DataExport.Status.READY
        else None,
    }
    return _page(request, "customer_site/overview.html", context, status=forms.get("status", 200))


@require_POST
def request_link(request: HttpRequest) -> HttpResponse:
    """Send a sign-in link if the address is known; the answer is the same either way."""
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _page(request, "customer_site/sign_in.html", {"form": form}, status=422)
    kind, value = form.cleaned_data["contact"]
    try:
        attempt = record_send_attempt(
            kind=SendAttempt.Kind.PRIVACY_LINK,
            identifier=value,
            client_address=client_address(request),
            device=device_id(request),
        )
    except Throttled as throttled:
        form.add_error("contact", str(throttled))
        return _page(request, "customer_site/sign_in.html", {"form": form}, status=429)
    customer = person_holding(kind, value)
    if customer is not None:
        channel = CodeChannel.EMAIL if kind == "email" else CodeChannel.SMS
        url = issue_link(customer, channel=channel, send_attempt=attempt)
        delivery.send_privacy_link(channel=channel, to=value, url=url, language=translation.get_language())
    return _page(request, "customer_site/link_sent.html", {})


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST signs in: mail scanners that fetch links must not use them up."""
    if request.method == "GET":
        return _page(request, "customer_site/open_link.html", {"token": token})
    try:
        customer = use_link(token)
    except LinkRejected as rejected:
        return _page(
            request,
            "customer_site/problem.html",
            {"title": _("This link does not work"), "message": str(rejected), "retry_privacy": True},
            status=400,
        )
    sign_in(request, customer)
    record_event(by=None, actor_kind="customer", action="privacy_centre.signed_in", customer_id=customer.pk)
    return redirect("customer_site:privacy")


def _signed_in(
    view: Callable[[HttpRequest, Customer], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The view runs for the customer signed in to the privacy centre; anyone else goes to sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        customer = signed_in_customer(request)
        if customer is None:
            messages.info(request, _("Your session has ended. Ask for a new link to continue."))
            return redirect("customer_site:privacy")
        return view(request, customer)

    return wrapper


@require_POST
@_signed_in
def change_profile(request: HttpRequest, customer: Customer) -> HttpResponse:
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _overview(request, customer, profile_form=form, status=422)
    update_profile(by=None, actor_kind="customer", customer=customer, **form.cleaned_data)
    messages.success(request, _("Your details are saved."))
    return redirect("customer_site:privacy")


@require_POST
@_signed_in
def change_choices(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Her choices as ticked now: new ticks are granted, cleared ones withdrawn, at once everywhere."""
    form = ChoicesForm(request.POST)
    if not form.is_valid():
        return redirect("customer_site:privacy")
    apply_choices(customer=customer, wanted=form.cleaned_data["purposes"])
    messages.success(request, _("Your choices are saved. They apply at once, in every store."))
    return redirect("customer_site:privacy")


@require_POST
@_signed_in
def start_export(request: HttpRequest, customer: Customer) -> HttpResponse:
    request_export(customer, session=privacy_session_id(request))
    messages.success(
        request, _("We are preparing your download. It takes a moment; this page shows the link.")
    )
    return redirect("customer_site:privacy")


@require_GET
def export_status(request: HttpRequest) -> HttpResponse:
    """The export panel alone, which the page polls while the file is being prepared."""
    customer = signed_in_customer(request)
    if customer is None:
        raise Http404
    export = latest_export(customer, session=privacy_session_id(request))
    link = export_token(export.token) if export and export.status == DataExport.Status.READY else None
    return _page(request, "customer_site/overview.html#export", {"export": export, "export_link": link})


@require_GET
def download_export(request: HttpRequest, token: str) -> HttpResponseBase:
    """Her ZIP, once, to the privacy-centre session that asked for it; anyone else holding the link
    gets nothing (and does not use it up)."""
    try:
        export_id = read_export_token(token)
    except InvalidToken as invalid:
        problem = {
            "title": _("This download link does not work"),
            "message": str(invalid),
            "retry_privacy": True,
        }
        return _page(request, "customer_site/problem.html", problem, status=400)
    customer = signed_in_customer(request)
    try:
        if customer is None:
            raise NotHers
        content = take_download(export_id, customer=customer, session=privacy_session_id(request))
    except NotHers:
        problem = {
            "title": _("Open this link where you asked for it"),
            "message": _(
                "A download works only in the browser where you asked for it, while you are signed "
                "in to your privacy centre there."
            ),
            "retry_privacy": True,
        }
        return _page(request, "customer_site/problem.html", problem, status=403)
    except DownloadGone as gone:
        problem = {
            "title": _("This download is no longer available"),
            "message": str(gone),
            "retry_privacy": True,
        }
        return _page(request, "customer_site/problem.html", problem, status=410)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@_signed_in
def erase(request: HttpRequest, customer: Customer) -> HttpResponse:
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _overview(request, customer, erase_form=form, status=422)
    request_erasure(customer=customer, by=None, actor_kind="customer")
    sign_out(request)
    return _page(request, "customer_site/erased.html", {})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    messages.info(request, _("You are signed out of your privacy centre."))
    return redirect("customer_site:privacy")
