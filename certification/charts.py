"""Server-side bar charts (plain SVG in the template): no JavaScript library, no CDN."""

from dataclasses import dataclass

from .models import StatusCode

COLOURS = {
    StatusCode.VALID: "#1d7a46",
    StatusCode.AT_RISK: "#c98a00",
    StatusCode.SUSPENDED: "#b42318",
    StatusCode.EXPIRED: "#7a2e0e",
    StatusCode.REVOKED: "#5b1a14",
    StatusCode.CANCELLED: "#6b7280",
    StatusCode.NOT_QUALIFIED: "#9aa5b1",
}

ROW = 28
LABEL_WIDTH = 150
BAR_WIDTH = 230


@dataclass
class Bar:
    label: str
    count: int
    colour: str
    y: int
    width: int
    text_x: int
    text_y: int


@dataclass
class Chart:
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_WIDTH + 60
    label_width: int = LABEL_WIDTH


def _chart(rows: list[tuple[str, int, str]]) -> Chart:
    top = max([count for _label, count, _colour in rows] + [1])
    bars = []
    for index, (label, count, colour) in enumerate(rows):
        width = round(BAR_WIDTH * count / top) if count else 0
        y = index * ROW + 4
        bars.append(
            Bar(
                label=label,
                count=count,
                colour=colour,
                y=y,
                width=width,
                text_x=LABEL_WIDTH + width + 6,
                text_y=y + 15,
            )
        )
    return Chart(bars=bars, height=len(rows) * ROW + 8)


def status_bars(summary) -> Chart:
    return _chart([(label, count, COLOURS[code]) for code, label, count in summary.rows()])


def bands_bars(bands: list[tuple[str, int]]) -> Chart:
    colours = ["#b42318", "#c98a00", "#c98a00", "#6b8f2a", "#1d7a46"]
    return _chart([(label, count, colours[i % 5]) for i, (label, count) in enumerate(bands)])
