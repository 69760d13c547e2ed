"""The geometry of the dashboard's charts, drawn as inline SVG by the templates. Pure Python: no Django import.

Numbers in, rectangles and ticks out, in a fixed viewBox the browser scales to the page (so the charts are sharp
at any size and print well). Colours are CSS classes (`s0`…`s6`), never inline styles: the CSP allows none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 220
LEFT = 44  # room for the value axis
BOTTOM = 24  # room for the bucket labels
TOP = 8


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    css: str
    value: float
    label: str = ""
    href: str = ""


@dataclass
class Tick:
    y: float
    text: str


@dataclass
class XLabel:
    x: float
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    xlabels: list[XLabel] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value`: the top of the value axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _ticks(top: float, plot_height: float, count: int = 4) -> list[Tick]:
    out = []
    for i in range(count + 1):
        value = top * i / count
        text = f"{value:,.0f}" if top >= count else f"{value:g}"
        out.append(Tick(y=round(TOP + plot_height * (1 - i / count), 1), text=text))
    return out


def stacked_bars(
    bucket_labels: list[str], series: list[tuple[str, list[float]]], hrefs: list[list[str]] | None = None
) -> Chart:
    """Bars per bucket, stacked by series (the first series at the bottom)."""
    chart = Chart()
    n = max(1, len(bucket_labels))
    plot_w = WIDTH - LEFT - 4
    plot_h = HEIGHT - BOTTOM - TOP
    sums = [sum(points[i] for _name, points in series) for i in range(len(bucket_labels))]
    top = nice_max(max(sums, default=0))
    step = plot_w / n
    gap = min(4.0, step * 0.2)
    for i in range(len(bucket_labels)):
        y = HEIGHT - BOTTOM
        for s, (name, points) in enumerate(series):
            value = points[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            href = hrefs[s][i] if hrefs else ""
            label = f"{bucket_labels[i]} · {name}: {value:g}"
            chart.rects.append(
                Rect(
                    round(LEFT + i * step + gap / 2, 1),
                    round(y, 1),
                    round(max(1.0, step - gap), 1),
                    round(h, 1),
                    f"s{s % 7}",
                    value,
                    label,
                    href,
                )
            )
    chart.ticks = _ticks(top, plot_h)
    every = max(1, math.ceil(n / 8))  # at most eight labels under the bars, whatever the period
    chart.xlabels = [
        XLabel(round(LEFT + (i + 0.5) * step, 1), t) for i, t in enumerate(bucket_labels) if i % every == 0
    ]
    return chart


def histogram(bars: list[tuple[str, float]], target_bars: int) -> Chart:
    """Vertical bars; those within the target get the class `ok`, the rest `late`."""
    chart = Chart()
    n = max(1, len(bars))
    plot_w = WIDTH - LEFT - 4
    plot_h = HEIGHT - BOTTOM - TOP
    top = nice_max(max((v for _l, v in bars), default=0))
    step = plot_w / n
    for i, (label, value) in enumerate(bars):
        h = plot_h * value / top
        css = "ok" if i < target_bars else "late"
        chart.rects.append(
            Rect(
                round(LEFT + i * step + 4, 1),
                round(HEIGHT - BOTTOM - h, 1),
                round(step - 8, 1),
                round(h, 1),
                css,
                value,
                f"{label}: {value:g}",
            )
        )
        chart.xlabels.append(XLabel(round(LEFT + (i + 0.5) * step, 1), label))
    chart.ticks = _ticks(top, plot_h)
    return chart


HBAR_X = 210  # labels to the left of it, bars from it
HBAR_SPAN = 330  # the longest bar; its value and note follow it
HBAR_ROW = 28


@dataclass
class HBar:
    label: str
    value: float
    text: str
    y: float = 0.0
    w: float = 0.0
    css: str = "s0"
    href: str = ""
    note: str = ""

    @property
    def end(self) -> float:
        return round(HBAR_X + self.w + 6, 1)

    @property
    def mid(self) -> float:
        return round(self.y + HBAR_ROW / 2 - 3, 1)


@dataclass
class HBars:
    bars: list[HBar]
    width: int = WIDTH
    label_x: int = HBAR_X - 8
    x: int = HBAR_X

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * HBAR_ROW + 4

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.bars)

    def __len__(self) -> int:
        return len(self.bars)

    def __getitem__(self, i: int) -> HBar:
        return self.bars[i]


def short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hbars(rows: list[tuple[str, float, str]], *, low: float = 0.0, css: str = "s0") -> HBars:
    """Horizontal bars, one row each, scaled to the largest value (from `low`, e.g. −100 for a promoter score)."""
    span = max((v - low for _l, v, _t in rows), default=0) or 1.0
    bars = []
    for i, (label, value, text) in enumerate(rows):
        w = max(0.0, HBAR_SPAN * (value - low) / span)
        bars.append(HBar(short(label), value, text, y=i * HBAR_ROW + 4, w=round(max(w, 1.0), 1), css=css))
    return HBars(bars)


def dots(count: int, per_row: int = 9, gap: int = 26) -> list[tuple[int, int]]:
    """Centres of `count` figures in rows: the silent-customer picture (one who complained, the rest silent)."""
    return [(14 + (i % per_row) * gap, 14 + (i // per_row) * gap) for i in range(count)]
