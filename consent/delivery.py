"""What we send a customer while she opts in or signs in to her privacy centre: codes, links, receipts.

E-mail goes through Django's e-mail backend, texts through ``common.sms``. Bodies are rendered
in her language from ``templates/consent/messages/``.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from common.http import absolute_url
from common.sms import send_sms
from consent.models import CodeChannel


def _send(
    *,
    channel: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, object],
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> None:
    body = render_to_string(f"consent/messages/{template}.txt", context).strip()
    if channel == CodeChannel.SMS:
        send_sms(to, body)
        return
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


def send_code(*, channel: str, to: str, code: str, language: str) -> None:
    with translation.override(language):
        _send(
            channel=channel,
            to=to,
            subject=_("Your code: %(code)s") % {"code": code},
            template="code",
            context={"code": code, "minutes": settings.OTP_TTL_MINUTES},
        )


def send_receipt(
    *,
    channel: str,
    to: str,
    language: str,
    store_name: str,
    choices: list[str],
    membership_url: str,
    membership_png: bytes,
) -> None:
    """What she agreed to, her membership code (a link in a text, a QR image by e-mail), her rights."""
    with translation.override(language):
        _send(
            channel=channel,
            to=to,
            subject=_("Your choices at %(store)s") % {"store": store_name},
            template="receipt",
            context={
                "store": store_name,
                "choices": choices,
                "privacy_url": absolute_url("/me/"),
                "membership_url": membership_url,
                "is_sms": channel == CodeChannel.SMS,
            },
            attachments=(("membership.png", membership_png, "image/png"),),
        )


def send_privacy_link(*, channel: str, to: str, url: str, language: str) -> None:
    with translation.override(language):
        _send(
            channel=channel,
            to=to,
            subject=_("Your privacy centre"),
            template="privacy_link",
            context={"url": url, "minutes": settings.PRIVACY_LINK_TTL_MINUTES},
        )
