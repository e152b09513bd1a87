"""Opting in on the customer's own phone (from a poster's QR code) or on a tablet handed to her.

Nothing about her is stored on the server until she has proved her address with the one-time code:
until then, what she typed travels in a signed form field on her own screen.
"""

import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from common.http import client_address
from consent import delivery
from consent.models import CodeChannel, Method
from consent.optin import OptIn, complete_opt_in
from consent.otp import CodeRejected, Throttled, check_code, issue_code
from consent.policy import current_policy, policy_sections
from consent.purposes import choice_text
from consent.selectors import receipt_events
from consent.tokens import InvalidToken, read_collection_point_token
from customer_site import handover
from customer_site.forms import CodeForm, OptInForm, purpose_choices
from customer_site.privacy_session import device_id, sign_in
from customers.membership import membership_qr_svg
from stores.models import CollectionPoint, Store
from stores.selectors import active_collection_point, collection_point, collection_point_of, store_by_id

logger = logging.getLogger(__name__)

_STATE_SALT = "consent.optin-state"
RECEIPT_SESSION_KEY = "optin_receipt"


@dataclass(frozen=True)
class State:
    """The opt-in so far, signed into the verification form (never stored server-side)."""

    store: int
    collection_point: int | None
    purposes: list[str]
    kind: str
    identifier: str
    given_name: str
    family_name: str
    code_id: int

    def sign(self) -> str:
        return signing.dumps(asdict(self), salt=_STATE_SALT, compress=True)

    @classmethod
    def load(cls, signed: str) -> "State":
        max_age = (settings.OTP_TTL_MINUTES + 5) * 60
        return cls(**signing.loads(signed, salt=_STATE_SALT, max_age=max_age))


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "customer_site/problem.html", {"title": title, "message": message}, status=status)


def _channel(kind: str) -> str:
    return CodeChannel.EMAIL if kind == "email" else CodeChannel.SMS


def _send_code(request: HttpRequest, kind: str, identifier: str) -> int:
    """Issue a code (``Throttled`` past the limits), send it in her language; the code's id."""
    # In hand-over mode, the staff tablet serves customer after customer: it is no one device.
    device = None if handover.current(request) is not None else device_id(request)
    issued = issue_code(
        channel=_channel(kind), identifier=identifier, client_address=client_address(request), device=device
    )
    delivery.send_code(
        channel=_channel(kind), to=identifier, code=issued.code, language=translation.get_language()
    )
    return issued.code_id


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The page a poster's QR code opens."""
    try:
        point_id = read_collection_point_token(token)
    except InvalidToken:
        return _problem(
            request,
            _("This code is not ours"),
            _("This QR code was not issued by this store. Ask a member of staff for help."),
            status=400,
        )
    point = active_collection_point(point_id)
    if point is None:
        return _problem(
            request,
            _("This poster is no longer in use"),
            _("Ask a member of staff for a current one; nothing has been recorded."),
            status=410,
        )
    return _choose(request, store=point.store, point=point, action=request.path)


@require_http_methods(["GET", "POST"])
def join_assisted(request: HttpRequest) -> HttpResponse:
    """The same page on an associate's tablet in hand-over mode."""
    state = handover.current(request)
    if state is None:
        return redirect("tablet:my-day")
    store = store_by_id(state.store_id)
    point = collection_point_of(store, handover.TABLET_POINT)
    return _choose(request, store=store, point=point, action=request.path)


def _choose(
    request: HttpRequest, *, store: Store, point: CollectionPoint | None, action: str
) -> HttpResponse:
    form = OptInForm(request.POST or None, default_region=store.country)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            kind, identifier = form.cleaned_data["contact"]
            try:
                code_id = _send_code(request, kind, identifier)
            except Throttled as throttled:
                form.add_error("contact", str(throttled))
                status = 429
            else:
                state = State(
                    store=store.pk,
                    collection_point=point.pk if point else None,
                    purposes=form.cleaned_data["purposes"],
                    kind=kind,
                    identifier=identifier,
                    given_name=form.cleaned_data["given_name"],
                    family_name=form.cleaned_data["family_name"],
                    code_id=code_id,
                )
                return _verify_page(request, state, CodeForm())
    _policy = current_policy()
    return render(
        request,
        "customer_site/join.html",
        {
            "store": store,
            "form": form,
            "action": action,
            "sections": policy_sections(_policy.text),
            "policy": _policy,
            "choices": _choice_rows(form),
            "assisted": handover.current(request) is not None,
        },
        status=status,
    )


def _choice_rows(form: OptInForm) -> list[dict[str, object]]:
    chosen = set(form["purposes"].value() or [])
    rows = []
    for code, _label in purpose_choices():
        label, description = choice_text(str(code))
        rows.append({"code": code, "label": label, "description": description, "checked": code in chosen})
    return rows


def _verify_page(
    request: HttpRequest, state: State, form: CodeForm, status: int = 200, note: str = ""
) -> HttpResponse:
    return render(
        request,
        "customer_site/verify.html",
        {
            "form": form,
            "state": state.sign(),
            "sent_to": _mask(state.kind, state.identifier),
            "by_sms": state.kind == "phone",
            "note": note,
        },
        status=status,
    )


def _mask(kind: str, identifier: str) -> str:
    """Enough of the address for her to recognise it, not enough for anyone behind her."""
    if kind == "email":
        local, _at, domain = identifier.partition("@")
        return f"{local[:2]}…@{domain}"
    return f"…{identifier[-4:]}"


def _load_state(request: HttpRequest) -> State | None:
    try:
        return State.load(request.POST.get("state", ""))
    except (signing.BadSignature, TypeError):
        return None


def _expired(request: HttpRequest) -> HttpResponse:
    return _problem(
        request,
        _("This page has expired"),
        _("Nothing was recorded. Scan the QR code again to start over."),
        status=400,
    )


@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    state = _load_state(request)
    if state is None:
        return _expired(request)
    done = request.session.get(RECEIPT_SESSION_KEY)
    if done and done.get("code_id") == state.code_id:
        return redirect("customer_site:done")  # a second tap on "Confirm": already recorded once
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _verify_page(request, state, form, status=422)
    try:
        check_code(code_id=state.code_id, identifier=state.identifier, code=form.cleaned_data["code"])
    except CodeRejected as rejected:
        form.add_error("code", str(rejected))
        return _verify_page(request, state, form, status=422)
    store = store_by_id(state.store)
    point = collection_point(state.collection_point) if state.collection_point else None
    assisted = handover.current(request)
    staff = request.user if assisted is not None and isinstance(request.user, User) else None
    language = translation.get_language()
    result = complete_opt_in(
        choice=OptIn(
            purposes=tuple(state.purposes),
            identifier_kind=state.kind,
            identifier=state.identifier,
            given_name=state.given_name,
            family_name=state.family_name,
            language=language,
        ),
        store=store,
        collection_point=point,
        method=Method.ASSISTED if assisted is not None else Method.QR_IN_STORE,
        assisted_by=staff,
    )
    request.session[RECEIPT_SESSION_KEY] = {
        "receipt": str(result.receipt_id),
        "customer": result.customer.pk,
        "code_id": state.code_id,
    }
    if assisted is None:
        sign_in(request, result.customer)  # her own phone: straight into her privacy centre
    return redirect("customer_site:done")


@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    state = _load_state(request)
    if state is None:
        return _expired(request)
    try:
        code_id = _send_code(request, state.kind, state.identifier)
    except Throttled as throttled:
        return _verify_page(request, state, CodeForm(), status=429, note=str(throttled))
    fresh = State(**{**asdict(state), "code_id": code_id})
    return _verify_page(request, fresh, CodeForm(), note=_("We sent you a new code."))


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """Her receipt: what she agreed to, and (on her own phone) her membership code."""
    receipt = request.session.get(RECEIPT_SESSION_KEY)
    if not receipt:
        return redirect("customer_site:privacy")
    events = receipt_events(receipt["receipt"], receipt["customer"])
    if not events:
        return redirect("customer_site:privacy")
    assisted = handover.current(request) is not None
    context: dict[str, Any] = {
        "granted": [choice_text(e.purpose_id)[0] for e in events if e.granted],
        "withdrawn": [choice_text(e.purpose_id)[0] for e in events if not e.granted],
        "event": events[0],
        "assisted": assisted,
    }
    if not assisted:
        context["membership_svg"] = membership_qr_svg(events[0].customer)
    return render(request, "customer_site/done.html", context)
