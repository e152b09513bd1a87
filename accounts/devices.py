"""Shared tablets: a manager enrols one for a store, and from then on it offers PIN sign-in to that
store's staff, until its enrolment expires (``TABLET_ENROLMENT_DAYS``) or a manager revokes it.

The tablet's cookie holds the device's id and a random secret, signed; the database keeps a digest
of the secret, so a copy of the database opens no tablet, and revoking the row closes the cookie at
once. A device without a valid enrolment is an ordinary browser: password sign-in only.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import Device, User
from audit.services import record_event
from stores.models import Store

_SALT = "accounts.device"
_SEEN_EVERY = timedelta(minutes=5)  # how stale "last seen" may get before a request refreshes it


@dataclass(frozen=True)
class Enrolment:
    device: Device
    cookie: str  # what the tablet keeps: its id and secret, signed


def _digest(secret: str) -> str:
    return hashlib.sha256(f"tablet:{secret}".encode()).hexdigest()


@transaction.atomic
def enrol_device(*, by: User, store: Store, name: str, replacing: Device | None = None) -> Enrolment:
    """Enrol the tablet ``by`` is holding for ``store``, named ``name`` ("Till 1"). Re-enrolling a
    tablet (``replacing``: its current enrolment) revokes the old one."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the tablet a name staff will recognise."})
    secret = secrets.token_urlsafe(32)
    device = Device.objects.create(
        store=store,
        name=name,
        secret_digest=_digest(secret),
        enrolled_by=by,
        expires_at=timezone.now() + timedelta(days=settings.TABLET_ENROLMENT_DAYS),
    )
    if replacing is not None:
        revoke_device(by=by, device=replacing)
    record_event(
        by=by,
        action="device.enrolled",
        store_id=store.pk,
        detail={"device": str(device.public_id), "name": name, "days": settings.TABLET_ENROLMENT_DAYS},
    )
    return Enrolment(device, signing.dumps([str(device.public_id), secret], salt=_SALT))


@transaction.atomic
def revoke_device(*, by: User, device: Device) -> bool:
    """Revoke ``device``'s enrolment: its cookie stops working at once. False if it already was."""
    revoked = Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    if revoked:
        record_event(
            by=by,
            action="device.revoked",
            store_id=device.store_id,
            detail={"device": str(device.public_id), "name": device.name},
        )
    return bool(revoked)


def recognised(cookie: str | None) -> Device | None:
    """The enrolled, unrevoked, unexpired tablet of an active store that ``cookie`` names, else None."""
    if not cookie:
        return None
    try:
        public_id, secret = signing.loads(cookie, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    now = timezone.now()
    device = (
        Device.objects.select_related("store")
        .filter(public_id=public_id, revoked_at__isnull=True, expires_at__gt=now, store__is_active=True)
        .first()
    )
    if device is None or not hmac.compare_digest(device.secret_digest, _digest(str(secret))):
        return None
    if device.last_seen_at is None or device.last_seen_at < now - _SEEN_EVERY:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    return device


def device_of(request: HttpRequest) -> Device | None:
    """The enrolled tablet this request comes from (once per request), else None."""
    if not hasattr(request, "_enrolled_device"):
        request._enrolled_device = recognised(request.COOKIES.get(settings.TABLET_COOKIE))  # type: ignore[attr-defined]
    device: Device | None = request._enrolled_device  # type: ignore[attr-defined]
    return device


def remember(response: HttpResponse, enrolment: Enrolment) -> None:
    """Give the tablet its cookie, for as long as its enrolment lasts."""
    response.set_cookie(
        settings.TABLET_COOKIE,
        enrolment.cookie,
        expires=enrolment.device.expires_at,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
