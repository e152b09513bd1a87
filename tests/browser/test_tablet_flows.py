"""The flows an associate does on the shop floor, on a real browser at tablet size."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.services import set_pin
from catalog.services import save_category
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "2580"


@pytest.fixture
def shop_floor(page, live_server, enrolment, associate, teammate, store, consenting_customer, settings):
    """The browser is a tablet the London store's manager enrolled; both associates have PINs."""
    page.context.add_cookies(
        [{"name": settings.TABLET_COOKIE, "value": enrolment.cookie, "url": live_server.url}]
    )
    set_pin(by=associate, user=associate, pin=PIN)
    set_pin(by=teammate, user=teammate, pin="1357")
    save_category(code="dresses", name="Dresses")
    return consenting_customer


def sign_in_with_password(page: Page) -> None:
    sign_in(page, "ava")
    expect(page.get_by_role("heading", name=re.compile("Hello, Ava"))).to_be_visible()


def switch_in(page: Page, name: str, pin: str) -> None:
    page.goto("/tablet/")
    # Her given name first: a colleague's random family name may contain it ("Ava Bender").
    page.get_by_role("link", name=re.compile(rf"^{re.escape(name)}\b")).tap()
    page.get_by_label("Your PIN").fill(pin)
    page.get_by_role("button", name="Switch in").tap()


def test_an_associate_switches_in_finds_a_misspelt_customer_and_acts_on_her_card(page, shop_floor):
    sign_in_with_password(page)
    page.get_by_role("button", name="Lock").tap()
    expect(page.get_by_role("heading", name="Who is serving?")).to_be_visible()
    assert_accessible(page)

    switch_in(page, "Ben", "1357")
    expect(page.get_by_role("heading", name=re.compile("Hello, Ben"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Find a customer").tap()
    page.get_by_label(re.compile("Name, e-mail")).type("zoe okafr", delay=30)
    result = page.locator("#results").get_by_role("link", name=re.compile("Zoë"))
    expect(result).to_be_visible()
    expect(page.locator("#results mark").first).to_be_visible()
    assert_accessible(page)
    result.tap()

    expect(page.get_by_role("heading", name="Zoë Okafor")).to_be_visible()
    assert_accessible(page)

    page.locator("#note").get_by_label("Note").fill("Loves linen; looking for a summer wedding outfit")
    page.get_by_role("button", name="Save note").tap()
    expect(page.locator("#timeline")).to_contain_text("Loves linen")

    page.get_by_text("Add a size").tap()
    page.locator("#sizes").get_by_label("Category").select_option(label="Dresses")
    page.locator("#sizes").get_by_label("Size", exact=True).fill("UK 12")
    page.get_by_role("button", name="Save size").tap()
    expect(page.locator("#sizes")).to_contain_text("UK 12")

    page.get_by_text("New follow-up").tap()
    page.locator("#follow-ups").get_by_label("What to do").fill("Call when the linen dresses arrive")
    page.locator("#follow-ups").get_by_label("Due").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save follow-up").tap()
    expect(page.locator("#follow-ups")).to_contain_text("Call when the linen dresses arrive")

    page.get_by_role("link", name="My day").tap()
    expect(page.get_by_role("region", name="Follow-ups due")).to_contain_text(
        "Call when the linen dresses arrive"
    )
    expect(page.get_by_role("region", name="Recently viewed")).to_contain_text("Zoë Okafor")


def test_a_sensitive_note_asks_before_it_is_saved(page, shop_floor):
    sign_in_with_password(page)
    page.goto(f"/customers/{shop_floor.public_id}/")

    page.locator("#note").get_by_label("Note").fill("She mentioned she is pregnant")
    page.get_by_role("button", name="Save note").tap()

    expect(page.get_by_role("alert")).to_contain_text("pregnancy")
    expect(page.locator("#timeline")).not_to_contain_text("pregnant")
    page.get_by_role("button", name="Save anyway").tap()
    expect(page.locator("#timeline")).to_contain_text("pregnant")


def test_a_customer_without_consent_never_appears_in_search(page, shop_floor, store):
    CustomerFactory(given_name="Nadia", family_name="Okafor", home_store=store)
    sign_in_with_password(page)

    page.goto("/customers/")
    page.get_by_label(re.compile("Name, e-mail")).type("okafor", delay=30)

    expect(page.locator("#results").get_by_role("link", name=re.compile("Zoë"))).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text("Nadia")
    assert "okafor" not in page.url.lower()  # what she typed is in no URL, log or history


def test_the_idle_lock_hides_the_card_and_returns_to_the_switch_screen(page, shop_floor, settings):
    settings.IDLE_LOCK_MINUTES = 0.05  # 3 seconds
    sign_in_with_password(page)
    page.goto(f"/customers/{shop_floor.public_id}/")
    expect(page.get_by_role("heading", name="Zoë Okafor")).to_be_visible()

    expect(page.get_by_role("heading", name="Who is serving?")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Zoë Okafor")).to_have_count(0)
    page.go_back()
    expect(page.get_by_text("Zoë Okafor")).to_have_count(0)


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 768, "height": 1024}])
def test_the_card_fits_the_tablet_in_both_orientations(page, shop_floor, viewport):
    page.set_viewport_size(viewport)
    sign_in_with_password(page)
    page.goto(f"/customers/{shop_floor.public_id}/")

    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], "the card scrolls sideways"
    for button in page.get_by_role("button").all():
        if button.is_visible():
            box = button.bounding_box()
            assert box is not None
            assert box["height"] >= 44, button.inner_text()
