"""Occasions and campaigns on a real browser at tablet size: the associate's My day opens on whom to
contact and why, one tap dismisses one and another opens her card with the message ready, sent it is
done; a manager drafts a campaign, sees whom it reaches and launches it into the associates' days;
another from an uploaded list, reported by line, followed on the dashboard."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from customers.models import CustomerIdentifier, StoreRelationship
from occasions import generate
from occasions.defaults import install_default_rules
from occasions.models import Campaign, Kind, Occasion, OccasionRule
from outreach.models import MessageTemplate
from tests.browser import test_outreach as outreach
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import CustomerFactory, IdentifierFactory, OrderFactory

open_all_day = outreach.open_all_day  # quiet hours off, the default templates back
reachable = outreach.reachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rules(open_all_day):  # type: ignore[no-untyped-def]
    install_default_rules(OccasionRule, MessageTemplate)


def thanks(customer, store) -> None:  # type: ignore[no-untyped-def]
    OrderFactory(
        customer=customer,
        store=store,
        total_amount=Decimal("420.00"),
        placed_at=timezone.now() - timedelta(hours=2),
    )
    generate.for_customers([customer.pk], [Kind.THANK_YOU])


def test_my_day_opens_on_her_occasions_one_tap_dismisses_and_a_message_closes_one(
    page: Page, associate, open_all_day, reachable, grant, rules
) -> None:
    StoreRelationship.objects.update_or_create(
        customer=reachable, store=open_all_day, defaults={"assigned_associate": associate}
    )
    other = CustomerFactory(given_name="Ines", family_name="Moreau", home_store=open_all_day)
    StoreRelationship.objects.create(customer=other, store=open_all_day, assigned_associate=associate)
    IdentifierFactory(customer=other, kind=CustomerIdentifier.Kind.EMAIL, value="ines@example.com")
    grant(other, store=open_all_day)
    thanks(reachable, open_all_day)
    thanks(other, open_all_day)

    sign_in(page, "ava")
    occasions = page.locator("#occasions")
    expect(occasions).to_contain_text("Zoë Okafor")
    expect(occasions).to_contain_text("She spent 420.00 GBP")
    assert_accessible(page)

    row = occasions.locator("li.occasion", has_text="Ines Moreau")
    row.locator("summary", has_text="Dismiss").tap()
    row.get_by_role("button", name="Already in touch").tap()
    expect(page.locator("#occasions")).not_to_contain_text("Ines Moreau")  # htmx: the list redrawn
    assert Occasion.objects.get(customer=other).status == Occasion.Status.DISMISSED

    page.locator("li.occasion", has_text="Zoë Okafor").get_by_role("link", name="Message her").tap()
    expect(page.get_by_label("Message", exact=True)).to_have_value(
        re.compile("thank you for your visit", re.I)
    )
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_role("button", name="Send").tap()
    expect(page.get_by_role("status")).to_contain_text("Your message is on its way.")
    occasion = Occasion.objects.get(customer=reachable)
    assert (occasion.status, occasion.outcome) == (Occasion.Status.DONE, Occasion.Outcome.MESSAGE)
    page.goto("/")
    expect(page.locator("#occasions")).to_contain_text("Nobody to contact today")


def new_campaign(page: Page, name: str, store: str) -> None:
    """Maya opens a new campaign from the menu and gives it a name, her store and a message."""
    sign_in(page, "maya")
    page.locator("details.menu > summary", has_text="Manage").tap()
    page.get_by_role("link", name="Campaigns").tap()
    page.get_by_role("link", name="New campaign").tap()
    page.get_by_label("Name").fill(name)
    page.get_by_label(store).check()
    page.get_by_label("Message to suggest").select_option(label="New arrivals (en)")


def test_a_manager_drafts_a_campaign_sees_whom_it_reaches_and_launches_it(
    page: Page, manager, associate, open_all_day, reachable, rules
) -> None:
    new_campaign(page, "Winter coats", open_all_day.name)
    assert_accessible(page)
    page.get_by_role("button", name="Save the draft").tap()

    expect(page.get_by_text("1 client in the stores' lists.")).to_be_visible()
    expect(
        page.get_by_text("Left out: 0 who have not agreed to this channel, 0 with no address for it.")
    ).to_be_visible()
    page.get_by_role("button", name="Launch: split it into the stores' lists").tap()

    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Ava")
    assert_accessible(page)
    assert Campaign.objects.get().status == Campaign.Status.ACTIVE
    assert Occasion.objects.get(kind=Kind.CAMPAIGN).owner == associate


def test_a_manager_runs_a_campaign_from_a_list_and_follows_it_on_the_dashboard(
    page: Page, manager, associate, open_all_day, reachable, rules
) -> None:
    other = CustomerFactory(home_store=open_all_day)  # of the store, but not on the list
    StoreRelationship.objects.create(customer=other, store=open_all_day)
    new_campaign(page, "Private sale", open_all_day.name)
    page.get_by_label("The list's ids are").select_option(label="E-mail addresses")
    page.get_by_label("Or only the clients of a list").set_input_files(
        files=[
            {"name": "vip.csv", "mimeType": "text/csv", "buffer": b"email\nZOE@example.com\nnot-an-address\n"}
        ]
    )
    assert_accessible(page)
    page.get_by_role("button", name="Save the draft").tap()

    expect(page.get_by_text("1 of 2 rows matched a client.")).to_be_visible()
    expect(page.get_by_role("row", name="3 not an id of this kind")).to_be_visible()
    expect(page.get_by_text("1 client in the stores' lists.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Launch: split it into the stores' lists").tap()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    assert list(Occasion.objects.filter(kind=Kind.CAMPAIGN).values_list("customer_id", flat=True)) == [
        reachable.pk
    ]

    page.locator("details.menu > summary", has_text="Manage").tap()
    page.get_by_role("link", name="Dashboard").tap()
    campaigns = page.locator("section", has=page.get_by_role("heading", name="Campaigns"))
    expect(campaigns.get_by_role("link", name="Private sale")).to_be_visible()
    expect(page.get_by_role("heading", name="Occasions due and done")).to_be_visible()
    assert_accessible(page)
