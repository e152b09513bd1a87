"""Charts as SVG drawn on the server: no script, no CDN, readable without colour (each bar is
labelled with its number and share; each week's column has a title), and the same numbers are on
the page as text."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from common.templatetags.money import money as format_money

LABEL_WIDTH = 96
BAR_WIDTH = 130  # of a bar at 100%
ROW = 26
WIDTH = 310  # the viewBox: label, bar at 100% and its number


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float
    text: str  # "12 (40%)"
    y: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH


def count(value: int | Decimal, places: int | None = None) -> str:
    """A number grouped as the reader's language groups it ("1,574" in English, "1 574" in French)."""
    return number_format(value, places, force_grouping=True)


def _with_share(value: int, total: int) -> str:
    share = f"{value / total:.0%}".removesuffix("%")
    return _("%(value)s (%(share)s%%)") % {"value": count(value), "share": share}


def bars(items: list[tuple[str, int]], *, total: int | None = None) -> Chart:
    """One bar per item, scaled to ``total`` (shares given as percentages) or to the largest."""
    scale = total or max((value for _label, value in items), default=0) or 1
    return Chart(
        [
            Bar(
                label,
                value,
                round(BAR_WIDTH * value / scale, 1),
                _with_share(value, total) if total else count(value),
                ROW * n,
            )
            for n, (label, value) in enumerate(items)
        ],
        height=max(ROW * len(items), ROW),
    )


TREND_WIDTH = 240  # the viewBox of a trend: its columns, then room for the axis labels below
TREND_HEIGHT = 60
TREND_AXIS = 16


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    title: str  # "w/c 2 Mar 2026: 12", shown on hover and read by screen readers


@dataclass(frozen=True)
class Trend:
    label: str
    columns: list[Column]
    top: str  # the largest value, at the top of the scale
    first: str  # the first and last weeks, under the columns
    last: str
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT + TREND_AXIS
    baseline: int = TREND_HEIGHT


def trend(
    label: str, weeks: list[tuple[date, int | Decimal]], *, money: bool = False, currency: str = ""
) -> Trend:
    """One column per week (its Monday and value), scaled to the largest; a zero week is a gap.
    ``money``: amounts, in ``currency`` (or, for stores of several, as numbers only)."""

    def text(value: int | Decimal) -> str:
        if not money:
            return count(value)
        return format_money(value, currency) if currency else count(value, 2)

    largest = max((value for _monday, value in weeks), default=0) or 1
    step = TREND_WIDTH / max(len(weeks), 1)
    columns = []
    for n, (monday, value) in enumerate(weeks):
        height = round(float(TREND_HEIGHT * value / largest), 1)
        columns.append(
            Column(
                x=round(n * step + step * 0.1, 1),
                y=round(TREND_HEIGHT - height, 1),
                width=round(step * 0.8, 1),
                height=height,
                title=_("week of %(day)s: %(value)s")
                % {"day": date_format(monday, "DATE_FORMAT"), "value": text(value)},
            )
        )
    return Trend(
        label=label,
        columns=columns,
        top=text(max((value for _monday, value in weeks), default=0)),
        first=date_format(weeks[0][0], "MONTH_DAY_FORMAT") if weeks else "",
        last=date_format(weeks[-1][0], "MONTH_DAY_FORMAT") if weeks else "",
    )
