"""Sign-in locks are counted for Prometheus (common.metrics): a password try a lock refused
(django-axes), a PIN's and a tablet's."""

import pytest

from accounts.services import PinLocked, set_pin, verify_pin
from tests.metrics import counted

pytestmark = pytest.mark.django_db

LOCKOUTS = "clienteling_sign_in_lockouts_total"


def test_a_password_lockout_is_counted(client, associate, settings):
    before = counted(LOCKOUTS, method="password")

    answers = [
        client.post("/login/", {"username": "ava", "password": f"guess-{n}"}).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert answers[-1] == 429
    assert counted(LOCKOUTS, method="password") == before + 1


def test_a_pin_lock_and_each_try_it_refuses_are_counted(associate, settings):
    settings.PIN_MAX_ATTEMPTS = 2
    set_pin(by=associate, user=associate, pin="2580")
    before = counted(LOCKOUTS, method="pin")

    verify_pin(user=associate, pin="0000")
    for _ in range(2):
        with pytest.raises(PinLocked):
            verify_pin(user=associate, pin="0001")

    assert counted(LOCKOUTS, method="pin") == before + 2


def test_a_tablets_pin_lock_is_counted_apart(associate, teammate, enrolment, settings):
    settings.TABLET_PIN_MAX_ATTEMPTS = 2
    set_pin(by=associate, user=associate, pin="2580")
    set_pin(by=teammate, user=teammate, pin="1357")
    before = counted(LOCKOUTS, method="tablet_pin")

    verify_pin(user=associate, pin="0000", device=enrolment.device)
    with pytest.raises(PinLocked) as locked:
        verify_pin(user=teammate, pin="0000", device=enrolment.device)

    assert locked.value.on_tablet
    assert counted(LOCKOUTS, method="tablet_pin") == before + 1
