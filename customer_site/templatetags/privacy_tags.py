"""Reading the ISO dates of her subject-access data as dates in her language."""

from django import template
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

register = template.Library()


@register.filter
def when(value: str | None, with_time: bool = True) -> str:
    """``2026-05-02T14:03:00+00:00`` → "2 May 2026, 14:03" (or "2 mai 2026 14:03"), in local time."""
    if not value:
        return ""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        return formats.date_format(day, "DATE_FORMAT") if day else value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    if not with_time:
        return formats.date_format(moment, "DATE_FORMAT")
    return formats.date_format(moment, "DATETIME_FORMAT")
