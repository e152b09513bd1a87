import time

import pytest
from django.core.exceptions import ValidationError

from accounts.services import PinLocked, set_pin, verify_pin
from tablet.middleware import SESSION_KEY

pytestmark = pytest.mark.django_db

PIN = "2580"


@pytest.fixture
def tablet(client, associate, teammate, store, enrolment, settings):
    """The store's tablet, enrolled by its manager; Ava and Ben have PINs."""
    set_pin(by=associate, user=associate, pin=PIN)
    set_pin(by=teammate, user=teammate, pin="1357")
    client.cookies[settings.TABLET_COOKIE] = enrolment.cookie
    return client


@pytest.mark.parametrize("pin", ["123", "abcd", "1111", "1234", "9876", "123456789"])
def test_weak_or_malformed_pins_are_refused(associate, pin):
    with pytest.raises(ValidationError):
        set_pin(by=associate, user=associate, pin=pin)


def test_pins_are_stored_hashed(associate):
    set_pin(by=associate, user=associate, pin=PIN)

    assert PIN not in associate.pin_hash
    assert verify_pin(user=associate, pin=PIN) is True


def test_repeated_failures_lock_that_person_only(settings, associate, teammate):
    settings.PIN_MAX_ATTEMPTS = 3
    set_pin(by=associate, user=associate, pin=PIN)
    set_pin(by=teammate, user=teammate, pin="1357")

    assert verify_pin(user=associate, pin="0000") is False
    assert verify_pin(user=associate, pin="0001") is False
    with pytest.raises(PinLocked):
        verify_pin(user=associate, pin="0002")
    with pytest.raises(PinLocked):
        verify_pin(user=associate, pin=PIN)  # even the right PIN waits out the lock

    assert verify_pin(user=teammate, pin="1357") is True


def test_the_switch_screen_lists_the_tablets_store_team(tablet):
    content = tablet.get("/tablet/").content.decode()

    assert "Who is serving?" in content
    assert "Ava" in content
    assert "Ben" in content


def test_a_device_nobody_enrolled_never_offers_pin_sign_in(client, associate, teammate):
    set_pin(by=teammate, user=teammate, pin="1357")
    client.post("/login/", {"username": "ava", "password": "correct horse battery staple"})
    client.post("/logout/")  # a password sign-in does not make a device a shared tablet

    for path in ("/tablet/", f"/tablet/{teammate.pk}/pin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/login/"
    assert client.post(f"/tablet/{teammate.pk}/pin/", {"pin": "1357"})["Location"] == "/login/"


def test_switching_in_with_the_right_pin_signs_her_in(tablet, teammate):
    response = tablet.post(f"/tablet/{teammate.pk}/pin/", {"pin": "1357"})

    assert response.status_code == 302
    assert "Hello, Ben" in tablet.get("/").content.decode()


def test_a_wrong_pin_is_refused_with_a_message(tablet, teammate):
    response = tablet.post(f"/tablet/{teammate.pk}/pin/", {"pin": "9999"})

    assert response.status_code == 403
    assert "That PIN is not right" in response.content.decode()
    assert tablet.get("/").status_code == 302  # still nobody signed in


def test_staff_of_another_store_cannot_switch_in_on_this_tablet(tablet, outsider):
    set_pin(by=outsider, user=outsider, pin="4826")

    assert tablet.post(f"/tablet/{outsider.pk}/pin/", {"pin": "4826"}).status_code == 404


def test_an_idle_session_is_locked_on_its_next_request(tablet, associate, settings):
    tablet.post(f"/tablet/{associate.pk}/pin/", {"pin": PIN})
    session = tablet.session
    session[SESSION_KEY] = time.time() - settings.IDLE_LOCK_MINUTES * 60 - 1
    session.save()

    response = tablet.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/tablet/"
    assert tablet.get("/").status_code == 302  # signed out, not just redirected


def test_an_idle_htmx_request_is_sent_to_the_switch_screen(tablet, associate, settings, consenting_customer):
    tablet.post(f"/tablet/{associate.pk}/pin/", {"pin": PIN})
    session = tablet.session
    session[SESSION_KEY] = time.time() - settings.IDLE_LOCK_MINUTES * 60 - 1
    session.save()

    response = tablet.post("/customers/", {"q": "okafor"}, HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == "/tablet/"


def test_lock_signs_out_at_once(tablet, associate):
    tablet.post(f"/tablet/{associate.pk}/pin/", {"pin": PIN})

    response = tablet.post("/tablet/lock/")

    assert response["Location"] == "/tablet/"
    assert tablet.get("/").status_code == 302


def test_an_associate_of_two_stores_chooses_where_she_is(client, store, other_store):
    from accounts.models import Role
    from tests.factories import UserFactory

    roamer = UserFactory(username="dana", first_name="Dana", role=Role.ASSOCIATE, stores=[store, other_store])
    client.force_login(roamer)

    client.post("/tablet/store/", {"store": other_store.pk})

    assert "Paris Marais" in client.get("/").content.decode()


def test_she_sets_her_own_pin_after_confirming_her_password(client, associate):
    client.force_login(associate)

    response = client.post("/tablet/my-pin/", {"password": "wrong", "pin": "4826"})
    assert "not your password" in response.content.decode()

    client.post("/tablet/my-pin/", {"password": "correct horse battery staple", "pin": "4826"})
    associate.refresh_from_db()
    assert verify_pin(user=associate, pin="4826")
