"""The customer card: her header and history, who may open it, its query count, and the panels' forms
and actions (with and without JavaScript)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.services import save_category
from consent.models import PurposeCode
from customers.models import Size
from outreach.models import Appointment, Channel, InboundMessage, Look, LookItem, Message, Use, WishlistItem
from relationships.models import FollowUp, Note
from tests.factories import (
    CustomerFactory,
    IdentifierFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    StoreFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def card_url(customer, suffix=""):
    return f"/customers/{customer.public_id}/{suffix}"


# The card


def test_card_shows_her_header_and_history(signed_in, consenting_customer, store):
    order = OrderFactory(customer=consenting_customer, store=store)
    OrderLineFactory(order=order, line_number=1)

    response = signed_in.get(card_url(consenting_customer))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Zoë Okafor" in content
    assert "Profile shared" in content
    assert "Bought in store" in content


def test_card_of_a_customer_who_withdrew_is_not_found(signed_in, consenting_customer, withdraw):
    withdraw(consenting_customer, [PurposeCode.PROFILE])

    assert signed_in.get(card_url(consenting_customer)).status_code == 404


def test_card_of_another_stores_customer_is_not_found(client, outsider, consenting_customer):
    client.force_login(outsider)

    assert client.get(card_url(consenting_customer)).status_code == 404


def test_viewing_a_card_is_audited(signed_in, associate, consenting_customer):
    signed_in.get(card_url(consenting_customer))

    assert consenting_customer.audit_events.filter(action="customer.viewed", actor=associate).count() == 1


def test_the_next_timeline_page_is_a_fragment(signed_in, consenting_customer, store):
    for n in range(25):
        OrderFactory(customer=consenting_customer, store=store, placed_at=timezone.now() - timedelta(days=n))
    first = signed_in.get(card_url(consenting_customer)).context["page"]

    response = signed_in.get(card_url(consenting_customer), {"cursor": first.next_cursor}, **HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.count(b'class="entry entry-') == 6  # 25 orders + opt-in, 20 on page one


def test_without_javascript_older_history_is_a_whole_page(signed_in, consenting_customer, store):
    for n in range(25):
        OrderFactory(customer=consenting_customer, store=store, placed_at=timezone.now() - timedelta(days=n))
    first = signed_in.get(card_url(consenting_customer)).context["page"]

    response = signed_in.get(card_url(consenting_customer), {"cursor": first.next_cursor})

    assert response.status_code == 200
    assert b"<html" in response.content
    assert response.content.count(b'class="entry entry-') == 6


def test_a_forged_timeline_cursor_gets_a_400(signed_in, consenting_customer):
    response = signed_in.get(card_url(consenting_customer), {"cursor": "forged"}, **HTMX)

    assert response.status_code == 400


def _fill_every_panel(customer, store, associate, *, rows):  # type: ignore[no-untyped-def]
    """``rows`` of each of her outreach panels: appointments with products to prepare, looks with
    items, wishes, messages waiting (each from a store), and open follow-ups."""
    now = timezone.now()
    products = ProductFactory.create_batch(3)
    for n in range(rows):
        appointment = Appointment.objects.create(
            customer=customer,
            store=store,
            associate=associate,
            starts_at=now + timedelta(days=n + 1),
            ends_at=now + timedelta(days=n + 1, minutes=30),
            purpose=Appointment.Purpose.FITTING,
            created_at=now,
        )
        appointment.products.set(products)
        look = Look.objects.create(
            customer=customer,
            store=store,
            title=f"Look {n}",
            created_at=now,
            expires_at=now + timedelta(days=9),
        )
        LookItem.objects.bulk_create(LookItem(look=look, product=p) for p in products)
        WishlistItem.objects.create(
            customer=customer,
            product=ProductFactory(),
            added_via=WishlistItem.AddedVia.ASSOCIATE,
            added_by=associate,
            created_at=now,
        )
        Message.objects.create(
            customer=customer,
            store=StoreFactory(),
            sent_by=associate,
            use=Use.OUTREACH,
            channel=Channel.EMAIL,
            body="Hello",
            send_after=now + timedelta(hours=n + 1),
            created_at=now,
        )
        FollowUp.objects.create(
            customer=customer,
            store=store,
            created_by=associate,
            assigned_to=associate,
            title=f"Call {n}",
            due_on=now.date(),
        )
        InboundMessage.objects.create(
            store=store,
            customer=customer,
            sender="+447911123456",
            channel=Channel.WHATSAPP if n == 0 else Channel.SMS,  # WhatsApp is offered to answer her
            provider="whatsapp" if n == 0 else "sms",
            provider_message_id=f"SM-{n}",
            body=f"Her reply {n}",
            received_at=now,
        )


@pytest.mark.parametrize(("orders", "rows"), [(5, 1), (500, 8)])
def test_the_card_costs_the_same_queries_however_long_her_history_and_full_her_panels(
    signed_in, consenting_customer, store, associate, orders, rows, django_assert_num_queries
):
    OrderFactory.create_batch(orders, customer=consenting_customer, store=store)
    IdentifierFactory(customer=consenting_customer, kind="phone", value="+447911123456", is_primary=True)
    _fill_every_panel(consenting_customer, store, associate, rows=rows)
    signed_in.get("/")  # the idle lock's first write of the session happens here, not below

    # session, user, customer, store, audit insert; card: her parts (store standings, consent,
    # identifiers, preferences, dates, sizes, follow-ups, spend: one statement); suggestions; the
    # timeline's page (one statement, whatever kinds it holds); outreach: appointments (with what to
    # prepare), looks, wishlist, waiting messages and her thread with the store (and when she last
    # wrote there on WhatsApp, which decides whether WhatsApp is offered) in one statement.
    # The panels' forms (the message form and its templates too), and their choices, are drawn only
    # when opened.
    with django_assert_num_queries(9):
        response = signed_in.get(card_url(consenting_customer))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Change</a>") == min(rows, 5)  # her next five appointments
    assert len(response.context["outreach"].waiting) == rows
    assert response.context["outreach"].appointments[0].products_to_prepare
    assert f"Look {rows - 1}" in page  # the latest
    assert "3 items" in page
    assert len(response.context["outreach"].thread.entries) == rows  # her replies here
    assert f"Her reply {rows - 1}" in page
    assert "whatsapp" in response.context["message_channels"]  # answering her there, no query more


# Acting on the card


def test_adding_a_note_with_htmx_returns_the_form_and_the_refreshed_timeline(signed_in, consenting_customer):
    response = signed_in.post(card_url(consenting_customer, "notes/"), {"body": "Loves linen"}, **HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'hx-swap-oob="true"' in response.content
    assert b"Loves linen" in response.content
    assert Note.objects.filter(customer=consenting_customer).count() == 1


def test_a_sensitive_note_asks_for_confirmation_and_saves_nothing_yet(signed_in, consenting_customer):
    response = signed_in.post(card_url(consenting_customer, "notes/"), {"body": "She is pregnant"}, **HTMX)

    assert response.status_code == 409
    assert b"seems to mention pregnancy" in response.content
    assert b"Save anyway" in response.content
    assert not Note.objects.exists()

    signed_in.post(
        card_url(consenting_customer, "notes/"), {"body": "She is pregnant", "confirmed": "True"}, **HTMX
    )
    assert Note.objects.get().review == Note.Review.PENDING


def test_script_in_a_note_is_shown_as_text(signed_in, consenting_customer):
    signed_in.post(card_url(consenting_customer, "notes/"), {"body": "<script>alert(1)</script>"}, **HTMX)

    response = signed_in.get(card_url(consenting_customer))

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_without_javascript_an_action_redirects_back_to_the_card(signed_in, consenting_customer):
    dresses = save_category(code="dresses", name="Dresses")

    response = signed_in.post(card_url(consenting_customer, "sizes/"), {"category": dresses.pk, "size": "12"})

    assert response.status_code == 302
    assert response["Location"] == card_url(consenting_customer)
    assert Size.objects.get(customer=consenting_customer).size == "12"


def test_an_invalid_size_comes_back_with_the_error_and_saves_nothing(signed_in, consenting_customer):
    response = signed_in.post(card_url(consenting_customer, "sizes/"), {"size": "12"}, **HTMX)

    assert response.status_code == 422
    assert b"This field is required" in response.content
    assert not Size.objects.exists()


def test_a_follow_up_is_created_and_marked_done_in_place(signed_in, consenting_customer):
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = signed_in.post(
        card_url(consenting_customer, "follow-ups/"), {"title": "Call back", "due_on": due}, **HTMX
    )
    assert b"Call back" in response.content
    follow_up = FollowUp.objects.get()

    response = signed_in.post(card_url(consenting_customer, f"follow-ups/{follow_up.pk}/done/"), **HTMX)

    assert b"Nothing to follow up" in response.content
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE


def test_actions_on_an_invisible_customer_are_refused(signed_in, store):
    stranger = CustomerFactory(home_store=store)

    response = signed_in.post(card_url(stranger, "notes/"), {"body": "hello"}, **HTMX)

    assert response.status_code == 404
    assert not Note.objects.exists()


# The panels' forms, drawn when opened


def test_the_card_draws_no_panel_form_until_the_associate_opens_one(signed_in, consenting_customer):
    page = signed_in.get(card_url(consenting_customer)).content.decode()

    assert 'name="category"' not in page  # the size and preference forms' choices
    assert card_url(consenting_customer, "forms/size/") in page  # what opening the panel fetches

    fragment = signed_in.get(card_url(consenting_customer, "forms/size/"), **HTMX)
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'name="category"' in fragment.content
    assert card_url(consenting_customer, "sizes/").encode() in fragment.content


def test_without_javascript_a_panel_form_is_a_page_of_its_own(signed_in, consenting_customer):
    response = signed_in.get(card_url(consenting_customer, "forms/preference/"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert "Add a preference" in page
    assert card_url(consenting_customer, "preferences/") in page


def test_an_unknown_form_or_a_customer_out_of_sight_is_not_found(signed_in, consenting_customer, withdraw):
    assert signed_in.get(card_url(consenting_customer, "forms/nothing/")).status_code == 404
    withdraw(consenting_customer)
    assert signed_in.get(card_url(consenting_customer, "forms/size/")).status_code == 404


def test_a_form_with_errors_comes_back_open_in_its_panel(signed_in, consenting_customer):
    response = signed_in.post(card_url(consenting_customer, "sizes/"), {"size": ""}, **HTMX)

    assert response.status_code == 422
    assert b"<details open" in response.content
    assert b'name="category"' in response.content


def test_each_action_says_what_it_did_in_the_cards_live_region(signed_in, consenting_customer):
    note = signed_in.post(card_url(consenting_customer, "notes/"), {"body": "Prefers linen"}, **HTMX)

    assert note.status_code == 200
    assert '<div id="card-status" class="card-status" role="status" hx-swap-oob="true">Note saved.</div>' in (
        note.content.decode()
    )


def test_without_javascript_the_action_says_what_it_did_on_the_card_it_returns_to(
    signed_in, consenting_customer
):
    response = signed_in.post(card_url(consenting_customer, "notes/"), {"body": "Prefers linen"}, follow=True)

    assert b'<div role="status"><ul class="messages"><li>Note saved.</li>' in response.content
