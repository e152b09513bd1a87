"""Normalising customer identifiers, so the same person typed two ways is one key."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


class InvalidIdentifier(ValueError):
    """The value cannot be an identifier of this kind; the message says why, in plain words."""


class IdentifierKind:
    EMAIL = "email"
    PHONE = "phone"
    LOYALTY = "loyalty"
    EXTERNAL = "external"


_LOYALTY_NOISE = re.compile(r"[\s\-_./]")
_LOYALTY_VALID = re.compile(r"^[A-Z0-9]{4,32}$")


def normalise_email(raw: str) -> str:
    """Trim and lower-case the whole address (mailbox providers treat it case-insensitively)."""
    value = raw.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidIdentifier(_("This is not a valid e-mail address.")) from None
    return value


def normalise_phone(raw: str, *, default_region: str | None = None) -> str:
    """Parse a phone number written in any format into E.164 (+447911123456)."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier(
            _("This is not a phone number; include the country code (+44…) for foreign numbers.")
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(_("This phone number is not valid for its country."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone_as_sent(raw: str) -> str:
    """A number a carrier delivered a message from, in E.164: as ``normalise_phone``, but a number
    our copy of the numbering plans does not know yet (a newly allocated range) is taken as long as
    it is possible for its country; a message is never refused for it."""
    try:
        return normalise_phone(raw)
    except InvalidIdentifier:
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            raise InvalidIdentifier(_("This is not a phone number with its country code (+44…).")) from None
        if not phonenumbers.is_possible_number(number):
            raise InvalidIdentifier(_("This phone number is not possible for its country.")) from None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_loyalty(raw: str) -> str:
    """Upper-case and drop the spaces and dashes people and card printers add."""
    value = _LOYALTY_NOISE.sub("", raw).upper()
    if not _LOYALTY_VALID.match(value):
        raise InvalidIdentifier(_("A loyalty number has 4 to 32 letters and digits."))
    return value


def normalise_external(raw: str) -> str:
    value = raw.strip()
    if not value or len(value) > 128:
        raise InvalidIdentifier(_("An external id has 1 to 128 characters."))
    return value


def normalise(kind: str, raw: str, *, default_region: str | None = None) -> str:
    """The canonical form of ``raw`` as an identifier of ``kind``; raises ``InvalidIdentifier``."""
    if kind == IdentifierKind.EMAIL:
        return normalise_email(raw)
    if kind == IdentifierKind.PHONE:
        return normalise_phone(raw, default_region=default_region)
    if kind == IdentifierKind.LOYALTY:
        return normalise_loyalty(raw)
    if kind == IdentifierKind.EXTERNAL:
        return normalise_external(raw)
    raise InvalidIdentifier(f"Unknown identifier kind {kind!r}.")
