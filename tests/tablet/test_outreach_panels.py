"""The card's outreach panels as an associate uses them: a message from a template, sent under the
rules, and an appointment booked from the page."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from outreach.models import Appointment, Message, MessageTemplate
from tests.outreach import conftest as outreach
from tests.outreach.conftest import set_quiet_hours_around

# Outreach's fixtures: a store with no quiet hours unless a test sets them, a reachable customer, the
# default templates.
store = outreach.store
reachable = outreach.reachable
templates = outreach.templates

HTMX = {"HX-Request": "true"}


def card(customer) -> str:  # type: ignore[no-untyped-def]
    return f"/customers/{customer.public_id}/"


def test_the_card_offers_the_message_form_and_draws_it_when_opened(client, reachable, associate, templates):
    client.force_login(associate)

    page = client.get(card(reachable)).content.decode()
    assert "Write to her" in page
    assert 'name="body"' not in page.split('id="message"')[1].split("</section>")[0]

    panel = client.get(f"{card(reachable)}messages/compose/", headers=HTMX).content.decode()
    assert "<html" not in panel  # the panel alone, for htmx to swap in
    assert '<section id="message"' in panel
    assert 'name="body"' in panel
    assert "Start from" in panel


def test_without_javascript_the_message_form_is_a_page_of_its_own(client, reachable, associate, templates):
    client.force_login(associate)

    response = client.get(f"{card(reachable)}messages/compose/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert 'name="body"' in page
    assert reachable.display_name in page


def test_choosing_a_template_fills_the_message_with_her_details(
    client, reachable, store, associate, templates
):
    client.force_login(associate)
    template = MessageTemplate.objects.get(name="Back in stock", language="en", store=None)

    response = client.get(f"{card(reachable)}messages/compose/", {"template": template.pk}, headers=HTMX)

    page = response.content.decode()
    assert "Hello Zoë, good news" in page
    assert "Ava, London Marylebone" in page


def test_sending_from_the_card_queues_it_logs_it_on_her_history_and_sends_it(
    client, reachable, store, associate, django_capture_on_commit_callbacks
):
    client.force_login(associate)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{card(reachable)}messages/",
            {"channel": "email", "subject": "Your size", "body": "It is back <script>alert(1)</script>"},
            headers=HTMX,
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert "on its way" in page
    assert 'id="timeline"' in page  # the history, refreshed out of band
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert Message.objects.get().status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_a_blocked_message_says_why_and_offers_to_wait_for_the_morning(client, reachable, store, associate):
    client.force_login(associate)
    set_quiet_hours_around(store)
    data = {"channel": "sms", "body": "New arrivals"}

    refused = client.post(f"{card(reachable)}messages/", data, headers=HTMX)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "quiet hours" in page
    assert "Send at" in page
    assert not Message.objects.exists()

    waiting = client.post(f"{card(reachable)}messages/", {**data, "after_quiet_hours": "True"}, headers=HTMX)
    assert waiting.status_code == 200
    message = Message.objects.get()
    assert message.status == Message.Status.QUEUED
    assert "after the store" in waiting.content.decode()

    cancelled = client.post(f"{card(reachable)}messages/{message.public_id}/cancel/", headers=HTMX)
    assert cancelled.status_code == 200
    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED


def test_a_channel_she_did_not_allow_cannot_be_forced(client, consenting_customer, associate):
    client.force_login(associate)

    response = client.post(
        f"{card(consenting_customer)}messages/", {"channel": "email", "body": "Hi"}, headers=HTMX
    )

    assert response.status_code == 422
    assert not Message.objects.exists()


def test_nobody_outside_her_stores_can_message_her(client, reachable, outsider):
    client.force_login(outsider)

    response = client.post(f"{card(reachable)}messages/", {"channel": "email", "body": "Hi"})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_booking_from_the_page_and_a_clash_is_a_409_with_the_reason(
    client, reachable, store, associate, templates
):
    client.force_login(associate)
    day = (timezone.now().astimezone(ZoneInfo(store.timezone)) + timedelta(days=2)).date()
    data = {
        "day": day.isoformat(),
        "time": "11:00",
        "duration": "45",
        "associate": associate.pk,
        "purpose": "styling",
        "notify_by": "",
    }

    booked = client.post(f"{card(reachable)}appointments/new/", data)
    clash = client.post(f"{card(reachable)}appointments/new/", {**data, "time": "11:30"})

    assert booked.status_code == 302
    assert clash.status_code == 409
    assert "already has an appointment from 11:00 to 11:45" in clash.content.decode()
    assert Appointment.objects.count() == 1
    card_page = client.get(card(reachable)).content.decode()
    assert "Styling session" in card_page
