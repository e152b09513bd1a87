"""Conversations on a real browser at tablet size: her text arrives through the signed webhook, the
top bar counts it without a reload, the associate answers her from her card and works the inbox."""

import json
import re
import time
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from outreach.looks import add_to_wishlist
from outreach.models import Conversation, Message, Use
from tests.browser import test_outreach as outreach
from tests.browser.test_outreach import assert_checked, open_card
from tests.factories import ProductFactory
from tests.webhook_calls import sign

# Outreach's fixtures: a store open all day with the default templates, and Zoë, who allows everything.
open_all_day = outreach.open_all_day
reachable = outreach.reachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def her_text(base_url: str, body: str, sender: str = "+447911123456") -> None:
    """As the SMS provider forwards it: signed, timestamped, over HTTP."""
    payload = json.dumps({"id": f"SM{uuid.uuid4().hex}", "from": sender, "text": body}).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{base_url}/sms/replies/",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": stamp,
            "X-Signature": sign(payload, stamp),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert json.loads(response.read())["received"] == 1


def test_her_reply_is_counted_in_the_top_bar_answered_from_her_card_and_done_in_the_inbox(
    page: Page,
    live_server,
    associate,
    reachable,
    open_all_day,
    settings,
) -> None:
    settings.SMS_INBOUND_SECRET = "s3cret"
    settings.SMS_BACKEND = "common.sms.LocmemSmsBackend"
    dress = ProductFactory(name="Linen dress")
    add_to_wishlist(customer=reachable, product_id=dress.pk, by=associate, store=open_all_day)
    open_card(page, reachable)
    expect(page.locator("#inbox-unread")).to_be_hidden()

    her_text(live_server.url, "Yes! Can you keep the linen dress for Saturday?")

    page.goto(f"{live_server.url}/")  # My day: her thread is not on it
    badge = page.locator("#inbox-unread")
    expect(badge).to_have_text(re.compile(r"^1"))  # fetched by htmx once the page loaded
    page.goto(f"/customers/{reachable.public_id}/")
    thread = page.locator("#message .thread")
    expect(thread).to_contain_text("Can you keep the linen dress for Saturday?")
    # Her thread in view: her conversation is read, and the top bar says so without a reload.
    expect(page.locator("#inbox-unread")).to_be_hidden()
    expect(page.locator("#message")).to_contain_text("does not count towards the weekly limit")
    assert_checked(page)

    message = page.locator("#message")
    message.get_by_text("Write to her").tap()
    # A quick answer fills the form on the channel she wrote on; the dress goes with it, as a link.
    message.get_by_role("link", name="I'll keep it for you").tap()
    expect(message.get_by_label("Message", exact=True)).to_have_value(re.compile("put it aside for you"))
    expect(message.get_by_role("radio", name="Text message")).to_be_checked()
    message.get_by_label("Attach").select_option(value=f"product:{dress.pk}")
    assert_checked(page)
    message.get_by_role("button", name="Send").tap()
    expect(page.locator("#message .thread")).to_contain_text("put it aside for you")
    expect(page.locator("#message .thread")).to_contain_text("Attached: Linen dress")
    answer = Message.objects.get(customer=reachable)
    assert answer.use == Use.REPLY
    assert answer.look is not None
    assert answer.look.title == "Linen dress"

    page.get_by_role("link", name=re.compile("Inbox")).tap()
    row = page.locator("#inbox-list li", has_text="Zoë Okafor")
    expect(row).to_contain_text("Can you keep the linen dress")
    assert_checked(page)
    row.get_by_role("button", name="Done").tap()
    expect(page.locator("#inbox-list")).to_contain_text("No conversations here.")
    assert Conversation.objects.get(customer=reachable).status == Conversation.Status.DONE


def test_a_text_from_an_unknown_number_is_read_and_linked_to_her_from_the_inbox(
    page: Page,
    live_server,
    associate,
    reachable,
    settings,
) -> None:
    settings.SMS_INBOUND_SECRET = "s3cret"
    open_card(page, reachable)
    her_text(live_server.url, "Hi, it's Zoë on my new phone: is the dress in?", sender="+447700123456")

    page.goto(f"{live_server.url}/inbox/?show=all")
    page.get_by_role("link", name="Unknown sender").tap()
    expect(page.locator("main")).to_contain_text("is the dress in?")
    page.get_by_label("Her name, e-mail, phone or loyalty number").fill("Okafor")
    result = page.locator("#link-results li", has_text="Zoë Okafor")
    expect(result).to_be_visible()  # htmx: the results as she types
    assert_checked(page)
    result.get_by_role("button", name="This is her").tap()

    expect(page.locator("#message .thread")).to_contain_text("is the dress in?")
    expect(page.locator("main")).to_contain_text("the number is on her profile")
    assert reachable.identifiers.filter(value="+447700123456").exists()
