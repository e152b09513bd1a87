"""Starting and leaving hand-over mode on an associate's tablet.

No way in without a way out: an associate without a PIN sets one as she starts (her password
confirms it is her), and leaving takes her PIN, or her password, or the PIN of a manager of the
store; signing out ends it too."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.devices import device_of
from accounts.models import Role, User
from accounts.selectors import current_store, staff_member, staff_with_pins
from accounts.services import PinLocked, set_pin, verify_pin
from audit.services import record_event
from customer_site import handover

PIN_WIDGET = forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class FirstPinForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    pin = forms.CharField(label=gettext_lazy("Choose a PIN (4 to 8 digits)"), max_length=8, widget=PIN_WIDGET)


class LeaveForm(forms.Form):
    """Her PIN; or her password; or a manager of the store and that manager's PIN."""

    pin = forms.CharField(
        label=gettext_lazy("Associate's PIN"),
        max_length=8,
        required=False,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    manager = forms.TypedChoiceField(label=gettext_lazy("Manager"), coerce=int, required=False, choices=())
    manager_pin = forms.CharField(
        label=gettext_lazy("Manager's PIN"), max_length=8, required=False, widget=PIN_WIDGET
    )

    def __init__(self, *args: object, managers: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["manager"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(m.pk, m.get_full_name() or m.username) for m in managers]
        self.managers = {m.pk: m for m in managers}

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("pin") or data.get("password") or data.get("manager_pin")):
            raise ValidationError(_("Enter your PIN, your password, or a manager's PIN."))
        if data.get("manager_pin") and not data.get("manager"):
            self.add_error("manager", _("Choose the manager whose PIN this is."))
        return data


@require_POST
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Hand the tablet to a customer; an associate without a PIN chooses one first, in the same step."""
    assert isinstance(request.user, User)
    store = current_store(request)
    if store is None:
        return redirect("tablet:store")
    if not request.user.pin_hash:
        form = FirstPinForm(request.POST if "pin" in request.POST else None)
        if form.is_valid():
            if not request.user.check_password(form.cleaned_data["password"]):
                form.add_error("password", _("That is not your password."))
            else:
                try:
                    set_pin(by=request.user, user=request.user, pin=form.cleaned_data["pin"])
                except ValidationError as error:
                    form.add_error("pin", error.message_dict["pin"])
        if not request.user.pin_hash:
            status = 400 if form.is_bound else 200
            return render(request, "customer_site/pin_first.html", {"form": form}, status=status)
    handover.start(request, store=store, by=request.user)
    record_event(by=request.user, action="consent.hand_over_started", store_id=store.pk)
    return redirect("customer_site:join-assisted")


@require_http_methods(["GET", "POST"])
@login_required
def leave(request: HttpRequest) -> HttpResponse:
    """Back to the associate's screens: her PIN, her password, or a store manager's PIN."""
    state = handover.current(request)
    if state is None:
        return redirect("tablet:my-day")
    person = staff_member(state.by_user_id)
    store = current_store(request)
    managers = list(staff_with_pins(store).filter(role=Role.MANAGER)) if store else []
    form = LeaveForm(request.POST if request.method == "POST" else None, managers=managers)
    status = 200
    if request.method == "POST":
        status = 403
        if form.is_valid():
            who = _who_ends_it(request, form, person)
            if who is not None:
                handover.end(request)
                record_event(
                    by=who,
                    action="consent.hand_over_ended",
                    store_id=state.store_id,
                    detail={"started_by": person.pk} if who.pk != person.pk else {},
                )
                return redirect("tablet:my-day")
        else:
            status = 400
    return render(
        request,
        "customer_site/leave_hand_over.html",
        {"form": form, "person": person, "managers": managers},
        status=status,
    )


def _who_ends_it(request: HttpRequest, form: LeaveForm, person: User) -> User | None:
    """Who the form proves is here (the associate, or a manager), else None with the form's error."""
    data = form.cleaned_data
    device = device_of(request)
    try:
        if data["pin"]:
            if verify_pin(user=person, pin=data["pin"], device=device):
                return person
            form.add_error("pin", _("That PIN is not right."))
        elif data["password"]:
            # Through the sign-in's backends, so wrong passwords count towards its lockout (axes).
            if authenticate(request, username=person.username, password=data["password"]) is not None:
                return person
            form.add_error("password", _("That is not your password."))
        else:
            manager = form.managers[data["manager"]]
            if verify_pin(user=manager, pin=data["manager_pin"], device=device):
                return manager
            form.add_error("manager_pin", _("That PIN is not right."))
    except PinLocked as locked:
        minutes = max(1, round((locked.until - timezone.now()).total_seconds() / 60))
        form.add_error(
            None,
            _("Too many tries: PINs are locked for %(minutes)d minutes. Use your password, or sign out.")
            % {"minutes": minutes},
        )
    return None
