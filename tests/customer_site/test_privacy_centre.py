"""The privacy centre, principle by principle: access, data quality, non-disclosure, accountability."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import record_event
from consent.models import ConsentEvent, Method, PurposeCode
from customer_site.privacy_session import issue_link
from customers.models import Customer
from relationships.services import add_note
from tests.factories import CustomerFactory, IdentifierFactory, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zoe(consenting_customer, store, associate):
    IdentifierFactory(customer=consenting_customer, kind="email", value="zoe@example.com")
    order = OrderFactory(customer=consenting_customer, store=store)
    OrderLineFactory(order=order, product__name="Linen blazer")
    add_note(by=associate, customer=consenting_customer, store=store, body="Prefers a relaxed fit.")
    record_event(
        by=associate, action="customer.viewed", customer_id=consenting_customer.pk, store_id=store.pk
    )
    return consenting_customer


@pytest.fixture
def her_phone(zoe):
    """A browser signed in to Zoë's privacy centre through a sign-in link."""
    phone = Client()
    token = issue_link(zoe, channel="email").rsplit("/link/", 1)[1].strip("/")
    assert phone.post(f"/me/link/{token}/").status_code == 302
    return phone


def test_she_sees_everything_held_about_her_and_no_associate_by_name(her_phone, associate):
    page = her_phone.get("/me/").content.decode()

    for held in ("Zoë", "zoe@example.com", "Linen blazer", "Prefers a relaxed fit.", "London Marylebone"):
        assert held in page
    assert "Opened your profile" in page
    assert "Associate" in page
    assert associate.first_name not in page
    assert associate.username not in page


def test_the_page_is_never_cached_by_a_shared_browser(her_phone):
    assert her_phone.get("/me/")["Cache-Control"] == "no-store"


def test_she_corrects_her_name_and_birthday_and_it_is_recorded_as_hers(her_phone, zoe):
    response = her_phone.post(
        "/me/profile/", {"given_name": "Zoé", "family_name": "Okafor-Lee", "birth_date": "1990-05-02"}
    )

    assert response.status_code == 302
    zoe.refresh_from_db()
    assert (zoe.given_name, zoe.family_name, zoe.birth_date) == ("Zoé", "Okafor-Lee", date(1990, 5, 2))
    event = AuditEvent.objects.get(action="customer.profile_updated")
    assert (event.actor_kind, event.actor_id, event.customer_id) == ("customer", None, zoe.pk)
    assert set(event.detail["fields"]) == {"given_name", "family_name", "birth_date"}
    assert "Okafor-Lee" not in str(event.detail)  # which fields, never their values


@pytest.mark.parametrize(
    "birth_date", ["2999-01-01", "1800-01-01", "not a date"], ids=["future", "too-old", "garbage"]
)
def test_an_impossible_birthday_is_refused_and_nothing_else_changes(her_phone, zoe, birth_date):
    response = her_phone.post(
        "/me/profile/", {"given_name": "Zoé", "family_name": "Okafor", "birth_date": birth_date}
    )

    assert response.status_code == 422
    assert b'role="alert"' in response.content or b"errorlist" in response.content
    zoe.refresh_from_db()
    assert zoe.given_name == "Zoë"
    assert not AuditEvent.objects.filter(action="customer.profile_updated").exists()


def test_script_typed_into_her_name_is_shown_as_text(her_phone, zoe):
    her_phone.post("/me/profile/", {"given_name": "<script>alert(1)</script>", "family_name": "Okafor"})

    page = her_phone.get("/me/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_signing_in_and_every_change_she_makes_are_in_the_audit_trail_without_personal_data(her_phone, zoe):
    her_phone.post("/me/profile/", {"given_name": "Zoé", "family_name": "Okafor"})
    her_phone.post("/me/choices/", {"purposes": ["profile"]})

    events = AuditEvent.objects.filter(actor_kind="customer", customer_id=zoe.pk)
    assert {e.action for e in events} >= {"privacy_centre.signed_in", "customer.profile_updated"}
    for event in AuditEvent.objects.all():
        assert "Zo" not in str(event.detail)
        assert "example.com" not in str(event.detail)


def test_she_withdraws_and_grants_whatsapp_messages_in_her_privacy_centre(her_phone, zoe):
    def whatsapp_ticked() -> bool:
        return 'value="contact_whatsapp" checked' in her_phone.get("/me/").content.decode()

    assert whatsapp_ticked()
    everything_but_whatsapp = [p for p in PurposeCode.values if p != PurposeCode.CONTACT_WHATSAPP]

    her_phone.post("/me/choices/", {"purposes": everything_but_whatsapp})
    assert not whatsapp_ticked()
    assert not zoe.consent_states.get(purpose_id=PurposeCode.CONTACT_WHATSAPP).granted
    assert zoe.consent_states.get(purpose_id=PurposeCode.CONTACT_SMS).granted  # only what she cleared

    her_phone.post("/me/choices/", {"purposes": [*everything_but_whatsapp, PurposeCode.CONTACT_WHATSAPP]})
    assert whatsapp_ticked()
    event = ConsentEvent.objects.filter(customer=zoe).latest("id")
    assert (event.purpose_id, event.granted, event.method) == (
        "contact_whatsapp",
        True,
        Method.PRIVACY_CENTRE,
    )


def test_without_a_session_every_page_and_action_leads_to_sign_in_and_changes_nothing(client, zoe):
    assert b"Send me a sign-in link" in client.get("/me/").content
    for path, data in (
        ("/me/profile/", {"given_name": "Mallory"}),
        ("/me/choices/", {"purposes": []}),
        ("/me/erase/", {"confirm": "on"}),
        ("/me/export/", {}),
    ):
        response = client.post(path, data)
        assert (response.status_code, response["Location"]) == (302, "/me/")
    zoe.refresh_from_db()
    assert zoe.given_name == "Zoë"
    assert zoe.erased_at is None
    assert zoe.consent_states.filter(granted=True).count() == len(PurposeCode.values)


def test_her_session_cannot_reach_another_customer(her_phone, store):
    other = CustomerFactory(given_name="Yara", family_name="Lind", home_store=store)

    page = her_phone.get("/me/").content.decode()
    her_phone.post("/me/profile/", {"given_name": "Zoë", "family_name": "Okafor", "customer": other.pk})

    assert "Yara" not in page
    other.refresh_from_db()
    assert other.family_name == "Lind"
    assert Customer.objects.filter(family_name="Okafor").count() == 1


def test_the_page_reads_the_same_few_queries_however_long_her_history(
    her_phone, zoe, store, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as short:
        her_phone.get("/me/")
    for _ in range(60):
        OrderLineFactory(order=OrderFactory(customer=zoe, store=store))

    with django_assert_num_queries(len(short)):
        page = her_phone.get("/me/").content.decode()
    assert "61 purchases in all; the download has every one." in page
    assert page.count('class="lines"') == 50
    # Outreach added five (messages and how many, looks, wishlist, appointments; their products only
    # when she has any); conversations two (her replies and how many); occasions two (hers, and her
    # place on campaigns' lists).
    assert len(short) <= 34
