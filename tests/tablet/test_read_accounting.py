"""Every read of a customer's data is accounted for: one view event per opening of her card (its
fragments and further timeline pages ride on the opening's signed token), a view of its own for a
request that comes without one, and a listing event (ids and a count, never the query) for every
list that shows customers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def card_url(customer, suffix=""):
    return f"/customers/{customer.public_id}/{suffix}"


def views_of(customer):
    return list(
        AuditEvent.objects.filter(action="customer.viewed", customer=customer).values_list(
            "detail", flat=True
        )
    )


@pytest.fixture
def long_history(consenting_customer, store):
    for n in range(45):
        OrderFactory(customer=consenting_customer, store=store, placed_at=timezone.now() - timedelta(days=n))
    return consenting_customer


def test_scrolling_her_history_is_part_of_the_one_opening(signed_in, long_history):
    first = signed_in.get(card_url(long_history)).context["page"]
    second = signed_in.get(card_url(long_history), {"cursor": first.next_cursor}, **HTMX).context["page"]
    signed_in.get(card_url(long_history), {"cursor": second.next_cursor}, **HTMX)

    assert len(views_of(long_history)) == 1


def test_a_cursor_handed_out_to_a_colleague_is_refused(client, signed_in, teammate, long_history):
    cursor = signed_in.get(card_url(long_history)).context["page"].next_cursor
    client.force_login(teammate)

    response = client.get(card_url(long_history), {"cursor": cursor}, **HTMX)

    assert response.status_code == 400
    assert b"not valid" in response.content


def test_a_cursor_of_one_customer_is_refused_on_another(signed_in, long_history, store, grant):
    from tests.factories import CustomerFactory

    other = CustomerFactory(home_store=store)
    grant(other)
    cursor = signed_in.get(card_url(long_history)).context["page"].next_cursor

    assert signed_in.get(card_url(other), {"cursor": cursor}, **HTMX).status_code == 400


def test_an_unsigned_cursor_of_the_old_kind_is_a_400(signed_in, long_history):
    response = signed_in.get(card_url(long_history), {"cursor": "MjAyNi0wMS0wMXxvcmRlcnwx"}, **HTMX)

    assert response.status_code == 400


def test_a_fragment_from_the_opened_card_adds_no_view(signed_in, consenting_customer):
    opening = signed_in.get(card_url(consenting_customer)).context["opening"]

    response = signed_in.post(
        card_url(consenting_customer, "notes/"),
        {"body": "Prefers a quiet fitting room"},
        HTTP_X_CARD_OPENING=opening,
        **HTMX,
    )

    assert response.status_code == 200
    assert len(views_of(consenting_customer)) == 1


@pytest.mark.parametrize("token", ["", "forged", "from-another-card"])
def test_a_fragment_without_this_cards_opening_is_a_view_of_its_own(
    signed_in, consenting_customer, store, grant, token
):
    if token == "from-another-card":
        from tests.factories import CustomerFactory

        other = CustomerFactory(home_store=store)
        grant(other)
        token = signed_in.get(card_url(other)).context["opening"]
    headers = {"HTTP_X_CARD_OPENING": token} if token else {}

    signed_in.post(card_url(consenting_customer, "notes/"), {"body": "Likes linen"}, **headers, **HTMX)

    assert views_of(consenting_customer) == [{"via": "note"}]


def test_a_colleagues_opening_does_not_cover_me(client, signed_in, teammate, consenting_customer):
    opening = signed_in.get(card_url(consenting_customer)).context["opening"]
    client.force_login(teammate)

    client.post(card_url(consenting_customer, "notes/"), {"body": "x"}, HTTP_X_CARD_OPENING=opening, **HTMX)

    assert AuditEvent.objects.filter(action="customer.viewed", actor=teammate).count() == 1


@pytest.mark.parametrize(("suffix", "via"), [("looks/new/", "look"), ("appointments/new/", "appointment")])
def test_pages_that_start_a_look_or_an_appointment_record_a_view(signed_in, consenting_customer, suffix, via):
    response = signed_in.get(card_url(consenting_customer, suffix))

    assert response.status_code == 200
    assert views_of(consenting_customer) == [{"via": via}]


def test_a_search_records_whom_it_showed_and_never_what_was_typed(signed_in, associate, consenting_customer):
    signed_in.post("/customers/", {"q": "okafor"}, **HTMX)

    listing = AuditEvent.objects.get(action="customers.listed")
    assert listing.actor == associate
    assert listing.detail == {"page": "search", "shown": [consenting_customer.pk], "count": 1}
    assert "okafor" not in str(listing.detail).lower()


def test_a_search_that_shows_no_one_records_nothing(signed_in, consenting_customer):
    signed_in.post("/customers/", {"q": "nobody-by-this-name"}, **HTMX)

    assert not AuditEvent.objects.filter(action="customers.listed").exists()


def test_my_day_records_the_customers_it_listed(signed_in, consenting_customer):
    signed_in.get(card_url(consenting_customer))  # recently viewed

    signed_in.get("/")

    listing = AuditEvent.objects.get(action="customers.listed")
    assert listing.detail["page"] == "my day"
    assert consenting_customer.pk in listing.detail["shown"]
