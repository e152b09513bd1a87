"""The browser policy, enforced as in production: every kind of page renders and works with no
inline script or style, no eval and no third-party origin, and the watch that every browser test
keeps on CSP violations does see one when it happens."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import CollectionPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_watch_sees_a_violation(page, associate, csp_violations):
    page.goto("/login/")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.head.append(s); }"
    )

    page.wait_for_function("() => true")  # a round trip, for the console message to arrive
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("() => window.ran") is None  # refused
    watch = csp_violations[0]
    page.wait_for_timeout(0)
    assert any("script-src" in v for v in watch.violations), watch.violations
    watch.violations.clear()  # seen; the rest of the suite keeps the watch strict


def test_the_tablet_the_manager_pages_and_the_api_docs_run_under_the_policy(
    page, associate, manager, consenting_customer, store
):
    sign_in(page, associate.username)
    expect(page).not_to_have_url(re.compile("/login/"))
    page.goto("/customers/")
    page.get_by_label(re.compile("Name, e-mail")).type("okafor", delay=20)
    page.locator("#results").get_by_role("link", name=re.compile("Zoë")).tap()
    expect(page.get_by_role("heading", name="Zoë Okafor")).to_be_visible()
    page.get_by_role("textbox", name="Note", exact=True).fill("Prefers a quiet fitting room")
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_text("Prefers a quiet fitting room")).to_be_visible()
    page.goto("/customers/scan/")
    expect(page.get_by_role("heading", name="Scan her membership")).to_be_visible()

    point = CollectionPointFactory(store=store)
    page.locator("summary.who").tap()  # her menu: My PIN, Change store, Sign out
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    sign_in(page, manager.username)
    expect(page).not_to_have_url(re.compile("/login/"))
    for path in ("/dashboard/", "/notes/review/", "/books/", "/audit/", f"/posters/{point.pk}/"):
        assert page.goto(path).status == 200, path
    # The poster's own stylesheet sizes its one button for a finger (the page-load watch may have
    # been cut short by the next page).
    box = page.get_by_role("button", name="Print or save as PDF").bounding_box()
    assert box is not None
    assert box["height"] >= 44

    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name=re.compile("Clienteling integration API"))).to_be_visible()
