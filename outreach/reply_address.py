"""The address her replies to our e-mails come back to: it names her conversation with the store.

Every e-mail we send her carries ``Reply-To: <store> <reply+<token>@CONVERSATION_REPLY_DOMAIN>``.
The token is stateless (no table): her ``Customer.public_id`` (16 bytes), the store's id (8 bytes)
and the first 11 bytes of an HMAC-SHA256 of both, keyed from ``SECRET_KEY`` with a purpose of its
own (``salted_hmac``), in base32, lower case: 56 characters, a local part of 62 (at most 64 are
allowed). Nobody can write one without the key, so a reply that carries one is hers to that store,
whoever's address it comes from; changing one character of it makes it name no one. A token made
under a key in ``SECRET_KEY_FALLBACKS`` is still read, so rotating the key does not strand replies.

It does not expire: she may answer a message weeks later, and it grants nothing but a place in her
own thread (it never shows anything of her to whoever holds it).
"""

import base64
import binascii
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr, getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from customers.models import Customer
from stores.models import Store

_PURPOSE = "outreach.reply_address"
_MAC_BYTES = 11
_STORE_BYTES = 8
_LOCAL_PART = re.compile(r"^reply\+([a-z2-7]{56})$", re.IGNORECASE)


@dataclass(frozen=True)
class Named:
    """The conversation a reply address names: her (possibly merged since) profile and the store."""

    customer_public_id: uuid.UUID
    store_id: int


def _mac(payload: bytes, secret: str) -> bytes:
    return salted_hmac(_PURPOSE, payload, secret=secret, algorithm="sha256").digest()[:_MAC_BYTES]


def reply_token(customer_public_id: uuid.UUID, store_id: int) -> str:
    payload = customer_public_id.bytes + store_id.to_bytes(_STORE_BYTES, "big")
    return base64.b32encode(payload + _mac(payload, settings.SECRET_KEY)).decode().lower()


def reply_address(customer: Customer, store: Store | None) -> str:
    """``"London Marylebone <reply+…@domain>"`` for her e-mails from ``store``; "" when
    ``CONVERSATION_REPLY_DOMAIN`` is not set or there is no store (her replies go to the From then)."""
    domain = settings.CONVERSATION_REPLY_DOMAIN
    if not domain or store is None:
        return ""
    address = f"reply+{reply_token(customer.public_id, store.pk)}@{domain}"
    return formataddr((store.name, address))


def conversation_named(token: str) -> Named | None:
    """What ``token`` names, or None if it was not made with our key (forged, altered, truncated)."""
    try:
        raw = base64.b32decode(token.upper())
    except (binascii.Error, ValueError):
        return None
    payload, given = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if len(payload) != 16 + _STORE_BYTES:
        return None
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(given, _mac(payload, key)) for key in keys):
        return None
    return Named(uuid.UUID(bytes=payload[:16]), int.from_bytes(payload[16:], "big"))


def token_in(headers: Iterable[str]) -> str:
    """The token of the first reply address among address headers' values (``To``, the envelope
    recipient…), unchecked; "" when none is one of ours."""
    for _name, address in getaddresses([header for header in headers if header]):
        local_part = address.rpartition("@")[0]
        if match := _LOCAL_PART.match(local_part):
            return match[1].lower()
    return ""
