"""A manager reviews a likely duplicate on a tablet: merges it, then undoes the merge with a reason."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from identity.duplicates import find_duplicates
from identity.models import CustomerMerge
from tests.browser.test_tablet_flows import assert_accessible
from tests.factories import CustomerFactory, IdentifierFactory, OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def twins(store, grant):  # type: ignore[no-untyped-def]
    caroline = CustomerFactory(
        given_name="Caroline", family_name="Dupont", home_store=store, birth_date=date(1980, 3, 1)
    )
    grant(caroline, store=store)
    IdentifierFactory(customer=caroline, kind="email", value="caroline.dupont@gmail.com")
    twin = CustomerFactory(given_name="Caroline", family_name="Dupond", source="sales")
    IdentifierFactory(customer=twin, kind="email", value="caroline.dupont@outlook.com")
    OrderFactory(customer=twin, store=store)
    find_duplicates()
    return caroline, twin


def test_a_manager_merges_a_likely_duplicate_and_undoes_it(page: Page, manager, twins) -> None:
    caroline, twin = twins
    page.goto("/login/")
    page.get_by_label("Username").fill("maya")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").tap()
    page.get_by_role("link", name="Duplicates").tap()

    pair = page.get_by_role("article", name="Pair 1")
    expect(pair).to_contain_text("same e-mail name at another provider")
    expect(pair).to_contain_text("C.D. (not consenting to be seen)")  # the twin, by initials only
    expect(pair).not_to_contain_text("outlook")
    assert_accessible(page)

    pair.get_by_label("Reason (optional)").fill("Same person: her old web account")
    pair.get_by_role("button", name="Merge").tap()

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
