"""Signing in: with a password on any device (throttled per account), or, on a tablet a manager
enrolled, by tapping one's name and entering a PIN; the idle lock, and choosing a store."""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.devices import device_of
from accounts.models import User
from accounts.selectors import SESSION_KEY as STORE_SESSION_KEY
from accounts.selectors import current_store, staff_member_of, staff_with_pins, stores_of
from accounts.services import PinLocked, set_pin, verify_pin


class LoginView(auth_views.LoginView):
    """Django's sign-in (throttled per account by django-axes). On an enrolled tablet she works at
    the tablet's store, if it is one of hers."""

    template_name = "tablet/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        device = device_of(self.request)
        user = form.get_user()
        if device is not None and any(store.pk == device.store_id for store in stores_of(user)):
            self.request.session[STORE_SESSION_KEY] = device.store_id
        return response


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' answer once an account has had too many wrong passwords (the tablet's form and
    the admin's): a 429 that says what to do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "tablet/locked_out.html", {"minutes": minutes}, status=429)


@require_http_methods(["GET"])
def switch(request: HttpRequest) -> HttpResponse:
    """The shared tablet's home: the store's associates, one tap and a PIN away. Only an enrolled
    tablet offers it; any other device signs in with a password."""
    device = device_of(request)
    if device is None:
        return redirect("tablet:login")
    staff = staff_with_pins(device.store)
    return render(request, "tablet/switch.html", {"store": device.store, "device": device, "staff": staff})


class PinForm(forms.Form):
    pin = forms.CharField(
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
        label=gettext_lazy("PIN"),
    )


@require_http_methods(["GET", "POST"])
def enter_pin(request: HttpRequest, user_id: int) -> HttpResponse:
    """Her PIN, on an enrolled tablet, then she is signed in at the tablet's store."""
    device = device_of(request)
    if device is None:
        return redirect("tablet:login")
    store = device.store
    person = staff_member_of(store, user_id)
    if person is None:
        raise Http404("No such member of this store's staff.")
    form = PinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if verify_pin(user=person, pin=form.cleaned_data["pin"], device=device):
                if request.user.is_authenticated:
                    logout(request)
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                request.session[STORE_SESSION_KEY] = store.pk
                return redirect("tablet:my-day")
            form.add_error("pin", _("That PIN is not right. Try again."))
        except PinLocked as locked:
            form.add_error("pin", _lock_message(locked))
        status = 403
    return render(request, "tablet/pin.html", {"store": store, "person": person, "form": form}, status=status)


def _lock_message(locked: PinLocked) -> str:
    left = locked.until - timezone.now()
    if left <= timedelta(hours=2):
        minutes = max(1, round(left.total_seconds() / 60))
        if locked.on_tablet:
            message = ngettext(
                "Too many wrong PINs: PIN sign-in on this tablet is locked for %(n)s minute.",
                "Too many wrong PINs: PIN sign-in on this tablet is locked for %(n)s minutes.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many wrong PINs: your PIN is locked for %(n)s minute.",
                "Too many wrong PINs: your PIN is locked for %(n)s minutes.",
                minutes,
            )
        return f"{message % {'n': minutes}} {_('Sign in with your password.')}"
    until = formats.date_format(timezone.localtime(locked.until), "l H:i")
    if locked.on_tablet:
        message = _("Too many wrong PINs: PIN sign-in on this tablet is locked until %(until)s.")
    else:
        message = _("Too many wrong PINs: your PIN is locked until %(until)s.")
    return f"{message % {'until': until}} {_('Sign in with your password.')}"


@require_POST
def lock(request: HttpRequest) -> HttpResponse:
    """Lock the tablet now: sign out and go back to the switch screen."""
    logout(request)
    return redirect("tablet:switch")


@require_http_methods(["GET", "POST"])
@login_required
def choose_store(request: HttpRequest) -> HttpResponse:
    """For staff who work in several stores: which one is she in today?"""
    assert isinstance(request.user, User)
    stores = stores_of(request.user)
    if request.method == "POST":
        chosen = next((s for s in stores if str(s.pk) == request.POST.get("store")), None)
        if chosen is not None:
            request.session[STORE_SESSION_KEY] = chosen.pk
            messages.success(request, _("You are working at %(store)s.") % {"store": chosen.name})
            return redirect("tablet:my-day")
    return render(request, "tablet/store_choice.html", {"stores": stores, "current": current_store(request)})


class SetPinForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label=gettext_lazy("Password")
    )
    pin = forms.CharField(
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        label=gettext_lazy("New PIN"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def change_pin(request: HttpRequest) -> HttpResponse:
    """Choose the PIN used to switch in on the store's tablet (her password confirms it is her)."""
    assert isinstance(request.user, User)
    form = SetPinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("That is not your password."))
        else:
            try:
                set_pin(by=request.user, user=request.user, pin=form.cleaned_data["pin"])
                messages.success(request, _("Your PIN is set. Tap your name on the tablet to switch in."))
                return redirect("tablet:my-day")
            except ValidationError as error:
                form.add_error("pin", error.message_dict["pin"])
    return render(request, "tablet/change_pin.html", {"form": form})
