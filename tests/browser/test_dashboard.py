"""The dashboard on a tablet: charts drawn on the server, readable, and accessible."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, sign_in
from tests.managers.test_dashboard import story  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_dashboard_for_march(page: Page, manager, story) -> None:  # noqa: F811
    sign_in(page, "maya")
    page.get_by_role("link", name="Dashboard").tap()
    page.get_by_label("From:", exact=True).fill("2026-03-01")
    page.get_by_label("To:", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Show").tap()

    expect(page.get_by_text("1 of the 3 identified customers")).to_be_visible()
    expect(page.get_by_role("img", name="Suggestions shown, liked and bought")).to_contain_text("2 (67%)")
    assert_accessible(page)
