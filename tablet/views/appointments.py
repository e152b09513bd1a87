"""Booking, moving and cancelling appointments, and the store's day."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import current_store, staff_of
from audit.services import record_listing
from common.http import HtmxHttpRequest, render_page
from customers.models import Customer
from outreach import appointments as service
from outreach import rules
from outreach.models import Appointment, Channel, Message
from outreach.selectors import appointment_of, product_choices, store_day
from stores.models import Store
from tablet.forms import AppointmentForm, CancelAppointmentForm
from tablet.views.base import attach, customer_or_404, open_customer, staff


def _store_or_404(request: HtmxHttpRequest) -> Store:
    store = current_store(request)
    if store is None:
        raise Http404("You are not attached to a store.")
    return store


def _form(
    request: HtmxHttpRequest, customer: Customer, store: Store, *, data: Any = None, initial: Any = None
) -> AppointmentForm:
    chosen = [int(v) for v in request.POST.getlist("products") if v.isdigit()]
    if initial and "products" in initial:
        chosen += initial["products"]
    channels = rules.reachable_channels(customer)
    return AppointmentForm(
        data,
        initial=initial,
        store=store,
        team=list(staff_of(store)),
        channels=channels,
        product_choices=product_choices(customer, chosen=chosen),
    )


def _told(request: HtmxHttpRequest, told: Message | str | None) -> None:
    if isinstance(told, Message):
        now = told.send_after <= timezone.now()
        if told.channel == Channel.SMS:
            goes = (
                _("Her text message goes now.")
                if now
                else _("Her text message goes after the store's quiet hours.")
            )
        else:
            goes = _("Her e-mail goes now.") if now else _("Her e-mail goes after the store's quiet hours.")
        messages.info(request, goes)
    elif told:
        messages.warning(request, told)


@require_http_methods(["GET", "POST"])
@login_required
def book(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    store = _store_or_404(request)
    user = staff(request)
    if request.method == "GET":
        initial = AppointmentForm.initial_for(store, user)
        form = _form(request, customer, store, initial=initial)
        open_customer(request, customer, via="appointment")
        return render_page(
            request, "tablet/appointment_form.html", {"customer": customer, "form": form, "store": store}
        )
    form = _form(request, customer, store, data=request.POST)
    status = 422
    if form.is_valid():
        try:
            appointment, told = service.book_appointment(
                by=user, customer=customer, store=store, **form.appointment()
            )
        except service.SlotTaken as taken:
            form.add_error(None, str(taken))
            status = 409
        except ValidationError as error:
            attach(form, error)
        else:
            local = service.local_time(appointment)
            messages.success(
                request,
                _("Booked for %(day)s at %(time)s.")
                % {"day": formats.date_format(local, "l j F"), "time": formats.time_format(local, "H:i")},
            )
            _told(request, told)
            return redirect("tablet:card", public_id=customer.public_id)
    open_customer(request, customer, via="appointment")
    return render_page(
        request,
        "tablet/appointment_form.html",
        {"customer": customer, "form": form, "store": store},
        status=status,
    )


def _appointment_or_404(
    request: HtmxHttpRequest, public_id: UUID, appointment_id: UUID
) -> tuple[Customer, Appointment]:
    customer = customer_or_404(request, public_id)
    appointment = appointment_of(customer, appointment_id)
    if appointment is None:
        raise Http404("No such appointment.")
    return customer, appointment


@require_http_methods(["GET", "POST"])
@login_required
def move(request: HtmxHttpRequest, public_id: UUID, appointment_id: UUID) -> HttpResponse:
    customer, appointment = _appointment_or_404(request, public_id, appointment_id)
    store = appointment.store
    if request.method == "GET":
        local = service.local_time(appointment)
        initial = {
            "day": local.date(),
            "time": local.time().strftime("%H:%M"),
            "duration": int(appointment.duration.total_seconds() // 60),
            "associate": appointment.associate_id,
            "purpose": appointment.purpose,
            "note": appointment.note,
            "products": list(appointment.products.values_list("pk", flat=True)),
            "notify_by": appointment.notify_by,
            "version": appointment.version,
        }
        form = _form(request, customer, store, initial=initial)
        open_customer(request, customer, via="appointment")
        return render_page(
            request,
            "tablet/appointment_form.html",
            {
                "customer": customer,
                "form": form,
                "store": store,
                "appointment": appointment,
                "cancel_form": CancelAppointmentForm(
                    initial={"version": appointment.version, "tell_her": True}
                ),
            },
        )
    form = _form(request, customer, store, data=request.POST)
    status = 422
    if form.is_valid():
        try:
            appointment, told = service.move_appointment(
                by=staff(request),
                appointment=appointment,
                version=form.cleaned_data["version"] or 0,
                **form.appointment(),
            )
        except service.StaleAppointment as stale:
            messages.error(request, str(stale))
            return redirect("tablet:move-appointment", public_id=public_id, appointment_id=appointment_id)
        except service.SlotTaken as taken:
            form.add_error(None, str(taken))
            status = 409
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, _("The appointment is changed."))
            _told(request, told)
            return redirect("tablet:card", public_id=customer.public_id)
    context = {
        "customer": customer,
        "form": form,
        "store": store,
        "appointment": appointment,
        "cancel_form": CancelAppointmentForm(initial={"version": appointment.version, "tell_her": True}),
    }
    open_customer(request, customer, via="appointment")
    return render_page(request, "tablet/appointment_form.html", context, status=status)


@require_POST
@login_required
def cancel(request: HtmxHttpRequest, public_id: UUID, appointment_id: UUID) -> HttpResponse:
    customer, appointment = _appointment_or_404(request, public_id, appointment_id)
    form = CancelAppointmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("tablet:move-appointment", public_id=public_id, appointment_id=appointment_id)
    try:
        _cancelled, told = service.cancel_appointment(
            by=staff(request),
            appointment=appointment,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            tell_her=form.cleaned_data["tell_her"],
        )
    except service.StaleAppointment as stale:
        messages.error(request, str(stale))
        return redirect("tablet:card", public_id=customer.public_id)
    messages.success(request, _("The appointment is cancelled."))
    _told(request, told)
    return redirect("tablet:card", public_id=customer.public_id)


@require_GET
@login_required
def day_view(request: HtmxHttpRequest) -> HttpResponse:
    """The store's appointments on one day, by time, with who sees whom."""
    store = _store_or_404(request)
    today = timezone.now().astimezone(ZoneInfo(store.timezone)).date()
    try:
        day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
    except ValueError:
        day = today
    slots = store_day(staff(request), store, day)
    record_listing(
        by=staff(request),
        page="store day",
        customer_ids=[s.appointment.customer_id for s in slots if s.visible],
        store_id=store.pk,
    )
    associates = sorted({s.appointment.associate for s in slots}, key=lambda u: u.first_name)
    return render_page(
        request,
        "tablet/day.html",
        {
            "store": store,
            "day": day,
            "today": today,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "slots": slots,
            "associates": associates,
        },
    )
