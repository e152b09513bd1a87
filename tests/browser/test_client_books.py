"""A manager gives an unowned private client to an associate from the client books, on a tablet."""

import pytest
from playwright.sync_api import Page, expect

from customers.models import StoreRelationship, ValueTier
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_assigns_an_unowned_private_client(
    page: Page, manager, associate, store, consenting_customer
):
    StoreRelationship.objects.create(
        customer=consenting_customer, store=store, tier=ValueTier.PRIVATE_CLIENT, spend_12m=9000
    )
    sign_in(page, "maya")
    page.locator("details.menu > summary", has_text="Manage").tap()
    page.get_by_role("link", name="Client books").tap()

    expect(page.get_by_role("heading", name="Private clients without an owner: 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Assign them").tap()
    page.get_by_label("Tick Zoë Okafor").check()
    page.locator("#associate").select_option(label=associate.get_full_name())
    page.get_by_role("button", name="Assign the ticked").tap()

    expect(page.get_by_role("status")).to_contain_text(
        f"1 customer now looked after by {associate.get_full_name()}"
    )
    expect(page.get_by_role("heading", name="Private clients without an owner: 0")).to_be_visible()
    assert StoreRelationship.objects.get().assigned_associate == associate
    assert_accessible(page)
