"""The membership QR code a customer shows in store: a link to /m/<signed code> (see
``customers.membership``), drawn by segno as SVG for pages and PNG for e-mail."""

import io

import segno
from django.urls import reverse

from consent.delivery import absolute
from customers.membership import membership_code
from customers.models import Customer


def membership_url(customer: Customer) -> str:
    return absolute(reverse("consent:membership", args=[membership_code(customer)]))


def _qr(customer: Customer) -> segno.QRCode:
    return segno.make_qr(membership_url(customer), error="m")


def membership_qr_svg(customer: Customer) -> str:
    buffer = io.BytesIO()
    _qr(customer).save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True, title="Membership code"
    )
    return buffer.getvalue().decode()


def membership_qr_png(customer: Customer) -> bytes:
    buffer = io.BytesIO()
    _qr(customer).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()
