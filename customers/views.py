"""The associate's customer pages: search, the card, and the actions she takes on it."""

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.selectors import current_store
from audit.services import record_event
from common.http import HtmxHttpRequest
from customers import forms
from customers.card import build_card
from customers.membership import InvalidMembershipCode, read_membership_code
from customers.models import Customer
from customers.search import search_customers
from customers.selectors import get_visible_customer
from customers.services import add_important_date, set_preference, set_size
from customers.timeline import InvalidCursor, customer_timeline
from outreach.forms import WishlistForm, message_context
from outreach.selectors import card_outreach
from relationships import services as relationship_services
from relationships.models import FollowUp
from relationships.sensitive import TOPIC_LABELS
from suggestions.models import Feedback
from suggestions.selectors import card_suggestions
from suggestions.services import NotSuggested, record_feedback

CARD = "customers/customer_detail.html"


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _customer_or_404(request: HttpRequest, public_id: UUID) -> Customer:
    try:
        return get_visible_customer(_staff(request), public_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer, or she has not agreed to be seen.") from None


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def customer_search(request: HtmxHttpRequest) -> HttpResponse:
    """Find a customer; htmx requests get the results list only."""
    query = request.GET.get("q", "")
    store = current_store(request)
    results = search_customers(_staff(request), query, store=store)
    template = f"customers/customer_list.html{'#results' if request.htmx else ''}"
    return _render(request, template, {"query": query, "results": results, "store": store})


@require_GET
@login_required
def scan(request: HtmxHttpRequest) -> HttpResponse:
    """Scan her membership QR with the camera; a scanned code opens her card."""
    code = request.GET.get("code", "")
    error = ""
    if code:
        try:
            public_id = read_membership_code(code)
            customer = get_visible_customer(_staff(request), public_id)
            return redirect("customers:detail", public_id=customer.public_id)
        except InvalidMembershipCode as invalid:
            error = str(invalid)
        except Customer.DoesNotExist:
            error = "This membership is not active here: the customer may have withdrawn her consent."
    return _render(request, "customers/scan.html", {"error": error}, status=400 if error else 200)


@require_GET
@login_required
def customer_detail(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """The customer card; an htmx request with ``cursor`` gets the next page of the timeline only."""
    customer = _customer_or_404(request, public_id)
    cursor = request.GET.get("cursor")
    try:
        page = customer_timeline(customer, cursor=cursor)
    except InvalidCursor as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx and cursor:
        return _render(request, f"{CARD}#timeline-page", {"customer": customer, "page": page})
    store = current_store(request)
    # One event per opening of the card (the timeline's further pages above are not openings);
    # opened from a search result, it says so.
    record_event(
        by=_staff(request),
        action="customer.viewed",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"via": "search"} if request.GET.get("via") == "search" else None,
    )
    return _render(request, CARD, {**_card_context(customer, store), "page": page})


def _card_context(customer: Customer, store: Any, **forms_in_use: Form) -> dict[str, Any]:
    card = build_card(customer, store=store)
    return {
        "card": card,
        "suggestions": card_suggestions(
            customer, purposes=card.purposes, sizes=card.sizes, dislikes=card.dislikes
        ),
        "customer": customer,
        "note_form": forms.NoteForm(),
        "size_form": forms.SizeForm(),
        "preference_form": forms.PreferenceForm(),
        "date_form": forms.ImportantDateForm(),
        "follow_up_form": forms.FollowUpForm(),
        "interaction_form": forms.InteractionForm(),
        "outreach": card_outreach(customer),
        "wish_form": WishlistForm(),
        **message_context(customer, store),
        **forms_in_use,
    }


def _after_action(
    request: HtmxHttpRequest, customer: Customer, fragment: str, status: int = 200, **forms_in_use: Form
) -> HttpResponse:
    """htmx: the fragment that changed. Without JavaScript: back to the card (or the card with errors)."""
    store = current_store(request)
    if request.htmx:
        context = _card_context(customer, store, **forms_in_use)
        if fragment in ("note", "interaction"):
            context["page"] = customer_timeline(customer)
        return _render(request, f"{CARD}#{fragment}", context, status=status)
    if status != 200:
        context = {**_card_context(customer, store, **forms_in_use), "page": customer_timeline(customer)}
        return _render(request, CARD, context, status=status)
    return redirect("customers:detail", public_id=customer.public_id)


def _attach(form: Form, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@require_POST
@login_required
def add_note(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Add a note; a note naming a sensitive topic comes back for confirmation first."""
    customer = _customer_or_404(request, public_id)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _after_action(request, customer, "note", status=422, note_form=form)
    try:
        relationship_services.add_note(
            by=_staff(request),
            customer=customer,
            store=current_store(request),
            body=form.cleaned_data["body"],
            confirmed=form.cleaned_data["confirmed"],
        )
    except relationship_services.SensitiveContent as sensitive:
        confirm = forms.NoteForm(initial={"body": form.cleaned_data["body"], "confirmed": True})
        confirm.sensitive_labels = [str(TOPIC_LABELS[t]) for t in sensitive.finding.topics]  # type: ignore[attr-defined]
        return _after_action(request, customer, "note", status=409, note_form=confirm)
    except ValidationError as error:
        _attach(form, error)
        return _after_action(request, customer, "note", status=422, note_form=form)
    return _after_action(request, customer, "note")


@require_POST
@login_required
def add_size(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = _customer_or_404(request, public_id)
    form = forms.SizeForm(request.POST)
    if form.is_valid():
        try:
            set_size(by=_staff(request), customer=customer, **form.cleaned_data)
            return _after_action(request, customer, "sizes")
        except ValidationError as error:
            _attach(form, error)
    return _after_action(request, customer, "sizes", status=422, size_form=form)


@require_POST
@login_required
def add_preference(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = _customer_or_404(request, public_id)
    form = forms.PreferenceForm(request.POST)
    if form.is_valid():
        try:
            set_preference(by=_staff(request), customer=customer, **form.cleaned_data)
            return _after_action(request, customer, "preferences")
        except ValidationError as error:
            _attach(form, error)
    return _after_action(request, customer, "preferences", status=422, preference_form=form)


@require_POST
@login_required
def add_date(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = _customer_or_404(request, public_id)
    form = forms.ImportantDateForm(request.POST)
    if form.is_valid():
        when = form.cleaned_data["date"]
        try:
            add_important_date(
                by=_staff(request),
                customer=customer,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                month=when.month,
                day=when.day,
                year=when.year if form.cleaned_data["year_known"] else None,
            )
            return _after_action(request, customer, "dates")
        except ValidationError as error:
            _attach(form, error)
    return _after_action(request, customer, "dates", status=422, date_form=form)


@require_POST
@login_required
def add_follow_up(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = _customer_or_404(request, public_id)
    store = current_store(request)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid() and store is not None:
        try:
            relationship_services.create_follow_up(
                by=_staff(request), customer=customer, store=store, **form.cleaned_data
            )
            return _after_action(request, customer, "follow-ups")
        except ValidationError as error:
            _attach(form, error)
    elif store is None:
        form.add_error(None, "Choose the store you are in first.")
    return _after_action(request, customer, "follow-ups", status=422, follow_up_form=form)


@require_POST
@login_required
def complete_follow_up(request: HtmxHttpRequest, public_id: UUID, follow_up_id: int) -> HttpResponse:
    customer = _customer_or_404(request, public_id)
    follow_up = get_object_or_404(FollowUp, pk=follow_up_id, customer=customer)
    relationship_services.complete_follow_up(by=_staff(request), follow_up=follow_up)
    return _after_action(request, customer, "follow-ups")


@require_POST
@login_required
def log_interaction(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = _customer_or_404(request, public_id)
    form = forms.InteractionForm(request.POST)
    if form.is_valid():
        relationship_services.log_interaction(
            by=_staff(request), customer=customer, store=current_store(request), **form.cleaned_data
        )
        return _after_action(request, customer, "interaction")
    return _after_action(request, customer, "interaction", status=422, interaction_form=form)


@require_POST
@login_required
def suggestion_feedback(
    request: HtmxHttpRequest, public_id: UUID, product_id: int, kind: str
) -> HttpResponse:
    """Shown to her, she liked it, or not for her (which hides it from the card at once)."""
    customer = _customer_or_404(request, public_id)
    if kind not in Feedback.Kind.values:
        raise Http404("No such feedback.")
    try:
        record_feedback(
            by=_staff(request),
            customer=customer,
            product_id=product_id,
            kind=kind,
            store=current_store(request),
        )
    except NotSuggested:
        raise Http404("This product is not among her suggestions any more.") from None
    return _after_action(request, customer, "suggestions")
