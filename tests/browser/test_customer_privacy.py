"""The customer's side on her own phone (390×844): opting in from a poster, and her privacy centre.

The live server runs in this process, so the codes and links it e-mails land in ``mail.outbox``
(the test run's locmem backend) and the ledger it writes is read here through the ORM.
"""

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from accounts.models import User
from audit.services import record_event
from clienteling.celery import app
from consent.models import ConsentEvent, ConsentState, DataExport, Method, PolicyVersion, Verification
from consent.tokens import collection_point_token
from customers.models import Customer
from relationships import services as relationship_services
from relationships.models import Note
from stores.models import CollectionPoint, Store
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_accessible
from tests.browser.test_tablet_flows import sign_in_with_password
from tests.conftest import Grant, _forget_connections
from tests.factories import CollectionPointFactory, CustomerFactory, IdentifierFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HER_EMAIL = "zoe.okafor@example.com"
PROFILE_CHOICE = re.compile("Associates may see my profile")


@pytest.fixture
def point(store: Store, policy: PolicyVersion) -> CollectionPoint:
    """The poster by the till; ``policy`` reinstalls the purposes a transactional test flushed."""
    return CollectionPointFactory(store=store, code="till-1", name="Till 1")


@pytest.fixture
def zoe(consenting_customer: Customer) -> Customer:
    """Zoë Okafor, who shares everything with the London store and can be reached by e-mail."""
    IdentifierFactory(customer=consenting_customer, kind="email", value=HER_EMAIL)
    return consenting_customer


def join_url(point: CollectionPoint) -> str:
    return f"/join/{collection_point_token(point.pk)}/"


def last_mail_to(address: str) -> mail.EmailMessage:
    assert mail.outbox, "nothing was e-mailed"
    message = mail.outbox[-1]
    assert message.to == [address]
    return message


def assert_fits_the_phone(phone: Page) -> None:
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    screen = (phone.viewport_size or PHONE)["width"]
    assert width <= screen, f"the page scrolls sideways ({width}px wide on a {screen}px screen)"


def sign_in_to_privacy_centre(phone: Page, email: str, name: str) -> None:
    """Ask for a link on the sign-in page, open it from the e-mail, confirm with the button."""
    phone.goto("/me/")
    expect(phone.get_by_role("heading", name="Your privacy centre")).to_be_visible()
    phone.get_by_label("Your e-mail or mobile number").fill(email)
    phone.get_by_role("button", name="Send me a sign-in link").tap()
    expect(phone.get_by_role("heading", name="Check your messages")).to_be_visible()

    match = re.search(r"https?://\S+?(/me/link/[^/\s]+/)", str(last_mail_to(email).body))
    assert match, "no sign-in link in the e-mail"
    phone.goto(match.group(1))  # the e-mail names PUBLIC_BASE_URL; the path is what matters here
    expect(phone.get_by_role("heading", name="Your privacy centre")).to_be_visible()  # GET uses nothing up
    phone.get_by_role("button", name="Open my privacy centre").tap()
    expect(phone.get_by_role("heading", name=f"Hello, {name}")).to_be_visible()
    assert_accessible(phone)
    assert_fits_the_phone(phone)


def test_she_scans_the_poster_chooses_confirms_with_the_code_and_gets_her_receipt(
    phone: Page, point: CollectionPoint
) -> None:
    phone.goto(join_url(point))

    expect(phone.get_by_role("heading", name="Be recognised at London Marylebone")).to_be_visible()
    choices = phone.get_by_role("checkbox")
    expect(choices).to_have_count(5)  # the profile, suggestions, e-mail, texts, WhatsApp
    for choice in choices.all():
        expect(choice).not_to_be_checked()
    assert_accessible(phone)
    assert_fits_the_phone(phone)

    phone.get_by_role("checkbox", name=PROFILE_CHOICE).check()
    phone.get_by_role("checkbox", name="Contact me by e-mail").check()
    phone.get_by_label("Your e-mail or mobile number").fill(HER_EMAIL)
    phone.get_by_label("First name (optional)").fill("Zoë")
    phone.get_by_label("Last name (optional)").fill("Okafor")
    phone.get_by_role("button", name="Send me a code").tap()

    expect(phone.get_by_role("heading", name="Enter your code")).to_be_visible()
    expect(phone.get_by_text("We e-mailed a 6-digit code to zo…@example.com.")).to_be_visible()
    assert not Customer.objects.exists()  # nothing kept before she proves the address
    code = re.search(r"\b(\d{6})\b", str(last_mail_to(HER_EMAIL).body))
    assert code
    phone.get_by_label("The code we sent you").fill(code.group(1))
    phone.get_by_role("button", name="Confirm my choices").tap()

    expect(phone).to_have_url(re.compile(r"/join/done/$"))
    receipt = phone.get_by_role("region", name="Thank you. Here is your receipt.")
    expect(receipt.get_by_role("listitem")).to_have_text(
        ["Associates may see my profile and history", "Contact me by e-mail"]
    )
    membership = phone.get_by_role("region", name="Your membership code")
    expect(membership.locator("svg, img").first).to_be_visible()
    privacy_link = phone.get_by_role("link", name="Open my privacy centre")
    expect(privacy_link).to_have_attribute("href", "/me/")

    customer = Customer.objects.get()
    assert (customer.given_name, customer.family_name) == ("Zoë", "Okafor")
    events = list(ConsentEvent.objects.filter(customer=customer).order_by("purpose_id"))
    assert [(e.purpose_id, e.granted) for e in events] == [("contact_email", True), ("profile", True)]
    assert {(e.method, e.verification) for e in events} == {(Method.QR_IN_STORE, Verification.EMAIL_CODE)}
    assert {e.collection_point_id for e in events} == {point.pk}
    receipt_ids = {e.receipt_id for e in events}
    assert len(receipt_ids) == 1
    receipt_id = receipt_ids.pop()
    assert receipt_id is not None
    expect(receipt.locator("code")).to_have_text(str(receipt_id))
    assert "membership.png" in [name for name, *_ in last_mail_to(HER_EMAIL).attachments]
    assert_accessible(phone)
    assert_fits_the_phone(phone)

    privacy_link.tap()  # opting in on her own phone signed her in to her privacy centre
    expect(phone.get_by_role("heading", name="Hello, Zoë")).to_be_visible()
    expect(phone.get_by_role("checkbox", name=PROFILE_CHOICE)).to_be_checked()
    expect(phone.get_by_role("checkbox", name="Personalised suggestions")).not_to_be_checked()


def test_withdrawing_on_her_phone_hides_her_from_the_associates_search_and_open_card(
    page: Page, phone: Page, zoe: Customer, associate: User
) -> None:
    tablet = page  # a second browser context, at tablet size, signed in as Ava
    sign_in_with_password(tablet)
    tablet.get_by_role("link", name="Find a customer").tap()
    tablet.get_by_label(re.compile("Name, e-mail")).type("okafor", delay=30)
    tablet.locator("#results").get_by_role("link", name=re.compile("Zoë")).tap()
    expect(tablet.get_by_role("heading", name="Zoë Okafor")).to_be_visible()
    card_url = tablet.url

    sign_in_to_privacy_centre(phone, HER_EMAIL, "Zoë")
    profile = phone.get_by_role("checkbox", name=PROFILE_CHOICE)
    expect(profile).to_be_checked()
    profile.uncheck()
    phone.get_by_role("button", name="Save my choices").tap()
    expect(phone.get_by_role("status")).to_contain_text("Your choices are saved")
    expect(phone.get_by_role("checkbox", name=PROFILE_CHOICE)).not_to_be_checked()
    expect(phone.get_by_role("checkbox", name="Contact me by e-mail")).to_be_checked()  # only one changed
    withdrawal = ConsentEvent.objects.get(customer=zoe, granted=False)
    assert (withdrawal.purpose_id, withdrawal.method) == ("profile", Method.PRIVACY_CENTRE)
    assert not ConsentState.objects.filter(customer=zoe, purpose_id="profile", granted=True).exists()

    # The card is still on Ava's screen: the next thing she does on it is refused, and she is told so.
    tablet.locator("#note").get_by_label("Note").fill("Asked about the new linen range")
    with tablet.expect_response(re.compile(r"/notes/$")) as note:
        tablet.get_by_role("button", name="Save note").tap()
    assert note.value.status == 404
    expect(tablet.get_by_role("heading", name="Not available")).to_be_visible()
    expect(tablet.get_by_role("alert")).to_contain_text("has withdrawn that choice")
    expect(tablet.get_by_text("Okafor")).to_have_count(0)
    assert tablet.url == card_url
    assert not Note.objects.filter(customer=zoe).exists()

    tablet.goto("/customers/")
    tablet.get_by_label(re.compile("Name, e-mail")).type("okafor", delay=30)
    expect(tablet.locator("#results")).to_contain_text("No customer you can see matches “okafor”")
    expect(tablet.locator("#results").get_by_role("link")).to_have_count(0)


@pytest.fixture
def queued_tasks(redis_url: str) -> Iterator[None]:
    """Tasks go to a real Redis broker and wait there until the test starts a worker, so the page
    is seen in its "being prepared" state every time, not only when the worker happens to be slow."""
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _forget_connections()
    app.control.purge()  # nothing left over from an interrupted run
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


@pytest.mark.redis
def test_her_download_holds_her_data_and_nobody_elses(
    queued_tasks: None,
    phone: Page,
    zoe: Customer,
    associate: User,
    store: Store,
    grant: Grant,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    associate.last_name = "Fairweather"
    associate.save()
    OrderFactory(customer=zoe, store=store, external_id="MINE-1")
    relationship_services.add_note(by=associate, customer=zoe, store=store, body="Prefers linen")
    record_event(by=associate, action="customer.viewed", customer_id=zoe.pk, store_id=store.pk)
    other = CustomerFactory(given_name="Margot", family_name="Lindqvist", home_store=store)
    IdentifierFactory(customer=other, kind="email", value="margot.lindqvist@example.net")
    OrderFactory(customer=other, store=store, external_id="THEIRS-1")
    grant(other, store=store)

    sign_in_to_privacy_centre(phone, HER_EMAIL, "Zoë")
    export_panel = phone.get_by_role("region", name="Download your data")
    export_panel.get_by_role("button", name="Prepare my download").tap()
    expect(phone.get_by_role("status")).to_contain_text("We are preparing your download")
    expect(export_panel).to_contain_text("Preparing your download…")
    assert DataExport.objects.get(customer=zoe).status == DataExport.Status.PENDING

    # A real worker builds the file; the panel, polling its status, shows the link once it is ready.
    download_link = phone.get_by_role("link", name="Download my data (ZIP)")
    with (
        phone.expect_response(re.compile(r"/me/export/status/$")),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        expect(download_link).to_be_visible(timeout=30_000)
    assert DataExport.objects.get(customer=zoe).status == DataExport.Status.READY
    with phone.expect_download() as download_info:
        download_link.tap()
    download = download_info.value
    assert download.suggested_filename == "my-data.zip"

    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["schema_version"] == 1
    assert data["profile"]["id"] == str(zoe.public_id)
    assert (data["profile"]["given_name"], data["profile"]["family_name"]) == ("Zoë", "Okafor")
    assert HER_EMAIL in [i["value"] for i in data["identifiers"]]
    assert [o["id"] for o in data["orders"]] == ["MINE-1"]
    assert [n["text"] for n in data["notes"]] == ["Prefers linen"]
    assert [a["role"] for a in data["access_log"]] == ["Associate"]

    everything = "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    for someone_else in (
        "Margot",
        "Lindqvist",
        "margot.lindqvist@example.net",
        str(other.public_id),
        "THEIRS-1",
        "Fairweather",
    ):
        assert someone_else not in everything, f"{someone_else!r} is in her download"
    assert not re.search(r"\b(Ava|ava)\b", everything), "the associate's name is in her download"


def test_she_reads_the_poster_page_in_french_and_gets_her_code_in_french(
    phone: Page, point: CollectionPoint
) -> None:
    phone.goto(join_url(point))
    phone.get_by_label("Language").select_option("fr")
    phone.get_by_role("button", name="Change").tap()

    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    expect(
        phone.get_by_role("heading", name="Faites-vous reconnaître chez London Marylebone")
    ).to_be_visible()
    profile = phone.get_by_role("checkbox", name=re.compile("Les conseillers peuvent voir mon profil"))
    expect(profile).not_to_be_checked()
    assert_fits_the_phone(phone)  # French runs longer than English

    profile.check()
    phone.get_by_label("Votre e-mail ou numéro de mobile").fill(HER_EMAIL)
    phone.get_by_role("button", name="Envoyez-moi un code").tap()

    expect(phone.get_by_role("heading", name="Saisissez votre code")).to_be_visible()
    message = last_mail_to(HER_EMAIL)
    assert message.subject.startswith("Votre code")
    assert "Votre code est" in message.body
