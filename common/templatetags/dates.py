"""Dates with their weekday, written the way the active locale writes dates
(``clienteling/formats``): ``{{ when|weekday_date }}`` → "Sun 6 Dec", "Sun, Dec 6", "dim. 6 déc.";
``weekday_date_time`` adds the time ("Sun 6 Dec, 10:00"), ``month_day_time`` without the weekday;
``long_weekday_date`` names the day in full ("Sunday 6 Dec"). Aware times are shown in the current
time zone, as Django's ``date`` filter does. Plain dates need no filter of their own: ``|date:"DATE_FORMAT"``,
``"MONTH_DAY_FORMAT"``, ``"DATETIME_FORMAT"``, ``|time:"TIME_FORMAT"``."""

from datetime import date, datetime

from django import template
from django.utils import formats, translation

register = template.Library()


def _joined(weekday: str, value: date | datetime) -> str:
    month_day = formats.date_format(value, "MONTH_DAY_FORMAT")
    # American English puts a comma after the weekday ("Sun, Dec 6").
    separator = ", " if (translation.get_language() or "").lower() == "en-us" else " "
    return f"{weekday}{separator}{month_day}"


@register.filter(expects_localtime=True)
def weekday_date(value: date | datetime | None) -> str:
    return "" if value is None else _joined(formats.date_format(value, "D"), value)


@register.filter(expects_localtime=True)
def long_weekday_date(value: date | datetime | None) -> str:
    return "" if value is None else _joined(formats.date_format(value, "l"), value)


@register.filter(expects_localtime=True)
def weekday_date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{weekday_date(value)}, {formats.time_format(value, 'TIME_FORMAT')}"


@register.filter(expects_localtime=True)
def month_day_time(value: datetime | None) -> str:
    """ "6 Dec, 14:30", "Dec 6, 2:30 PM", "6 déc., 14:30"."""
    if value is None:
        return ""
    return f"{formats.date_format(value, 'MONTH_DAY_FORMAT')}, {formats.time_format(value, 'TIME_FORMAT')}"
