"""Merge fields in message templates: ``{first_name}`` and friends, nothing else.

Templates are managers' text, not code: only the names below are replaced, so a template can never
reach an attribute or run a tag. A template naming any other field is refused when it is saved.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIELDS = {
    "first_name": _("her first name (or the name she prefers)"),
    "associate": _("the sending associate's first name"),
    "store": _("the store's name"),
    "look_link": _("the link to a shared look"),
    "appointment_date": _("the appointment's day"),
    "appointment_time": _("the appointment's time"),
    "appointment_purpose": _("what the appointment is for"),
}

_FIELD = re.compile(r"\{(\w*)\}")


def validate_fields(text: str) -> None:
    unknown = sorted({name for name in _FIELD.findall(text) if name not in FIELDS})
    if unknown:
        raise ValidationError(
            _("Unknown merge field: %(fields)s. Use: %(known)s."),
            params={
                "fields": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in FIELDS),
            },
        )


def merge(text: str, values: Mapping[str, str]) -> str:
    """Replace each known field by its value ("" when there is none for this message)."""
    return _FIELD.sub(lambda m: values.get(m.group(1), "") if m.group(1) in FIELDS else m.group(0), text)
