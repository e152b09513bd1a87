"""One-time codes and sign-in links: issuing them, throttling them, checking them.

Throttling counts the last hour's send attempts three ways, whether or not the address belongs to a
customer, so the limits themselves reveal nothing about who is known:

- per address (e-mail or phone): a few, so nobody is flooded with codes;
- per device (the browser's session): a few, so one phone cannot spray many addresses;
- per client address (IP), only the attempts nobody confirmed (no code typed back, no link used):
  fifty customers signing up through a store's one Wi-Fi address confirm theirs and are never held
  up, while a device that sprays addresses, even dropping its cookies each time, is stopped.

Every count is a keyed digest in PostgreSQL, shared by every web process.
"""

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from consent.models import OneTimeCode, SendAttempt

CODE_LENGTH = 6


class Throttled(Exception):
    """Too many codes or links asked for; the message says what to do."""


def digest(kind: str, value: str) -> str:
    """A keyed digest: equal for equal values, useless without this site's SECRET_KEY."""
    return salted_hmac(f"consent.{kind}", value, algorithm="sha256").hexdigest()


def record_send_attempt(
    *, kind: str, identifier: str, client_address: str, device: str | None, now: datetime | None = None
) -> SendAttempt:
    """Count this attempt, or raise ``Throttled`` when the address, the device or the client asked
    too often. ``device``: the asking browser's own id (None for a staff tablet in hand-over mode,
    which many customers use in turn, whose associate is signed in and audited)."""
    now = now or timezone.now()
    identifier_digest = digest("identifier", identifier)
    client_digest = digest("client", client_address)
    device_digest = digest("device", device) if device else ""
    since = now - timedelta(hours=1)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Serialise concurrent sends to one address, so a burst cannot slip past the limit.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [identifier_digest])
        recent = SendAttempt.objects.filter(kind=kind, created_at__gte=since)
        if (
            recent.filter(identifier_digest=identifier_digest).count()
            >= settings.OTP_SENDS_PER_IDENTIFIER_PER_HOUR
        ):
            raise Throttled(_("We have already sent several messages to this address. Please wait an hour."))
        if device_digest and (
            recent.filter(device_digest=device_digest).count() >= settings.OTP_SENDS_PER_DEVICE_PER_HOUR
        ):
            raise Throttled(_("Too many requests from this device. Please wait an hour and try again."))
        if (
            recent.filter(client_digest=client_digest, confirmed_at__isnull=True).count()
            >= settings.OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR
        ):
            raise Throttled(
                _("Too many unanswered requests from this network. Please wait a while and try again.")
            )
        return SendAttempt.objects.create(
            kind=kind,
            identifier_digest=identifier_digest,
            client_digest=client_digest,
            device_digest=device_digest,
            created_at=now,
        )


def confirm_send_attempt(attempt_id: int | None, now: datetime) -> None:
    """The code or link that attempt sent was used: it no longer counts against the client address."""
    if attempt_id is not None:
        SendAttempt.objects.filter(pk=attempt_id, confirmed_at__isnull=True).update(confirmed_at=now)


@dataclass(frozen=True)
class IssuedCode:
    code_id: int
    code: str  # to send, never stored


def issue_code(
    *, channel: str, identifier: str, client_address: str, device: str | None, now: datetime | None = None
) -> IssuedCode:
    now = now or timezone.now()
    attempt = record_send_attempt(
        kind=SendAttempt.Kind.CODE,
        identifier=identifier,
        client_address=client_address,
        device=device,
        now=now,
    )
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    row = OneTimeCode.objects.create(
        channel=channel,
        identifier_digest=digest("identifier", identifier),
        code_digest=digest("code", f"{identifier}:{code}"),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.OTP_TTL_MINUTES),
        send_attempt=attempt,
    )
    return IssuedCode(code_id=row.pk, code=code)


class Rejection(enum.Enum):
    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"
    TOO_MANY = "too_many"
    WRONG = "wrong"

    @property
    def message(self) -> str:
        return {
            Rejection.INVALID: _("This code is not valid. Ask for a new one."),
            Rejection.USED: _("This code has already been used. Ask for a new one."),
            Rejection.EXPIRED: _("This code has expired. Ask for a new one."),
            Rejection.TOO_MANY: _("Too many wrong tries for this code. Ask for a new one."),
            Rejection.WRONG: _("That code is not right. Check the message and try again."),
        }[self]


class CodeRejected(Exception):
    """The code is wrong, expired, used, or has had too many tries; the message says which."""

    def __init__(self, reason: Rejection) -> None:
        super().__init__(reason.message)
        self.reason = reason


def check_code(*, code_id: int, identifier: str, code: str, now: datetime | None = None) -> None:
    """Accept the code once, or raise ``CodeRejected``. A wrong guess counts against the code."""
    now = now or timezone.now()
    code = "".join(c for c in code if c.isdigit())
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().filter(pk=code_id).first()
        reason = _rejection(row, identifier, code, now)
        if row is not None and reason is Rejection.WRONG:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            if row.attempts >= settings.OTP_MAX_ATTEMPTS:
                reason = Rejection.TOO_MANY
        elif row is not None and reason is None:
            row.used_at = now
            row.save(update_fields=["used_at"])
            confirm_send_attempt(row.send_attempt_id, now)
    if reason is not None:  # raised after the commit, so a wrong guess stays counted
        raise CodeRejected(reason)


def _rejection(row: OneTimeCode | None, identifier: str, code: str, now: datetime) -> Rejection | None:
    if row is None or not constant_time_compare(row.identifier_digest, digest("identifier", identifier)):
        return Rejection.INVALID
    if row.used_at is not None:
        return Rejection.USED
    if row.expires_at <= now:
        return Rejection.EXPIRED
    if row.attempts >= settings.OTP_MAX_ATTEMPTS:
        return Rejection.TOO_MANY
    if not constant_time_compare(row.code_digest, digest("code", f"{identifier}:{code}")):
        return Rejection.WRONG
    return None
