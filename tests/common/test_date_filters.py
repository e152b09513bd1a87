"""Dates with their weekday, as the store's locale writes them (common/templatetags/dates.py)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from common.templatetags.dates import long_weekday_date, weekday_date, weekday_date_time

SUNDAY = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "short", "long", "with_time"),
    [
        ("en-gb", "Sun 6 Dec", "Sunday 6 Dec", "Sun 6 Dec, 14:30"),
        ("en-us", "Sun, Dec 6", "Sunday, Dec 6", "Sun, Dec 6, 2:30 PM"),
        ("fr-fr", "dim 6 déc.", "dimanche 6 déc.", "dim 6 déc., 14:30"),
    ],
)
def test_each_locale_writes_a_weekday_and_date_its_own_way(locale, short, long, with_time):
    with translation.override(locale):
        assert weekday_date(SUNDAY) == short
        assert long_weekday_date(date(2026, 12, 6)) == long
        assert weekday_date_time(SUNDAY) == with_time


def test_nothing_is_written_for_no_date():
    assert weekday_date(None) == long_weekday_date(None) == weekday_date_time(None) == ""
