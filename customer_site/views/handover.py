"""Starting and leaving hand-over mode on an associate's tablet."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.devices import device_of
from accounts.models import User
from accounts.selectors import current_store, staff_member
from accounts.services import PinLocked, verify_pin
from audit.services import record_event
from customer_site import handover


class LeaveForm(forms.Form):
    pin = forms.CharField(
        label=gettext_lazy("Associate's PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )


@require_POST
@login_required
def start(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    store = current_store(request)
    if store is None:
        return redirect("tablet:store")
    handover.start(request, store=store, by=request.user)
    record_event(by=request.user, action="consent.hand_over_started", store_id=store.pk)
    return redirect("customer_site:join-assisted")


@require_http_methods(["GET", "POST"])
@login_required
def leave(request: HttpRequest) -> HttpResponse:
    """Back to the associate's screens, with the PIN of whoever started hand-over."""
    state = handover.current(request)
    if state is None:
        return redirect("tablet:my-day")
    person = staff_member(state.by_user_id)
    form = LeaveForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if verify_pin(user=person, pin=form.cleaned_data["pin"], device=device_of(request)):
                handover.end(request)
                record_event(by=person, action="consent.hand_over_ended", store_id=state.store_id)
                return redirect("tablet:my-day")
            form.add_error("pin", _("That PIN is not right."))
        except PinLocked as locked:
            minutes = max(1, round((locked.until - timezone.now()).total_seconds() / 60))
            form.add_error(
                "pin",
                _(
                    "Too many tries: the PIN is locked for %(minutes)d minutes. "
                    "Sign out and sign in with a password."
                )
                % {"minutes": minutes},
            )
        status = 403
    return render(
        request, "customer_site/leave_hand_over.html", {"form": form, "person": person}, status=status
    )
