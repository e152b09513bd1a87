"""The membership code a customer shows in store (as a QR code) so an associate can open her card.

The QR holds a link to /m/<signed code>, drawn by segno as SVG for pages and PNG for e-mail.

It is a signed token carrying her public id, nothing else: useless to anyone who copies it without an
associate's account, and only ever resolved through the consent-scoped selector, so a customer who
withdraws is not found even with her old code.
"""

import io
import re
from uuid import UUID

import segno
from django.core import signing
from django.urls import reverse

from common.http import absolute_url
from customers.models import Customer

_SALT = "customers.membership"
_PATH = re.compile(r"/m/([A-Za-z0-9_:\-.]+)/?$")


class InvalidMembershipCode(ValueError):
    """Not a code this retailer issued (forged, truncated, or from another system)."""


def membership_code(customer: Customer) -> str:
    return signing.dumps(str(customer.public_id), salt=_SALT, compress=False)


def read_membership_code(scanned: str) -> UUID:
    """The public id inside a scanned code; the QR may hold the bare code or a link ending /m/<code>."""
    scanned = scanned.strip()
    match = _PATH.search(scanned)
    code = match.group(1) if match else scanned
    try:
        return UUID(signing.loads(code, salt=_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidMembershipCode(
            "This code was not issued by this store's membership programme."
        ) from None


def membership_url(customer: Customer) -> str:
    return absolute_url(reverse("customer_site:membership", args=[membership_code(customer)]))


def _qr(customer: Customer) -> segno.QRCode:
    return segno.make_qr(membership_url(customer), error="m")


def membership_qr_svg(customer: Customer) -> str:
    """The code as SVG that scales to its box (a viewBox, no fixed size) with the standard quiet
    zone of four modules, which scanners need around the finder patterns."""
    buffer = io.BytesIO()
    _qr(customer).save(
        buffer,
        kind="svg",
        scale=6,
        border=4,
        omitsize=True,
        xmldecl=False,
        svgns=True,
        title="Membership code",
        light="#fff",
    )
    return buffer.getvalue().decode()


def membership_qr_png(customer: Customer) -> bytes:
    buffer = io.BytesIO()
    _qr(customer).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
