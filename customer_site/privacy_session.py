"""Who is signed in to the privacy centre in this browser: a customer, for a short while.

Separate from staff sign-in: it grants nothing on the tablet pages, and staff sign-in grants nothing
here. The session holds her id, an expiry and the sign-in's own random id, nothing else.
"""

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.http import absolute_url
from consent.models import PrivacyLink, SendAttempt
from consent.otp import confirm_send_attempt
from consent.tokens import InvalidToken, privacy_link_token, read_privacy_link_token
from customers.models import Customer

SESSION_KEY = "privacy_centre"


def sign_in(request: HttpRequest, customer: Customer) -> None:
    request.session.cycle_key()  # a fresh session id, so a planted one cannot ride along
    request.session[SESSION_KEY] = {
        "customer": customer.pk,
        "until": time.time() + settings.PRIVACY_SESSION_MINUTES * 60,
        "id": secrets.token_urlsafe(24),  # this sign-in's own id: what she asks for here is hers here
    }


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


DEVICE_KEY = "device"


def device_id(request: HttpRequest) -> str:
    """This browser's own id, kept in its session (made on first use): what throttles count as one
    device when it asks for codes and links."""
    if DEVICE_KEY not in request.session:
        request.session[DEVICE_KEY] = secrets.token_urlsafe(16)
    return str(request.session[DEVICE_KEY])


def privacy_session_id(request: HttpRequest) -> str:
    """This privacy-centre sign-in's own id ("" when none): downloads are bound to it."""
    state = request.session.get(SESSION_KEY) or {}
    return str(state.get("id", ""))


def signed_in_customer(request: HttpRequest) -> Customer | None:
    """Her profile, while her privacy-centre session lasts and she has not been erased or merged."""
    state = request.session.get(SESSION_KEY)
    if not state or state.get("until", 0) < time.time():
        sign_out(request)
        return None
    customer = Customer.objects.active().filter(pk=state.get("customer")).first()
    if customer is None:
        sign_out(request)
    return customer


class LinkRejected(Exception):
    """The sign-in link is forged, expired or already used; the message says which."""


def issue_link(customer: Customer, *, channel: str, send_attempt: SendAttempt | None = None) -> str:
    """A fresh single-use sign-in link (absolute URL) for her privacy centre (``send_attempt``: the
    request it answers, confirmed when the link is used)."""
    link = PrivacyLink.objects.create(
        customer=customer,
        channel=channel,
        expires_at=timezone.now() + timedelta(minutes=settings.PRIVACY_LINK_TTL_MINUTES),
        send_attempt=send_attempt,
    )
    return absolute_url(reverse("customer_site:privacy-link", args=[privacy_link_token(link.token)]))


def use_link(signed: str) -> Customer:
    """The customer a link signs in, marking it used; raises ``LinkRejected``."""
    try:
        token = read_privacy_link_token(signed)
    except InvalidToken as invalid:
        raise LinkRejected(str(invalid)) from None
    now = timezone.now()
    with transaction.atomic():
        link = PrivacyLink.objects.select_for_update().select_related("customer").filter(token=token).first()
        if link is None:
            raise LinkRejected(_("This link is not valid."))
        if link.used_at is not None:
            raise LinkRejected(_("This link has already been used. Ask for a new one."))
        if link.expires_at <= now:
            raise LinkRejected(_("This link has expired. Ask for a new one."))
        customer = Customer.objects.active().filter(pk=link.customer_id).first()
        if customer is None:
            raise LinkRejected(_("This link is not valid."))
        link.used_at = now
        link.save(update_fields=["used_at"])
        confirm_send_attempt(link.send_attempt_id, now)
    return customer
