"""The customer card and the actions the associate takes on it: notes, sizes, preferences, dates,
follow-ups, contacts, and feedback on suggestions."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import current_store
from catalog.selectors import product_name
from common.http import HtmxHttpRequest, render_page
from customers.models import Customer
from customers.services import add_important_date, set_preference, set_size
from relationships import services as relationship_services
from relationships.selectors import follow_up_of
from relationships.sensitive import TOPIC_LABELS
from suggestions.models import Feedback
from suggestions.services import NotSuggested, record_feedback
from tablet import forms
from tablet.panels import CARD_FORMS, card_context
from tablet.timeline import InvalidCursor, customer_timeline
from tablet.views.base import account_for_read, attach, customer_or_404, open_customer, staff

CARD = "tablet/customer_detail.html"


@require_GET
@login_required
def customer_detail(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """The customer card; an htmx request with ``cursor`` gets the next page of the timeline only."""
    customer = customer_or_404(request, public_id)
    cursor = request.GET.get("cursor")
    try:
        page = customer_timeline(customer, viewer=staff(request).pk, cursor=cursor)
    except InvalidCursor as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx and cursor:
        # A further page of a card already opened: its signed cursor came from that opening.
        return render_page(request, f"{CARD}#timeline-page", {"customer": customer, "page": page})
    # One event per opening of the card; opened from a search result, it says so.
    opening = open_customer(request, customer, via="search" if request.GET.get("via") == "search" else "")
    store = current_store(request)
    return render_page(request, CARD, {**card_context(customer, store), "page": page, "opening": opening})


@require_GET
@login_required
def card_form(request: HtmxHttpRequest, public_id: UUID, name: str) -> HttpResponse:
    """One of the card's forms, as the associate opens its panel: the form alone for htmx, a page of
    its own (with her name) without JavaScript; covered by the card's opening, or a view of its own."""
    if name not in CARD_FORMS:
        raise Http404("No such form.")
    customer = customer_or_404(request, public_id)
    account_for_read(request, customer, via=f"{name} form")
    variable, form_class, title = CARD_FORMS[name]
    context = {"customer": customer, variable: form_class(), "form_name": name, "title": title}
    if request.htmx:
        return render_page(request, f"{CARD}#{name}-form", context)
    return render_page(request, "tablet/card_form.html", context)


def _after_action(
    request: HtmxHttpRequest,
    customer: Customer,
    fragment: str,
    status: int = 200,
    *,
    done: str = "",
    **forms_in_use: Form,
) -> HttpResponse:
    """htmx: the fragment that changed, and ``done`` (what the action did) in the card's live
    region. Without JavaScript: back to the card with ``done`` as a message (or the card with
    errors)."""
    store = current_store(request)
    viewer = staff(request).pk
    if request.htmx:
        account_for_read(request, customer, via=fragment)
        context = {**card_context(customer, store, **forms_in_use), "done": done}
        if fragment in ("note", "interaction"):
            context["page"] = customer_timeline(customer, viewer=viewer)
        return render_page(request, f"{CARD}#{fragment}", context, status=status)
    if status != 200:
        context = {
            **card_context(customer, store, **forms_in_use),
            "page": customer_timeline(customer, viewer=viewer),
            "opening": open_customer(request, customer, via=fragment),
        }
        return render_page(request, CARD, context, status=status)
    if done:
        messages.success(request, done)
    return redirect("tablet:card", public_id=customer.public_id)


@require_POST
@login_required
def add_note(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Add a note; a note naming a sensitive topic comes back for confirmation first."""
    customer = customer_or_404(request, public_id)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _after_action(request, customer, "note", status=422, note_form=form)
    try:
        relationship_services.add_note(
            by=staff(request),
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
        attach(form, error)
        return _after_action(request, customer, "note", status=422, note_form=form)
    done = _("Note saved. A manager will review it.") if form.cleaned_data["confirmed"] else _("Note saved.")
    return _after_action(request, customer, "note", done=done)


@require_POST
@login_required
def add_size(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    form = forms.SizeForm(request.POST)
    if form.is_valid():
        try:
            set_size(by=staff(request), customer=customer, **form.cleaned_data)
            return _after_action(request, customer, "sizes", done=_("Size saved."))
        except ValidationError as error:
            attach(form, error)
    return _after_action(request, customer, "sizes", status=422, size_form=form)


@require_POST
@login_required
def add_preference(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    form = forms.PreferenceForm(request.POST)
    if form.is_valid():
        try:
            set_preference(by=staff(request), customer=customer, **form.cleaned_data)
            return _after_action(request, customer, "preferences", done=_("Saved."))
        except ValidationError as error:
            attach(form, error)
    return _after_action(request, customer, "preferences", status=422, preference_form=form)


@require_POST
@login_required
def add_date(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    form = forms.ImportantDateForm(request.POST)
    if form.is_valid():
        when = form.cleaned_data["date"]
        try:
            add_important_date(
                by=staff(request),
                customer=customer,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                month=when.month,
                day=when.day,
                year=when.year if form.cleaned_data["year_known"] else None,
            )
            return _after_action(request, customer, "dates", done=_("Date saved."))
        except ValidationError as error:
            attach(form, error)
    return _after_action(request, customer, "dates", status=422, date_form=form)


@require_POST
@login_required
def add_follow_up(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    store = current_store(request)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid() and store is not None:
        try:
            relationship_services.create_follow_up(
                by=staff(request), customer=customer, store=store, **form.cleaned_data
            )
            return _after_action(request, customer, "follow-ups", done=_("Follow-up added."))
        except ValidationError as error:
            attach(form, error)
    elif store is None:
        form.add_error(None, _("Choose the store you are in first."))
    return _after_action(request, customer, "follow-ups", status=422, follow_up_form=form)


@require_POST
@login_required
def complete_follow_up(request: HtmxHttpRequest, public_id: UUID, follow_up_id: int) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    follow_up = follow_up_of(customer, follow_up_id)
    if follow_up is None:
        raise Http404("No such follow-up.")
    relationship_services.complete_follow_up(by=staff(request), follow_up=follow_up)
    return _after_action(request, customer, "follow-ups", done=_("Follow-up done."))


@require_POST
@login_required
def log_interaction(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    form = forms.InteractionForm(request.POST)
    if form.is_valid():
        relationship_services.log_interaction(
            by=staff(request), customer=customer, store=current_store(request), **form.cleaned_data
        )
        return _after_action(request, customer, "interaction", done=_("Contact logged."))
    return _after_action(request, customer, "interaction", status=422, interaction_form=form)


def _feedback_done(kind: str, product_id: int) -> str:
    name = product_name(product_id)
    match kind:
        case Feedback.Kind.LIKED:
            return _("Noted: she likes “%(name)s”.") % {"name": name}
        case Feedback.Kind.DISMISSED:
            days = settings.SUGGESTIONS_DISMISS_DAYS
            return ngettext(
                "“%(name)s” is hidden from her suggestions for %(days)s day.",
                "“%(name)s” is hidden from her suggestions for %(days)s days.",
                days,
            ) % {"name": name, "days": days}
        case _:
            return _("Noted: “%(name)s” was shown to her.") % {"name": name}


@require_POST
@login_required
def suggestion_feedback(
    request: HtmxHttpRequest, public_id: UUID, product_id: int, kind: str
) -> HttpResponse:
    """Shown to her, she liked it, or not for her (which hides it from the card at once)."""
    customer = customer_or_404(request, public_id)
    if kind not in Feedback.Kind.values:
        raise Http404("No such feedback.")
    try:
        record_feedback(
            by=staff(request),
            customer=customer,
            product_id=product_id,
            kind=kind,
            store=current_store(request),
        )
    except NotSuggested:
        raise Http404("This product is not among her suggestions any more.") from None
    return _after_action(request, customer, "suggestions", done=_feedback_done(kind, product_id))
