"""Signed tokens in the links customers follow: a poster's QR code, a privacy-centre link, an export.

Each kind has its own salt, so one kind can never be replayed as another. None is a secret about a
customer: a collection-point token names a place in a store; the others name a single-use database
row (``PrivacyLink``, ``DataExport``) whose own state decides whether it still works.
"""

from uuid import UUID

from django.conf import settings
from django.core import signing

_COLLECTION_POINT = "consent.collection-point"
_PRIVACY_LINK = "consent.privacy-link"
_EXPORT = "consent.export"


class InvalidToken(ValueError):
    """Forged, truncated, expired or of another kind."""


def collection_point_token(collection_point_id: int) -> str:
    return signing.dumps(collection_point_id, salt=_COLLECTION_POINT, compress=False)


def read_collection_point_token(token: str) -> int:
    try:
        value = signing.loads(token, salt=_COLLECTION_POINT)
    except signing.BadSignature:
        raise InvalidToken("This QR code was not issued by this store.") from None
    if not isinstance(value, int):
        raise InvalidToken("This QR code was not issued by this store.")
    return value


def _dumps_uuid(value: UUID, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign(value.hex)


def _loads_uuid(token: str, salt: str, max_age_minutes: int) -> UUID:
    try:
        return UUID(signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age_minutes * 60))
    except signing.SignatureExpired:
        raise InvalidToken("This link has expired.") from None
    except (signing.BadSignature, ValueError):
        raise InvalidToken("This link is not valid.") from None


def privacy_link_token(token: UUID) -> str:
    return _dumps_uuid(token, _PRIVACY_LINK)


def read_privacy_link_token(signed: str) -> UUID:
    return _loads_uuid(signed, _PRIVACY_LINK, settings.PRIVACY_LINK_TTL_MINUTES)


def export_token(token: UUID) -> str:
    return _dumps_uuid(token, _EXPORT)


def read_export_token(signed: str) -> UUID:
    return _loads_uuid(signed, _EXPORT, settings.EXPORT_LINK_TTL_MINUTES)
