"""Every screen fits: the staff pages on a tablet held either way (1024×768 and 768×1024), the
customer's pages on phones from 320 to 430 px wide. Each page loaded is checked by the layout watch
(``tests/browser/conftest.py``): nothing wider than the screen, every control at least 44 × 44 px."""

import re

import pytest
from playwright.sync_api import Page, expect

from customers.membership import membership_code
from tests.browser.conftest import TABLET_LANDSCAPE, _new_page
from tests.browser.helpers import sign_in
from tests.browser.test_customer_privacy import HER_EMAIL, join_url, point, sign_in_to_privacy_centre, zoe
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["point", "zoe"]  # the privacy tests' fixtures, used here too

TABLET_PORTRAIT = {"width": 768, "height": 1024}
PHONES = ({"width": 320, "height": 640}, {"width": 390, "height": 844}, {"width": 430, "height": 932})

ASSOCIATE_PAGES = ("/", "/customers/", "/customers/scan/", "/appointments/", "/tablet/my-pin/")
MANAGER_PAGES = (
    "/dashboard/",
    "/books/",
    "/notes/review/",
    "/audit/",
    "/duplicates/",
    "/outreach/templates/",
    "/outreach/messages/",
    "/tablets/",
    "/posters/",
)


@pytest.fixture
def screens(chromium_browser, live_server, csp_violations, layout_problems):  # type: ignore[no-untyped-def]
    """New pages of a given size (touch), each watched by the layout checks; closed at the end."""
    contexts = []

    def open_page(viewport: dict[str, int], *, mobile: bool = False) -> Page:
        context, page = _new_page(
            chromium_browser,
            csp_violations,
            layout_problems,
            viewport=viewport,
            base_url=live_server.url,
            has_touch=True,
            is_mobile=mobile,
        )
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_the_associates_pages_fit_a_tablet_held_either_way(
    screens, layout_problems, associate, consenting_customer, store
):
    order = OrderFactory(customer=consenting_customer, store=store)
    OrderLineFactory(order=order, line_number=1, product=ProductFactory(image_url="/product-images/X.svg"))
    for viewport in (TABLET_LANDSCAPE, TABLET_PORTRAIT):
        page = screens(viewport)
        sign_in(page, associate.username)
        expect(page).not_to_have_url(re.compile("/login/"))
        for path in (*ASSOCIATE_PAGES, f"/customers/{consenting_customer.public_id}/"):
            assert page.goto(path).status == 200, path
        page.goto("/customers/")
        page.get_by_label("Name, e-mail, phone (or its last 4 digits) or loyalty number").fill("okafor")
        expect(page.locator("#results").get_by_role("link", name="Zoë Okafor")).to_be_visible()
        layout_problems[-1].check(page)  # the results came as a fragment: check the page as it is now


def test_the_managers_pages_fit_and_their_top_bar_is_one_row(screens, manager):
    for viewport in (TABLET_LANDSCAPE, TABLET_PORTRAIT):
        page = screens(viewport)
        sign_in(page, manager.username)
        expect(page).not_to_have_url(re.compile("/login/"))
        for path in MANAGER_PAGES:
            assert page.goto(path).status == 200, path
            bar = page.locator(".topbar").bounding_box()
            assert bar is not None, path
            assert bar["height"] <= 72, (path, viewport, bar)


def test_the_customers_pages_fit_every_phone_signed_in_or_not(screens, zoe, point):
    for viewport in PHONES:
        phone = screens(viewport, mobile=True)
        for path in (join_url(point), f"/m/{membership_code(zoe)}/"):
            assert phone.goto(path).status == 200, path
        sign_in_to_privacy_centre(phone, HER_EMAIL, "Zoë")
