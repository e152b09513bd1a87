"""A day as an associate would say it to a customer, counted from the store's today: "yesterday",
"on Tuesday", "last week", "earlier this month", "last month", "in March", "last December",
"in March 2024". Each phrase fits after a verb ("you bought this …"). English, as the sentences
it goes into are (staff pages are not translated yet)."""

from datetime import date, timedelta

from django.utils import translation
from django.utils.dateformat import format as date_format


def spoken_day(day: date, today: date) -> str:
    """``day`` (not after ``today``) in words, relative to ``today``."""
    with translation.override("en"):
        return _spoken(day, today)


def _spoken(day: date, today: date) -> str:
    days = (today - day).days
    months = (today.year - day.year) * 12 + today.month - day.month
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    week = day.isocalendar()[:2]
    if week == today.isocalendar()[:2]:
        return f"on {date_format(day, 'l')}"
    if week == (today - timedelta(days=7)).isocalendar()[:2]:
        return "last week"
    if months == 0:
        return "earlier this month"
    if months == 1:
        return "last month"
    if day.year == today.year:
        return f"in {date_format(day, 'F')}"
    if day.year == today.year - 1 and months <= 12:
        return f"last {date_format(day, 'F')}"
    return f"in {date_format(day, 'F Y')}"
