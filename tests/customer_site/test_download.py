"""Her download is hers: it works once, only in the privacy-centre session that asked for it, within
its time. Whoever else holds the link (a forwarded e-mail, a shared screen, another browser of
hers) gets a clear refusal and does not use it up."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import DataExport
from customer_site.privacy_session import issue_link
from tests.factories import CustomerFactory, IdentifierFactory

pytestmark = pytest.mark.django_db


def signed_in_as(customer) -> Client:  # type: ignore[no-untyped-def]
    browser = Client()
    token = issue_link(customer, channel="email").rsplit("/link/", 1)[1].strip("/")
    assert browser.post(f"/me/link/{token}/").status_code == 302
    return browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def zoe(consenting_customer):
    IdentifierFactory(customer=consenting_customer, kind="email", value="zoe@example.com")
    return consenting_customer


@pytest.fixture
def her_phone(zoe, django_capture_on_commit_callbacks) -> Client:
    phone = signed_in_as(zoe)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs in process
        assert phone.post("/me/export/").status_code == 302
    return phone


def link_on(page: bytes) -> str | None:
    found = re.search(rb'href="(/me/export/[^"/]+/)"', page)
    return found.group(1).decode() if found else None


@pytest.fixture
def link(her_phone) -> str:
    found = link_on(her_phone.get("/me/").content)
    assert found is not None
    return found


def test_it_downloads_once_in_the_session_that_asked_and_the_file_is_gone(
    her_phone, link, zoe, media, django_capture_on_commit_callbacks
):
    export = DataExport.objects.get(customer=zoe)
    stored = media / export.file.name

    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the hand-over commits
        response = her_phone.get(link)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-data.zip"'
    assert "data.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert not stored.exists()
    again = her_phone.get(link)
    assert again.status_code == 410
    assert b"downloaded this file already" in again.content
    assert AuditEvent.objects.filter(action="customer.export_downloaded", customer=zoe).count() == 1
    export.refresh_from_db()
    assert (export.status, export.file.name) == (DataExport.Status.DOWNLOADED, "")
    page = her_phone.get("/me/").content.decode()
    assert "You downloaded your data at" in page
    assert "Prepare my download" in page


@pytest.mark.parametrize("holder", ["nobody signed in", "her other browser", "another customer"])
def test_anyone_else_holding_the_link_is_refused_and_does_not_use_it_up(her_phone, link, zoe, holder):
    if holder == "nobody signed in":
        other = Client()
    elif holder == "her other browser":
        other = signed_in_as(zoe)
    else:
        someone = CustomerFactory()
        IdentifierFactory(customer=someone, kind="email", value="someone@example.com")
        other = signed_in_as(someone)

    refused = other.get(link)

    assert refused.status_code == 403
    assert b"only in the browser where you asked for it" in refused.content
    assert not AuditEvent.objects.filter(action="customer.export_downloaded").exists()
    assert her_phone.get(link).status_code == 200


def test_her_other_browser_is_not_offered_the_link(her_phone, zoe):
    page = signed_in_as(zoe).get("/me/").content

    assert link_on(page) is None
    assert b"Prepare my download" in page


def test_signing_in_again_in_the_same_browser_starts_a_new_session(her_phone, link, zoe):
    token = issue_link(zoe, channel="email").rsplit("/link/", 1)[1].strip("/")
    her_phone.post(f"/me/link/{token}/")

    assert her_phone.get(link).status_code == 403


def test_past_its_time_it_is_gone(her_phone, link, zoe):
    DataExport.objects.filter(customer=zoe).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = her_phone.get(link)

    assert response.status_code == 410
    assert b"expired" in response.content


def test_after_she_signs_out_the_link_no_longer_works(her_phone, link):
    her_phone.post("/me/sign-out/")

    assert her_phone.get(link).status_code == 403


def test_a_forged_link_is_a_400(her_phone):
    assert her_phone.get("/me/export/forged/").status_code == 400
