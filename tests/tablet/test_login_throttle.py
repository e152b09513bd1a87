"""Password sign-in is throttled per account (django-axes): 30 wrong passwords and then the right one
do not sign in; the account waits, or a manager unlocks it; nobody else behind the same address is
locked out; every lock and unlock is audited."""

import pytest
from django.test import Client

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SHARED_WIFI = {"REMOTE_ADDR": "203.0.113.7"}  # a store's one public address


def sign_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password}, **SHARED_WIFI)


def test_thirty_wrong_passwords_then_the_right_one_do_not_sign_in(client, associate, settings):
    answers = [sign_in(client, "ava", f"guess-{n}").status_code for n in range(30)]
    right = sign_in(client, "ava", PASSWORD)

    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(answers[settings.AXES_FAILURE_LIMIT :]) == {429}
    assert right.status_code == 429
    assert "Too many wrong passwords" in right.content.decode()
    assert "ask your store manager" in right.content.decode().lower()
    assert client.get("/").status_code == 302  # not signed in
    locks = AuditEvent.objects.filter(action="staff.locked_out")
    assert locks.exists()
    assert locks.first().detail == {"user_id": associate.pk}


def test_the_same_account_typed_differently_is_the_same_count(client, associate, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, ["ava", "AVA", " Ava "][n % 3], f"guess-{n}")

    assert sign_in(client, "ava", PASSWORD).status_code == 429


def test_one_attacker_behind_the_stores_address_locks_no_one_else(client, associate, teammate, settings):
    for n in range(settings.AXES_FAILURE_LIMIT + 3):
        sign_in(client, "ava", f"guess-{n}")
    colleague = Client()

    response = sign_in(colleague, "ben", PASSWORD)  # Ben, same address, same minute

    assert response.status_code == 302
    assert colleague.get("/").status_code == 200


def test_a_manager_unlocks_the_account_and_the_unlock_is_audited(client, associate, manager, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ava", f"guess-{n}")
    office = Client()
    office.force_login(manager)
    page = office.get("/tablets/").content.decode()
    assert "Password (too many wrong passwords)" in page

    office.post(f"/tablets/staff/{associate.pk}/unlock/")

    assert sign_in(client, "ava", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="staff.unlocked", actor=manager).get().detail == {
        "user_id": associate.pk
    }
    assert "Nobody is locked out" in office.get("/tablets/").content.decode()


def test_a_manager_of_another_store_cannot_unlock(client, associate, other_store, settings):
    from tests.factories import UserFactory

    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ava", f"guess-{n}")
    elsewhere = Client()
    elsewhere.force_login(UserFactory(role="manager", stores=[other_store]))

    assert elsewhere.post(f"/tablets/staff/{associate.pk}/unlock/").status_code == 404
    assert sign_in(client, "ava", PASSWORD).status_code == 429


def test_the_admin_sign_in_is_throttled_too(client, admin_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": admin_user.username, "password": f"guess-{n}"})

    response = client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})

    assert response.status_code == 429
