"""Shared tablets: only a tablet a manager enrolled offers PIN sign-in; its enrolment expires and can
be revoked at once; wrong PINs lock the person and the tablet, longer each time."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.devices import recognised
from accounts.models import Device, User
from accounts.services import PinLocked, set_pin, verify_pin
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PIN = "2580"


@pytest.fixture
def tablet(client, associate, teammate, enrolment, settings):
    set_pin(by=associate, user=associate, pin=PIN)
    set_pin(by=teammate, user=teammate, pin="1357")
    client.cookies[settings.TABLET_COOKIE] = enrolment.cookie
    return client


def test_an_enrolled_tablet_offers_its_stores_staff(tablet, enrolment):
    page = tablet.get("/tablet/").content.decode()

    assert "Who is serving?" in page
    assert "Till 1" in page
    assert AuditEvent.objects.filter(action="device.enrolled", store=enrolment.device.store).exists()


@pytest.mark.parametrize("spoil", ["revoked", "expired", "forged", "tampered", "store closed"])
def test_a_revoked_expired_or_forged_enrolment_offers_password_sign_in_only(
    tablet, enrolment, manager, settings, spoil
):
    from accounts.devices import revoke_device

    device = enrolment.device
    if spoil == "revoked":
        revoke_device(by=manager, device=device)
    elif spoil == "expired":
        Device.objects.filter(pk=device.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "forged":
        tablet.cookies[settings.TABLET_COOKIE] = "not-a-cookie"
    elif spoil == "tampered":
        Device.objects.filter(pk=device.pk).update(secret_digest="0" * 64)  # a secret it never had
    else:
        device.store.is_active = False
        device.store.save()

    assert tablet.get("/tablet/")["Location"] == "/login/"
    assert tablet.post(f"/tablet/{device.enrolled_by.pk}/pin/", {"pin": PIN})["Location"] == "/login/"


def test_revoking_is_audited_and_happens_once(enrolment, manager):
    from accounts.devices import revoke_device

    assert revoke_device(by=manager, device=enrolment.device) is True
    assert revoke_device(by=manager, device=enrolment.device) is False
    assert AuditEvent.objects.filter(action="device.revoked").count() == 1
    assert recognised(enrolment.cookie) is None


def test_the_cookie_lasts_as_long_as_the_enrolment_and_holds_no_store_id(client, manager, settings):
    client.force_login(manager)

    response = client.post("/tablets/enrol/", {"name": "Fitting rooms", "store": manager.stores.get().pk})

    cookie = response.cookies[settings.TABLET_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    device = Device.objects.get(name="Fitting rooms")
    lasts = device.expires_at - timezone.now()
    assert (
        timedelta(days=settings.TABLET_ENROLMENT_DAYS - 1)
        < lasts
        <= timedelta(days=settings.TABLET_ENROLMENT_DAYS)
    )
    assert cookie.value not in device.secret_digest


def test_re_enrolling_a_tablet_revokes_its_old_enrolment(tablet, enrolment, manager):
    tablet.force_login(manager)

    tablet.post("/tablets/enrol/", {"name": "Till 1 (new)", "store": enrolment.device.store.pk})

    assert Device.objects.get(pk=enrolment.device.pk).revoked_at is not None
    assert Device.objects.filter(revoked_at__isnull=True).get().name == "Till 1 (new)"


def test_a_manager_enrols_lists_and_revokes_only_her_stores_tablets(enrolment, other_store, settings):
    from tests.factories import UserFactory

    elsewhere = UserFactory(role="manager", stores=[other_store])
    other = Client()
    other.force_login(elsewhere)

    assert "No tablet is enrolled yet" in other.get("/tablets/").content.decode()
    assert other.post(f"/tablets/{enrolment.device.public_id}/revoke/").status_code == 404
    assert other.post("/tablets/enrol/", {"name": "x", "store": enrolment.device.store.pk}).status_code == 422
    assert Device.objects.get().revoked_at is None


def test_associates_may_not_enrol(client, associate, store):
    client.force_login(associate)

    assert client.post("/tablets/enrol/", {"name": "Mine", "store": store.pk}).status_code == 403
    assert not Device.objects.filter(name="Mine").exists()


def test_a_persons_lock_grows_and_the_right_pin_resets_it(settings, associate):
    settings.PIN_MAX_ATTEMPTS = 2
    set_pin(by=associate, user=associate, pin=PIN)
    lengths = []
    for _ in range(3):
        verify_pin(user=associate, pin="0000")
        with pytest.raises(PinLocked) as locked:
            verify_pin(user=associate, pin="0001")
        lengths.append(round((locked.value.until - timezone.now()).total_seconds() / 60))
        User.objects.filter(pk=associate.pk).update(pin_locked_until=timezone.now())  # time passes

    assert lengths == [15, 30, 60]
    assert verify_pin(user=associate, pin=PIN) is True
    verify_pin(user=associate, pin="0000")
    with pytest.raises(PinLocked) as again:
        verify_pin(user=associate, pin="0001")
    assert round((again.value.until - timezone.now()).total_seconds() / 60) == 15  # back to the first
    assert AuditEvent.objects.filter(action="staff.pin_locked").count() == 4


def test_the_longest_lock_is_a_day(settings, associate):
    from accounts.services.pins import lock_length

    assert lock_length(0) == timedelta(minutes=settings.PIN_LOCK_MINUTES)
    assert lock_length(50) == timedelta(days=1)


def test_wrong_pins_for_many_people_lock_the_tablet_not_the_people(tablet, enrolment, settings, store):
    from tests.factories import UserFactory

    settings.TABLET_PIN_MAX_ATTEMPTS = 4
    team = [UserFactory(stores=[store]) for _ in range(4)]
    for n, person in enumerate(team):
        set_pin(by=person, user=person, pin=f"48{n}7")
    for person in team:  # one guess each: no one person reaches her own limit
        response = tablet.post(f"/tablet/{person.pk}/pin/", {"pin": "9999"})

    assert "PIN sign-in on this tablet is locked" in response.content.decode()
    refused = tablet.post(f"/tablet/{team[0].pk}/pin/", {"pin": "4807"})  # even the right PIN waits
    assert refused.status_code == 403
    assert "PIN sign-in on this tablet is locked" in refused.content.decode()
    assert AuditEvent.objects.filter(action="device.pin_locked", store=store).count() == 1
    assert all(User.objects.get(pk=p.pk).pin_locked_until is None for p in team)
    other_tablet = Client()  # the people are not locked: another tablet lets them in
    from accounts.devices import enrol_device

    other_tablet.cookies[settings.TABLET_COOKIE] = enrol_device(by=team[0], store=store, name="Till 2").cookie
    assert other_tablet.post(f"/tablet/{team[0].pk}/pin/", {"pin": "4807"}).status_code == 302


def test_a_manager_unlocks_a_locked_pin(tablet, associate, manager, settings):
    settings.PIN_MAX_ATTEMPTS = 2
    for pin in ("0000", "0001"):
        tablet.post(f"/tablet/{associate.pk}/pin/", {"pin": pin})
    office = Client()
    office.force_login(manager)
    assert "Ava" in office.get("/tablets/").content.decode()

    office.post(f"/tablets/staff/{associate.pk}/unlock/")

    assert tablet.post(f"/tablet/{associate.pk}/pin/", {"pin": PIN}).status_code == 302
    assert AuditEvent.objects.filter(action="staff.unlocked", actor=manager).count() == 1
