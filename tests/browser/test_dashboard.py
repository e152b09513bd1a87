"""The dashboard on a tablet: charts drawn on the server, readable, and accessible."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, sign_in
from tests.managers.test_dashboard import rolled_up, story  # noqa: F401 - the fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_dashboard_for_march(page: Page, manager, rolled_up) -> None:  # noqa: F811
    sign_in(page, "maya")
    page.locator("details.menu > summary", has_text="Manage").tap()
    page.get_by_role("link", name="Dashboard").tap()
    page.get_by_label("From:", exact=True).fill("2026-03-01")
    page.get_by_label("To:", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Show").tap()

    expect(page.get_by_text("2 of the 3 visits by identified customers")).to_be_visible()
    expect(page.get_by_role("img", name="Suggestions shown, liked and bought")).to_contain_text("2 (67%)")
    expect(page.get_by_role("img", name="Visits per week, from 23 Feb to 30 Mar; highest 2")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Week of")).to_contain_text("9 Mar 2026")
    assert_accessible(page)
