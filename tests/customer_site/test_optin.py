"""Opting in from a poster's QR code, and the privacy centre: the customer's side, through the views."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from consent.models import ConsentEvent, ConsentState, DataExport, Method, OneTimeCode, Verification
from consent.services import ensure_purposes
from consent.tokens import collection_point_token
from customers.models import Customer, CustomerIdentifier
from tests.factories import CollectionPointFactory, CustomerFactory, IdentifierFactory, OrderFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def purposes(db):
    ensure_purposes()


@pytest.fixture
def point(store):
    return CollectionPointFactory(store=store, code="till-1", name="Till 1")


def join_url(point):
    return f"/join/{collection_point_token(point.pk)}/"


def ask_for_code(client, point, email="zoe@example.com", purposes=("profile", "contact_email")):
    response = client.post(
        join_url(point), {"purposes": list(purposes), "contact": email, "given_name": "Zoë"}
    )
    state = re.search(rb'name="state" value="([^"]+)"', response.content)
    return response, (state.group(1).decode() if state else None)


def code_in_last_mail():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_the_poster_page_explains_and_ticks_nothing(client, point):
    response = client.get(join_url(point))

    assert response.status_code == 200
    assert b"checked" not in response.content
    assert b"Your rights" in response.content


def test_a_forged_poster_code_gets_a_clear_400(client, point):
    response = client.get(f"/join/{collection_point_token(point.pk)}x/")

    assert response.status_code == 400
    assert b"not issued by this store" in response.content


def test_a_retired_poster_gets_a_410(client, point):
    point.is_active = False
    point.save()

    assert client.get(join_url(point)).status_code == 410


def test_choosing_nothing_records_nothing(client, point):
    response = client.post(join_url(point), {"contact": "zoe@example.com"})

    assert response.status_code == 422
    assert b"Choose at least one" in response.content
    assert not mail.outbox
    assert not Customer.objects.exists()


def test_opting_in_with_an_emailed_code_records_each_purpose_in_the_ledger(
    client, point, django_capture_on_commit_callbacks
):
    response, state = ask_for_code(client, point)
    assert response.status_code == 200
    assert state
    assert not Customer.objects.exists()  # nothing kept before she proves the address

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/join/verify/", {"state": state, "code": code_in_last_mail()})

    assert response.status_code == 302
    assert response["Location"] == "/join/done/"
    customer = Customer.objects.get()
    events = ConsentEvent.objects.filter(customer=customer).order_by("purpose_id")
    assert [e.purpose_id for e in events] == ["contact_email", "profile"]
    first = events[0]
    assert (first.method, first.verification) == (Method.QR_IN_STORE, Verification.EMAIL_CODE)
    assert first.collection_point == point
    assert first.store == point.store
    assert len(first.policy_version.text_hash) == 64
    assert len({e.receipt_id for e in events}) == 1
    assert CustomerIdentifier.objects.get(customer=customer).verified_at is not None

    receipt = client.get("/join/done/")
    assert b"<svg" in receipt.content
    assert b"Associates may see my profile" in receipt.content
    assert "membership.png" in [a[0] for a in mail.outbox[-1].attachments]  # the receipt e-mail


def test_her_address_links_her_to_the_history_she_already_has(client, point, store):
    known = CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=store)
    IdentifierFactory(customer=known, kind="email", value="zoe@example.com")
    OrderFactory(customer=known, store=store)

    _, state = ask_for_code(client, point, email=" ZOE@Example.com ")
    client.post("/join/verify/", {"state": state, "code": code_in_last_mail()})

    assert Customer.objects.count() == 1
    assert ConsentState.objects.filter(customer=known, purpose_id="profile", granted=True).exists()


def test_a_wrong_code_is_refused_and_counted(client, point):
    _, state = ask_for_code(client, point)
    wrong = "000000" if code_in_last_mail() != "000000" else "111111"

    response = client.post("/join/verify/", {"state": state, "code": wrong})

    assert response.status_code == 422
    assert b"not right" in response.content
    assert OneTimeCode.objects.get().attempts == 1
    assert not ConsentEvent.objects.exists()


def test_an_expired_code_is_refused(client, point):
    _, state = ask_for_code(client, point)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post("/join/verify/", {"state": state, "code": code_in_last_mail()})

    assert response.status_code == 422
    assert b"expired" in response.content


def test_a_forged_state_changes_nothing(client, point):
    response = client.post("/join/verify/", {"state": "forged", "code": "123456"})

    assert response.status_code == 400
    assert not ConsentEvent.objects.exists()


def test_a_double_tap_on_confirm_records_once(client, point):
    _, state = ask_for_code(client, point)
    code = code_in_last_mail()

    first = client.post("/join/verify/", {"state": state, "code": code})
    second = client.post("/join/verify/", {"state": state, "code": code})

    assert first.status_code == second.status_code == 302
    assert ConsentEvent.objects.count() == 2


def test_codes_to_one_address_are_throttled(client, point, settings):
    settings.OTP_SENDS_PER_IDENTIFIER_PER_HOUR = 2
    for _ in range(2):
        assert ask_for_code(client, point)[0].status_code == 200

    response, _ = ask_for_code(client, point)

    assert response.status_code == 429
    assert len(mail.outbox) == 2


def opted_in(client, point, purposes=("profile",)):
    _, state = ask_for_code(client, point, purposes=purposes)
    client.post("/join/verify/", {"state": state, "code": code_in_last_mail()})
    return CustomerIdentifier.objects.get(value="zoe@example.com").customer


def test_withdrawing_in_the_privacy_centre_hides_her_from_an_open_card_at_once(client, point, associate):
    from django.test import Client

    customer = opted_in(client, point)
    tablet = Client()
    tablet.force_login(associate)
    assert tablet.get(f"/customers/{customer.public_id}/").status_code == 200

    response = client.post("/me/choices/", {"purposes": []})

    assert response.status_code == 302
    card = tablet.get(f"/customers/{customer.public_id}/")
    assert card.status_code == 404
    assert b"has withdrawn that choice" in card.content
    assert str(customer.public_id).encode() not in tablet.post("/customers/", {"q": "Zoë"}, **HTMX).content
    assert ConsentEvent.objects.filter(
        customer=customer, granted=False, method=Method.PRIVACY_CENTRE
    ).exists()


def test_a_sign_in_link_works_once(client, point):
    from django.test import Client

    opted_in(client, point)
    phone = Client()
    phone.post("/me/sign-in/", {"contact": "zoe@example.com"})
    link = re.search(r"https?://\S+/me/link/(\S+)/", mail.outbox[-1].body).group(1)

    assert phone.get(f"/me/link/{link}/").status_code == 200  # a button: mail scanners use nothing up
    assert phone.post(f"/me/link/{link}/").status_code == 302
    assert b"Hello" in phone.get("/me/").content
    assert Client().post(f"/me/link/{link}/").status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/me/sign-in/", {"contact": "nobody@example.com"})

    assert response.status_code == 200
    assert b"If we know this address" in response.content
    assert not mail.outbox


def test_her_download_holds_her_data_and_nobody_elses(
    client, point, store, associate, tmp_path, settings, django_capture_on_commit_callbacks
):
    from relationships.services import add_note

    settings.MEDIA_ROOT = tmp_path
    other = CustomerFactory(given_name="Other", family_name="Person", home_store=store)
    OrderFactory(customer=other, store=store)
    customer = opted_in(client, point)
    customer.family_name = "=HYPERLINK(1)"
    customer.save()
    OrderFactory(customer=customer, store=store, external_id="MINE-1")
    add_note(by=associate, customer=customer, store=store, body="=1+2 likes linen")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/export/")  # Celery runs eagerly without a broker
    export = DataExport.objects.get(customer=customer)
    assert export.status == DataExport.Status.READY
    page = client.get("/me/")
    link = re.search(rb'href="(/me/export/[^"/]+/)"', page.content).group(1).decode()
    response = client.get(link)

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["schema_version"] == 1
    assert data["profile"]["id"] == str(customer.public_id)
    assert [o["id"] for o in data["orders"]] == ["MINE-1"]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Other" not in everything
    assert str(other.public_id).encode() not in everything
    assert associate.first_name.encode() not in everything  # no associate is named
    assert "'=1+2 likes linen" in archive.read("notes.csv").decode()  # a spreadsheet shows it as text
    assert client.get("/me/export/forged/").status_code == 400


def test_hand_over_keeps_the_tablet_on_the_opt_in_until_her_pin(client, associate, store):
    from accounts.services import set_pin

    set_pin(by=associate, user=associate, pin="4821")
    client.force_login(associate)
    client.post("/tablet/hand-over/")

    assert client.get("/customers/").status_code == 302
    assert client.get("/customers/")["Location"] == "/join/tablet/"
    assert b"An associate started this" in client.get("/join/tablet/").content
    assert client.post("/tablet/hand-over/leave/", {"pin": "0000"}).status_code == 403
    assert client.post("/tablet/hand-over/leave/", {"pin": "4821"}).status_code == 302
    assert client.get("/customers/").status_code == 200


def test_opting_in_with_a_texted_code_verifies_her_phone_and_texts_her_membership_link(
    client, point, sms_outbox, django_capture_on_commit_callbacks
):
    response, state = ask_for_code(client, point, email="07911 123456", purposes=("profile", "contact_sms"))
    assert response.status_code == 200
    assert b"We texted a 6-digit code" in response.content
    assert not mail.outbox
    (code_text,) = sms_outbox
    assert code_text.to == "+447911123456"  # her national number, read with her store's country
    code = re.search(r"\b(\d{6})\b", code_text.body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/join/verify/", {"state": state, "code": code})

    identifier = CustomerIdentifier.objects.get(kind="phone")
    assert (identifier.value, identifier.verified_at is not None) == ("+447911123456", True)
    assert {e.verification for e in ConsentEvent.objects.all()} == {Verification.SMS_CODE}
    receipt = sms_outbox[-1].body
    assert "Contact me by text message" in receipt
    assert re.search(r"https?://\S+/m/\S+/", receipt)
    assert "/me/" in receipt


def test_whatsapp_is_one_of_her_choices_at_opt_in_and_is_granted_alone(
    client, point, sms_outbox, django_capture_on_commit_callbacks
):
    assert b'value="contact_whatsapp"' in client.get(join_url(point)).content
    _, state = ask_for_code(client, point, email="07911 123456", purposes=("profile", "contact_whatsapp"))
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/join/verify/", {"state": state, "code": code})

    granted = set(ConsentState.objects.filter(granted=True).values_list("purpose_id", flat=True))
    assert granted == {"profile", "contact_whatsapp"}
    assert "Messages on WhatsApp" in sms_outbox[-1].body  # her receipt


def test_too_many_wrong_codes_lock_that_code_even_for_the_right_one(client, point, settings):
    settings.OTP_MAX_ATTEMPTS = 3
    _, state = ask_for_code(client, point)
    right = code_in_last_mail()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        client.post("/join/verify/", {"state": state, "code": wrong})

    response = client.post("/join/verify/", {"state": state, "code": right})

    assert response.status_code == 422
    assert b"Too many wrong tries" in response.content
    assert not ConsentEvent.objects.exists()
    assert not Customer.objects.exists()


def test_one_device_asking_codes_for_many_addresses_is_throttled(client, point, settings):
    settings.OTP_SENDS_PER_DEVICE_PER_HOUR = 3
    for n in range(3):
        assert ask_for_code(client, point, email=f"guess{n}@example.com")[0].status_code == 200

    response, _ = ask_for_code(client, point, email="guess3@example.com")

    assert response.status_code == 429
    assert b"Too many requests from this device" in response.content
    assert len(mail.outbox) == 3


def test_an_opt_in_on_a_handed_over_tablet_is_recorded_as_assisted_by_that_associate(
    client, associate, store, django_capture_on_commit_callbacks
):
    from accounts.services import set_pin

    set_pin(by=associate, user=associate, pin="4821")
    client.force_login(associate)
    client.post("/tablet/hand-over/")
    response = client.post(
        "/join/tablet/", {"purposes": ["profile"], "contact": "zoe@example.com", "given_name": "Zoë"}
    )
    state = re.search(rb'name="state" value="([^"]+)"', response.content).group(1).decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/join/verify/", {"state": state, "code": code_in_last_mail()})

    event = ConsentEvent.objects.get()
    assert (event.method, event.recorded_by, event.store) == (Method.ASSISTED, associate, store)
    assert event.collection_point.code == "tablet"
    receipt = client.get("/join/done/")
    assert b"Hand back to the associate" in receipt.content
    assert b"<svg" not in receipt.content  # her membership code goes to her own phone, not the tablet
    customer = event.customer
    assert client.get(f"/customers/{customer.public_id}/")["Location"] == "/join/tablet/"


def test_my_day_offers_hand_over_and_managers_find_the_posters(client, associate, manager):
    client.force_login(associate)
    page = client.get("/").content.decode()
    assert 'action="/tablet/hand-over/"' in page
    assert 'href="/posters/"' not in page
    assert client.get("/posters/").status_code == 403

    client.force_login(manager)
    assert 'href="/posters/"' in client.get("/").content.decode()
    assert client.get("/posters/").status_code == 200
