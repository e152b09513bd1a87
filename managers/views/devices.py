"""Tablets and sign-in: the stores' enrolled tablets (enrol this one, revoke a lost one), and staff
locked out of signing in (unlock them)."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import devices
from accounts.models import User
from accounts.permissions import manager_or_403
from accounts.selectors import colleagues_of, device_for, devices_of, locked_colleagues, stores_of
from accounts.services import unlock_sign_in
from stores.models import Store


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers enrol tablets and unlock sign-ins."))


class EnrolForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label=gettext_lazy("Name this tablet"),
        help_text=gettext_lazy("Say, “Till 1” or “Fitting rooms”."),
    )
    store = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Store"))

    def __init__(self, *args: Any, stores: list[Store], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["store"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(store.pk, store.name) for store in stores]


def _page(request: HttpRequest, user: User, form: EnrolForm | None = None, status: int = 200) -> HttpResponse:
    stores = stores_of(user)
    context = {
        "this_tablet": devices.device_of(request),
        "devices": devices_of(user)[:100],
        "locked": locked_colleagues(user),
        "now": timezone.now(),
        "form": form or EnrolForm(stores=stores, initial={"store": stores[0].pk if stores else None}),
    }
    return render(request, "managers/devices.html", context, status=status)


@require_GET
@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    return _page(request, _manager(request))


@require_POST
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol the tablet this request comes from (re-enrolling it revokes its old enrolment)."""
    user = _manager(request)
    stores = stores_of(user)
    form = EnrolForm(request.POST, stores=stores)
    if not form.is_valid():
        return _page(request, user, form, status=422)
    store = next(s for s in stores if s.pk == form.cleaned_data["store"])
    try:
        enrolment = devices.enrol_device(
            by=user, store=store, name=form.cleaned_data["name"], replacing=devices.device_of(request)
        )
    except ValidationError as error:
        form.add_error("name", error.message_dict["name"])
        return _page(request, user, form, status=422)
    messages.success(
        request,
        _("This tablet is enrolled for %(store)s as “%(name)s”.")
        % {"store": store.name, "name": enrolment.device.name},
    )
    response = redirect("managers:devices")
    devices.remember(response, enrolment)
    return response


@require_POST
@login_required
def revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _manager(request)
    device = device_for(user, public_id)
    if device is None:
        raise Http404("No such tablet in your stores.")
    if devices.revoke_device(by=user, device=device):
        messages.success(
            request, _("“%(name)s” is revoked: it no longer offers PIN sign-in.") % {"name": device.name}
        )
    return redirect("managers:devices")


@require_POST
@login_required
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _manager(request)
    member = colleagues_of(user).filter(pk=user_id).first()
    if member is None:
        raise Http404("No such member of your stores' staff.")
    unlock_sign_in(by=user, user=member)
    messages.success(
        request, _("%(name)s can sign in again.") % {"name": member.get_full_name() or member.username}
    )
    return redirect("managers:devices")
