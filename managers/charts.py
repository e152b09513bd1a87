"""Bar charts as SVG drawn on the server: no script, no CDN, readable without colour (each bar is
labelled with its number and share), and the same numbers are on the page as text."""

from dataclasses import dataclass

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


def bars(items: list[tuple[str, int]], *, total: int | None = None) -> Chart:
    """One bar per item, scaled to ``total`` (shares given as percentages) or to the largest."""
    scale = total or max((value for _, value in items), default=0) or 1
    return Chart(
        [
            Bar(
                label,
                value,
                round(BAR_WIDTH * value / scale, 1),
                f"{value:,} ({value / total:.0%})" if total else f"{value:,}",
                ROW * n,
            )
            for n, (label, value) in enumerate(items)
        ],
        height=max(ROW * len(items), ROW),
    )
