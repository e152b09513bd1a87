"""E-mail in development: printed in the terminal as a person reads it, so its links work."""

import re
from io import StringIO

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.console import EmailBackend

from common.mail import ReadableConsoleBackend
from tests.factories import IdentifierFactory

pytestmark = pytest.mark.django_db

BASE = "http://192.168.1.20:8300"


@pytest.fixture
def terminal(settings) -> StringIO:
    """Where the development backend writes (the terminal ``make demo`` runs in)."""
    stream = StringIO()
    settings.MAILERS = {
        "default": {"BACKEND": "common.mail.ReadableConsoleBackend", "OPTIONS": {"stream": stream}}
    }
    settings.PUBLIC_BASE_URL = BASE
    return stream


def test_a_sign_in_email_prints_its_link_whole_on_one_line_and_the_link_works(
    client, terminal, consenting_customer
):
    IdentifierFactory(customer=consenting_customer, kind="email", value="zoe@example.com")

    client.post("/me/sign-in/", {"contact": "zoe@example.com"})

    printed = terminal.getvalue()
    assert "To: zoe@example.com" in printed
    assert "Subject: Your privacy centre" in printed
    assert "=\n" not in printed  # no quoted-printable soft line break
    link = re.search(rf"^{re.escape(BASE)}/me/link/(\S+)/$", printed, re.MULTILINE)
    assert link, printed
    assert client.get(f"/me/link/{link.group(1)}/").status_code == 200  # not "This link does not work"


def test_djangos_console_backend_cuts_such_a_link_which_is_why_this_one_exists():
    message = EmailMultiAlternatives(
        subject="Link", body=f"{BASE}/me/link/{'x' * 120}/", to=["zoe@example.com"]
    )
    stream = StringIO()

    EmailBackend(stream=stream).send_messages([message])

    assert f"{BASE}/me/link/{'x' * 120}/" not in stream.getvalue()


def test_accents_are_printed_as_written_and_attachments_named_not_dumped():
    message = EmailMultiAlternatives(
        subject="Vos choix chez Épicerie",
        body="Ouvrez votre espace de confidentialité.",
        to=["zoe@example.fr"],
    )
    message.attach_alternative("<p>Ouvrez votre espace de confidentialité.</p>", "text/html")
    message.attach("membership.png", b"\x89PNG" + bytes(2000), "image/png")
    stream = StringIO()

    ReadableConsoleBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert "Subject: Vos choix chez Épicerie" in printed
    assert "Ouvrez votre espace de confidentialité." in printed
    assert "Attached: membership.png (image/png, 2004 bytes)" in printed
    assert "Also as HTML" in printed
    assert "iVBORw" not in printed  # the PNG's base64
    assert "<p>" not in printed
