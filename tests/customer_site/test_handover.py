"""Hand-over has no dead end: an associate without a PIN sets one as she starts, and her PIN, her
password, a store manager's PIN or signing out always ends it."""

import pytest

from accounts.services import set_pin
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/factories.py UserFactory's


@pytest.fixture
def signed_in(client, associate):  # type: ignore[no-untyped-def]
    client.force_login(associate)
    return client


def handed_over(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/customers/").get("Location") == "/join/tablet/"


def test_without_a_pin_she_chooses_one_as_she_starts_and_hands_over_in_the_same_step(signed_in, associate):
    asked = signed_in.post("/tablet/hand-over/")
    assert asked.status_code == 200
    assert b"Choose your PIN first" in asked.content
    assert not handed_over(signed_in)

    wrong = signed_in.post("/tablet/hand-over/", {"password": "guess", "pin": "4821"})
    assert wrong.status_code == 400
    assert b"That is not your password." in wrong.content
    assert not handed_over(signed_in)

    done = signed_in.post("/tablet/hand-over/", {"password": PASSWORD, "pin": "4821"})

    assert done["Location"] == "/join/tablet/"
    assert handed_over(signed_in)
    associate.refresh_from_db()
    assert associate.pin_hash
    assert signed_in.post("/tablet/hand-over/leave/", {"pin": "4821"})["Location"] == "/"


def test_a_guessable_pin_is_refused_and_nothing_starts(signed_in):
    response = signed_in.post("/tablet/hand-over/", {"password": PASSWORD, "pin": "1234"})

    assert response.status_code == 400
    assert b"harder to guess" in response.content
    assert not handed_over(signed_in)


def test_her_password_takes_the_tablet_back_when_the_pin_is_forgotten(signed_in, associate):
    set_pin(by=associate, user=associate, pin="4821")
    signed_in.post("/tablet/hand-over/")

    page = signed_in.get("/tablet/hand-over/leave/").content.decode()
    assert "No PIN, or forgot it?" in page
    assert "Sign out instead" in page
    assert signed_in.post("/tablet/hand-over/leave/", {"password": "guess"}).status_code == 403
    assert handed_over(signed_in)

    assert signed_in.post("/tablet/hand-over/leave/", {"password": PASSWORD}).status_code == 302
    assert not handed_over(signed_in)


def test_a_manager_of_the_store_ends_it_with_her_own_pin_and_is_named_for_it(signed_in, associate, manager):
    set_pin(by=associate, user=associate, pin="4821")
    set_pin(by=manager, user=manager, pin="7350")
    signed_in.post("/tablet/hand-over/")

    assert (
        signed_in.post("/tablet/hand-over/leave/", {"manager": manager.pk, "manager_pin": "4821"}).status_code
        == 403
    )
    response = signed_in.post("/tablet/hand-over/leave/", {"manager": manager.pk, "manager_pin": "7350"})

    assert response.status_code == 302
    assert not handed_over(signed_in)
    ended = AuditEvent.objects.get(action="consent.hand_over_ended")
    assert (ended.actor, ended.detail) == (manager, {"started_by": associate.pk})


def test_an_empty_form_says_what_it_needs(signed_in, associate):
    set_pin(by=associate, user=associate, pin="4821")
    signed_in.post("/tablet/hand-over/")

    response = signed_in.post("/tablet/hand-over/leave/", {})

    assert response.status_code == 400
    assert b"Enter your PIN, your password, or a manager&#x27;s PIN." in response.content


def test_signing_out_ends_hand_over_too(signed_in, associate):
    set_pin(by=associate, user=associate, pin="4821")
    signed_in.post("/tablet/hand-over/")

    signed_in.post("/logout/")

    assert signed_in.get("/customers/")["Location"].startswith("/login/")


def test_the_pin_page_is_in_the_menu(signed_in):
    assert 'href="/tablet/my-pin/"' in signed_in.get("/").content.decode()
