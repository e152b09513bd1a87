"""Signing in on a shared tablet: the switch screen, PINs, the idle lock, and choosing a store."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.selectors import SESSION_KEY as STORE_SESSION_KEY
from accounts.selectors import current_store, staff_member_of, staff_with_pins, stores_of
from accounts.services import PinLocked, set_pin, verify_pin
from stores.models import Store
from stores.selectors import active_store

_COOKIE_SALT = "tablet-store"
_COOKIE_AGE = 365 * 24 * 60 * 60


def _remember_tablet_store(response: HttpResponse, store: Store) -> None:
    response.set_signed_cookie(
        settings.TABLET_COOKIE,
        str(store.pk),
        salt=_COOKIE_SALT,
        max_age=_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _tablet_store(request: HttpRequest) -> Store | None:
    try:
        store_id = request.get_signed_cookie(settings.TABLET_COOKIE, salt=_COOKIE_SALT, max_age=_COOKIE_AGE)
    except (KeyError, signing.BadSignature):
        return None
    if store_id is None or not store_id.isdigit():
        return None
    return active_store(int(store_id))


class LoginView(auth_views.LoginView):
    """Django's sign-in, which also tells this tablet which store it is in."""

    template_name = "tablet/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        store = current_store(self.request)
        if store is not None:
            _remember_tablet_store(response, store)
        return response


@require_http_methods(["GET"])
def switch(request: HttpRequest) -> HttpResponse:
    """The shared tablet's home: the store's associates, one tap and a PIN away."""
    store = _tablet_store(request)
    if store is None:
        return redirect("tablet:login")
    staff = staff_with_pins(store)
    return render(request, "tablet/switch.html", {"store": store, "staff": staff})


class PinForm(forms.Form):
    pin = forms.CharField(
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
        label="PIN",
    )


@require_http_methods(["GET", "POST"])
def enter_pin(request: HttpRequest, user_id: int) -> HttpResponse:
    """Her PIN, then she is signed in at the tablet's store."""
    store = _tablet_store(request)
    if store is None:
        return redirect("tablet:login")
    person = staff_member_of(store, user_id)
    if person is None:
        raise Http404("No such member of this store's staff.")
    form = PinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if verify_pin(user=person, pin=form.cleaned_data["pin"]):
                if request.user.is_authenticated:
                    logout(request)
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                request.session[STORE_SESSION_KEY] = store.pk
                return redirect("tablet:my-day")
            form.add_error("pin", "That PIN is not right. Try again.")
        except PinLocked as locked:
            minutes = max(1, round((locked.until - timezone.now()).total_seconds() / 60))
            form.add_error(
                "pin",
                f"Too many tries. Your PIN is locked for {minutes} minutes; sign in with your password.",
            )
        status = 403
    return render(request, "tablet/pin.html", {"store": store, "person": person, "form": form}, status=status)


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
            response = redirect("tablet:my-day")
            _remember_tablet_store(response, chosen)
            messages.success(request, f"You are working at {chosen.name}.")
            return response
    return render(request, "tablet/store_choice.html", {"stores": stores, "current": current_store(request)})


class SetPinForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    pin = forms.CharField(
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        label="New PIN",
    )


@require_http_methods(["GET", "POST"])
@login_required
def change_pin(request: HttpRequest) -> HttpResponse:
    """Choose the PIN used to switch in on the store's tablet (her password confirms it is her)."""
    assert isinstance(request.user, User)
    form = SetPinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        else:
            try:
                set_pin(by=request.user, user=request.user, pin=form.cleaned_data["pin"])
                messages.success(request, "Your PIN is set. Tap your name on the tablet to switch in.")
                return redirect("tablet:my-day")
            except ValidationError as error:
                form.add_error("pin", error.message_dict["pin"])
    return render(request, "tablet/change_pin.html", {"form": form})
