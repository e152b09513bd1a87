"""A manager reviews a likely duplicate on a tablet: merges it, then undoes the merge with a reason."""

import re

import pytest
from playwright.sync_api import Page, expect

from identity.models import CustomerMerge
from tests.browser.helpers import assert_accessible, sign_in
from tests.managers.test_duplicates import pair  # noqa: F401 - the fixture: Caroline and a likely twin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_merges_a_likely_duplicate_and_undoes_it(page: Page, manager, pair) -> None:  # noqa: F811
    caroline, twin = pair
    sign_in(page, "maya")
    page.locator("details.menu > summary", has_text="Manage").tap()
    page.get_by_role("link", name="Duplicates").tap()

    article = page.get_by_role("article", name="Pair 1")
    expect(article).to_contain_text("same e-mail name at another provider")
    expect(article).to_contain_text("C.D. (not consenting to be seen)")  # the twin, by initials only
    expect(article).not_to_contain_text("outlook")
    assert_accessible(page)

    article.get_by_label("Reason (optional)").fill("Same person: her old web account")
    article.get_by_role("button", name="Merge").tap()

    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    merges = page.locator("section", has=page.get_by_role("heading", name="Recent merges"))
    expect(merges).to_contain_text("Same person: her old web account")
    twin.refresh_from_db()
    assert twin.merged_into_id == caroline.pk

    merges.get_by_label("Why undo").fill("Her sister, as it turns out")
    merges.get_by_role("button", name="Undo").tap()

    expect(merges).to_contain_text(re.compile("Undone .*: Her sister, as it turns out"))
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    assert CustomerMerge.objects.get().undo_reason == "Her sister, as it turns out"
    assert_accessible(page)
