"""What every adapter shares: what ``parse`` returns, the protocol, and readers of a payload's fields
that raise ``Malformed`` with a sentence a provider's developer can act on."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from django.utils.dateparse import parse_datetime

from outreach.inbound import Incoming
from outreach.receipts import Receipt


class Malformed(ValueError):
    """The payload is not what the provider's documented shape says."""


@dataclass
class Parsed:
    messages: list[Incoming] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    ignored: int = 0  # receipts of states that say nothing new (queued, accepted…)


class Adapter(Protocol):
    name: str
    secret_setting: str
    body_limit_setting: str  # the setting holding the largest body it takes (past it, a 413)
    reads_forms: bool  # it takes application/x-www-form-urlencoded bodies as well as JSON

    def parse(self, payload: Any) -> Parsed: ...


def read_text(value: Any, what: str, *, required: bool = True, limit: int = 4000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise Malformed(f"{what} must be a non-empty string.")
    text = str(value)
    if len(text) > limit:
        raise Malformed(f"{what} is longer than {limit} characters.")
    return text


def read_moment(value: Any, what: str) -> datetime | None:
    """An ISO 8601 time with its offset, or Unix seconds (as a number or a string of digits)."""
    if value in (None, ""):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), tz=UTC)
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise Malformed(f"{what} must be an ISO 8601 time with its offset, or Unix seconds.")
    return moment


def read_object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise Malformed(f"{what} must be a JSON object.")
    return payload


def read_reference(value: Any) -> str:
    """Our message's public id echoed back, or "" when absent or not one of ours."""
    try:
        return str(uuid.UUID(str(value))) if value else ""
    except ValueError:
        return ""
