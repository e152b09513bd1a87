"""Days in words, from the store's today (a Thursday, 3 December 2026)."""

from datetime import date

import pytest

from common.spoken_dates import spoken_day

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 12, 3), "today"),
        (date(2026, 12, 2), "yesterday"),
        (date(2026, 11, 30), "on Monday"),  # this week
        (date(2026, 11, 29), "last week"),  # Sunday: the week before
        (date(2026, 11, 23), "last week"),
        (date(2026, 11, 20), "last month"),
        (date(2026, 10, 31), "in October"),
        (date(2026, 1, 15), "in January"),
        (date(2025, 12, 24), "last December"),
        (date(2025, 12, 3), "last December"),
        (date(2025, 11, 30), "in November 2025"),
        (date(2024, 3, 1), "in March 2024"),
    ],
)
def test_a_day_is_said_as_an_associate_would_say_it(day, words):
    assert spoken_day(day, TODAY) == words


def test_earlier_this_month_once_last_week_is_past():
    assert spoken_day(date(2026, 12, 2), date(2026, 12, 28)) == "earlier this month"
