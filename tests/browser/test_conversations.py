"""Conversations on a real browser at tablet size: her text arrives through the signed webhook, the
top bar counts it without a reload, the associate answers her from her card and works the inbox."""

import json
import re
import time
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from outreach.models import Conversation, Message, Use
from tests.browser import test_outreach as outreach
from tests.browser.test_outreach import assert_checked, open_card
from tests.webhook_calls import sign

# Outreach's fixtures: a store open all day with the default templates, and Zoë, who allows everything.
open_all_day = outreach.open_all_day
reachable = outreach.reachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def her_text(base_url: str, body: str) -> None:
    """As the SMS provider forwards it: signed, timestamped, over HTTP."""
    payload = json.dumps({"id": f"SM{uuid.uuid4().hex}", "from": "+447911123456", "text": body}).encode()
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
    settings,
) -> None:
    settings.SMS_INBOUND_SECRET = "s3cret"
    settings.SMS_BACKEND = "common.sms.LocmemSmsBackend"
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
    message.get_by_label("Message", exact=True).fill("Of course, Zoë: it is kept for you until Saturday. Ava")
    message.get_by_role("radio", name="Text message").check()
    message.get_by_role("button", name="Send").tap()
    expect(page.locator("#message .thread")).to_contain_text("it is kept for you until Saturday")
    answer = Message.objects.get(customer=reachable)
    assert answer.use == Use.REPLY

    page.get_by_role("link", name=re.compile("Inbox")).tap()
    row = page.locator("#inbox-list li", has_text="Zoë Okafor")
    expect(row).to_contain_text("Can you keep the linen dress")
    assert_checked(page)
    row.get_by_role("button", name="Done").tap()
    expect(page.locator("#inbox-list")).to_contain_text("No conversations here.")
    assert Conversation.objects.get(customer=reachable).status == Conversation.Status.DONE
