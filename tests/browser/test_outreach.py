"""Outreach on a real browser: a message from the card, a look she opens on her phone, an appointment."""

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from consent.models import PurposeCode
from customers.models import Customer, CustomerIdentifier
from outreach.defaults import DEFAULT_TEMPLATES
from outreach.looks import look_path
from outreach.models import Appointment, Look, Message, MessageTemplate, WishlistItem
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import CustomerFactory, IdentifierFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_all_day(store):  # type: ignore[no-untyped-def]
    """The default store keeps quiet hours 21:00–09:00: switch them off so a message goes at any hour.
    Transactional tests flush the templates migration 0002 installed, so put them back."""
    store.quiet_hours_start = store.quiet_hours_end = time(0, 0)
    store.save()
    for language, templates in DEFAULT_TEMPLATES.items():
        for use, name, subject, body in templates:
            MessageTemplate.objects.get_or_create(
                store=None, use=use, language=language, name=name, defaults={"subject": subject, "body": body}
            )
    return store


@pytest.fixture
def reachable(open_all_day, grant) -> Customer:  # type: ignore[no-untyped-def]
    """Zoë grants every purpose and has an e-mail and a phone on file."""
    customer = CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=open_all_day, locale="en")
    IdentifierFactory(
        customer=customer, kind=CustomerIdentifier.Kind.EMAIL, value="zoe@example.com", is_primary=True
    )
    IdentifierFactory(
        customer=customer, kind=CustomerIdentifier.Kind.PHONE, value="+447911123456", is_primary=True
    )
    grant(customer, store=open_all_day)
    return customer


def assert_checked(page: Page) -> None:
    """axe, and no two elements sharing an id (a label or aria-labelledby would name the wrong one)."""
    ids = page.evaluate(
        "() => [...document.querySelectorAll('[id]')].map(e => e.id)"
        ".filter((id, i, all) => all.indexOf(id) !== i)"
    )
    assert ids == [], f"duplicate ids: {ids}"
    assert_accessible(page)


def open_card(page: Page, customer: Customer) -> None:
    sign_in(page, "ava")
    expect(page.get_by_role("heading", name=re.compile("Hello, Ava"))).to_be_visible()
    page.goto(f"/customers/{customer.public_id}/")
    expect(page.get_by_role("heading", name=customer.display_name, exact=True)).to_be_visible()


def test_an_associate_writes_from_a_template_and_sends_an_email(page: Page, associate, reachable) -> None:
    open_card(page, reachable)
    message = page.locator("#message")
    assert_checked(page)

    message.get_by_text("Write to her").tap()  # the form is drawn when she opens it
    message.get_by_label("Start from").select_option(label="New arrivals")
    message.get_by_role("button", name="Use this text").tap()
    body = message.get_by_label("Message", exact=True)
    expect(body).to_have_value(re.compile(r"^Hello Zoë, new pieces have just arrived"))
    expect(message.get_by_label("Subject (e-mail)")).to_have_value("New at London Marylebone")

    body.fill("Hello Zoë, the linen dresses you loved have just arrived in your size. Ava")
    message.get_by_role("radio", name="E-mail").check()
    message.get_by_role("button", name="Send").tap()

    expect(page.locator("#message").get_by_role("status")).to_contain_text("on its way")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("the linen dresses you loved")  # swapped in out of band
    expect(timeline).to_contain_text("E-mail")
    assert_checked(page)

    sent = Message.objects.get(customer=reachable)
    assert (sent.channel, sent.status) == ("email", Message.Status.SENT)
    assert [m.to for m in mail.outbox] == [["zoe@example.com"]]
    assert "the linen dresses you loved" in mail.outbox[0].body


def test_a_customer_who_did_not_agree_to_be_contacted_cannot_be_sent_anything(
    page: Page, associate, open_all_day, grant
) -> None:
    quiet = CustomerFactory(given_name="Nadia", family_name="Okafor", home_store=open_all_day)
    IdentifierFactory(
        customer=quiet, kind=CustomerIdentifier.Kind.EMAIL, value="nadia@example.com", is_primary=True
    )
    grant(quiet, [PurposeCode.PROFILE], store=open_all_day)

    open_card(page, quiet)
    message = page.locator("#message")
    expect(message).to_contain_text("has not agreed to be contacted")
    expect(message.get_by_role("button", name="Send")).to_have_count(0)
    expect(message.get_by_label("Start from")).to_have_count(0)
    assert_checked(page)


def test_a_look_shared_in_the_store_is_liked_and_kept_on_her_phone(
    page: Page, phone: Page, associate, reachable
) -> None:
    blazer = ProductFactory(name="Linen blazer")
    trousers = ProductFactory(name="Linen trousers")
    ProductFactory(name="Wool coat")
    open_card(page, reachable)

    page.get_by_role("link", name="Put a look together").tap()
    expect(page.get_by_role("heading", name="A look for Zoë Okafor")).to_be_visible()
    assert_checked(page)
    page.get_by_label("Product name, brand or SKU").fill("linen")
    page.get_by_role("button", name="Find").tap()
    page.get_by_label(re.compile("Linen blazer")).check()
    page.get_by_label(re.compile("Linen trousers")).check()
    expect(page.get_by_label(re.compile("Wool coat"))).to_have_count(0)
    page.get_by_label("Title").fill("For the summer wedding")
    page.get_by_label("A word for her").fill("Light and easy to wear all day.")
    page.get_by_role("button", name="Save the look").tap()

    expect(page.get_by_role("heading", name=re.compile("For the summer wedding"))).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.get_by_role("button", name="Send the look")).to_be_visible()
    expect(page.get_by_label("Message", exact=True)).to_have_value(re.compile("/l/"))
    assert_checked(page)

    look = Look.objects.get(customer=reachable)
    phone.goto(look_path(look))  # her phone: nobody signed in
    expect(phone.get_by_role("heading", name="For the summer wedding")).to_be_visible()
    expect(phone.get_by_text("For Zoë, chosen by Ava")).to_be_visible()
    assert_checked(phone)

    blazer_item = phone.locator("li.look-item", has=phone.get_by_role("heading", name="Linen blazer"))
    trousers_item = phone.locator("li.look-item", has=phone.get_by_role("heading", name="Linen trousers"))
    blazer_item.get_by_role("button", name="I like it").tap()
    expect(blazer_item.get_by_role("button", name="I like it ✓")).to_have_attribute("aria-pressed", "true")
    trousers_item.get_by_role("button", name="Keep on my wishlist").tap()
    expect(trousers_item.get_by_text("On your wishlist")).to_be_visible()
    expect(trousers_item.get_by_role("button", name="I like it")).to_have_attribute("aria-pressed", "false")
    width = phone.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 390, "the look scrolls sideways on her phone"
    assert_checked(phone)

    assert look.items.get(product=blazer).liked_at is not None
    assert WishlistItem.objects.get(customer=reachable).product == trousers

    page.goto(f"/customers/{reachable.public_id}/")
    looks = page.locator("#looks")
    expect(looks).to_contain_text("For the summer wedding")
    expect(looks).to_contain_text("2 items · she likes 1")
    expect(looks).to_contain_text("opened")
    wishlist = page.locator("#wishlist")
    expect(wishlist).to_contain_text("Linen trousers")
    expect(wishlist).to_contain_text("added by her")
    assert_checked(page)


def test_an_appointment_booked_from_the_card_shows_on_my_day_and_the_stores_day(
    page: Page, associate, reachable, store
) -> None:
    zone = ZoneInfo(store.timezone)
    now = timezone.now().astimezone(zone)
    # The next five-minute step at least 10 minutes ahead: today, unless that is past midnight.
    ahead = now + timedelta(minutes=10)
    start = (ahead + timedelta(minutes=-ahead.minute % 5)).replace(second=0, microsecond=0)
    today = start.date() == now.date()
    open_card(page, reachable)

    page.get_by_role("link", name="Book an appointment").tap()
    expect(page.get_by_role("heading", name=re.compile("Book an appointment"))).to_be_visible()
    assert_checked(page)
    page.get_by_label("Day").fill(start.date().isoformat())
    page.get_by_label("Time").fill(f"{start:%H:%M}")
    page.get_by_label("Length").select_option("30")
    expect(page.get_by_label("With")).to_have_value(str(associate.pk))
    page.get_by_label("For", exact=True).select_option(label="Fitting")
    page.get_by_label("To prepare or remember").fill("The linen dresses in a 12")
    page.get_by_label("Confirm to her by").select_option(label="E-mail")
    page.get_by_role("button", name="Book", exact=True).tap()

    expect(
        page.get_by_text(re.compile(rf"Booked for {start:%A} {start.day} {start:%B} at {start:%H:%M}"))
    ).to_be_visible()
    appointments = page.locator("#appointments")
    expect(appointments).to_contain_text(f"{start.day} {start:%b}, {start:%H:%M}")
    expect(appointments).to_contain_text("Fitting with Ava")
    assert_checked(page)

    booked = Appointment.objects.get(customer=reachable)
    assert booked.starts_at == start
    assert (booked.associate, booked.duration) == (associate, timedelta(minutes=30))

    page.get_by_role("link", name="My day").tap()
    mine = page.get_by_role("region", name="Your appointments today")
    if today:
        expect(mine).to_contain_text(f"{start:%H:%M} · Zoë Okafor")
        expect(mine).to_contain_text("Fitting")
    else:
        expect(mine).to_contain_text("No appointments today.")
    assert_checked(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appointments").tap()
    expect(page.get_by_role("heading", name=re.compile(r"^Appointments"))).to_be_visible()
    if not today:
        page.goto(f"/appointments/?day={start.date().isoformat()}")
    row = page.get_by_role("row", name=re.compile("Zoë Okafor"))
    end = start + timedelta(minutes=30)
    expect(row).to_contain_text(f"{start:%H:%M}–{end:%H:%M}")
    expect(row).to_contain_text("Fitting")
    expect(row).to_contain_text("The linen dresses in a 12")
    assert_checked(page)
