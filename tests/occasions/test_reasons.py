"""Each occasion's reason says what the associate needs to act on: whose, which day (today as such),
what happened."""

from datetime import date

import pytest

from occasions.models import Kind, Occasion
from occasions.reasons import reason

FRIDAY = date(2026, 12, 11)


def occasion(kind: str, detail: dict[str, object] | None = None) -> Occasion:
    return Occasion(kind=kind, due_on=FRIDAY, expires_on=FRIDAY, detail=detail or {})


@pytest.mark.parametrize(
    ("today", "said"),
    [(date(2026, 12, 7), "Her birthday is on Friday 11 December."), (FRIDAY, "Her birthday is today.")],
)
def test_a_birthday_says_its_day_or_that_it_is_today(today, said):
    assert reason(occasion(Kind.BIRTHDAY), today) == said


@pytest.mark.parametrize(
    ("detail", "said"),
    [
        (
            {"label": "Wedding anniversary", "kind": "anniversary"},
            "Wedding anniversary on Friday 11 December.",
        ),
        ({"label": "", "kind": "anniversary"}, "Anniversary on Friday 11 December."),
        ({"label": "", "kind": "other"}, "An important date on Friday 11 December."),
    ],
)
def test_an_important_date_says_its_label_else_its_kind(detail, said):
    assert reason(occasion(Kind.ANNIVERSARY, detail), date(2026, 12, 7)) == said


def test_an_important_date_today_says_so():
    assert (
        reason(occasion(Kind.ANNIVERSARY, {"label": "Wedding anniversary"}), FRIDAY)
        == "Wedding anniversary today."
    )


@pytest.mark.parametrize(
    ("detail", "said"),
    [
        (
            {"tier": "private_client", "last_on": "2026-09-27", "since_on": "2020-01-02"},
            "Private client: no contact for 75 days, since 27 September. Keep in touch.",
        ),
        (
            {"tier": "preferred", "last_on": None, "since_on": "2025-03-04"},
            "Preferred client since 4 March 2025, never contacted. Keep in touch.",
        ),
        (
            {"tier": "private_client", "last_on": None, "since_on": None},
            "Private client, never contacted. Keep in touch.",
        ),
    ],
)
def test_keep_in_touch_says_her_standing_and_how_long_since_she_heard_from_us(detail, said):
    assert reason(occasion(Kind.KEEP_IN_TOUCH, detail), FRIDAY) == said


def test_read_later_the_silence_counts_up_to_the_day_it_is_read():
    keep = occasion(Kind.KEEP_IN_TOUCH, {"tier": "private_client", "last_on": "2026-09-27"})

    assert "no contact for 78 days" in reason(keep, date(2026, 12, 14))
