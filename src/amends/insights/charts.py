"""The geometry of the dashboard's charts, drawn as inline SVG by the templates. Pure Python: no Django import.

Numbers in, rectangles and ticks out, in a viewBox about as wide as the chart's place on the page (so text stays
at its size and the charts are sharp at any zoom and in print). Colours are CSS classes (`s0`…`s6`), never
inline styles: the CSP allows none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDE = 1100  # a chart across the page
HALF = 500  # a chart in half of it
LEFT = 44  # room for the value axis
BOTTOM = 24  # room for the bucket labels
TOP = 10


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
    width: int = HALF
    height: int = 200
    rects: list[Rect] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    xlabels: list[XLabel] = field(default_factory=list)
    left: int = LEFT

    @property
    def right(self) -> int:
        return self.width - 4

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM

    @property
    def plot_width(self) -> int:
        return self.right - LEFT

    @property
    def plot_height(self) -> int:
        return self.height - BOTTOM - TOP


def axis_step(value: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 × 10ⁿ, at least 1: the figures are counts) giving about `ticks` gridlines."""
    raw = max(value, 1.0) / ticks
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if raw <= step * power:
            return max(1.0, float(step * power))
    return max(1.0, float(10 * power))


def _axis(chart: Chart, highest: float) -> float:
    """Set the chart's ticks; return the top of the value axis."""
    step = axis_step(highest)
    count = max(1, math.ceil(max(highest, 1.0) / step))
    top = step * count
    chart.ticks = [
        Tick(round(TOP + chart.plot_height * (1 - i / count), 1), f"{step * i:,.0f}") for i in range(count + 1)
    ]
    return top


def stacked_bars(
    bucket_labels: list[str],
    series: list[tuple[str, list[float]]],
    hrefs: list[list[str]] | None = None,
    *,
    width: int = HALF,
    height: int = 200,
) -> Chart:
    """Bars per bucket, stacked by series (the first series at the bottom)."""
    chart = Chart(width=width, height=height)
    n = max(1, len(bucket_labels))
    sums = [sum(points[i] for _name, points in series) for i in range(len(bucket_labels))]
    top = _axis(chart, max(sums, default=0))
    step = chart.plot_width / n
    gap = min(6.0, step * 0.25)
    for i in range(len(bucket_labels)):
        y = float(chart.baseline)
        for s, (name, points) in enumerate(series):
            value = points[i]
            if not value:
                continue
            h = chart.plot_height * value / top
            y -= h
            href = hrefs[s][i] if hrefs else ""
            label = f"{bucket_labels[i]} · {name}: {value:g}"
            x, w = LEFT + i * step + gap / 2, max(1.0, step - gap)
            chart.rects.append(
                Rect(round(x, 1), round(y, 1), round(w, 1), round(h, 1), f"s{s % 7}", value, label, href)
            )
    every = max(1, math.ceil(n / (width // 110)))  # as many labels under the bars as fit, whatever the period
    chart.xlabels = [
        XLabel(round(LEFT + (i + 0.5) * step, 1), text) for i, text in enumerate(bucket_labels) if i % every == 0
    ]
    return chart


def histogram(bars: list[tuple[str, float]], target_bars: int, *, width: int = HALF, height: int = 200) -> Chart:
    """Vertical bars; those within the target get the class `ok`, the rest `late`."""
    chart = Chart(width=width, height=height)
    n = max(1, len(bars))
    top = _axis(chart, max((v for _l, v in bars), default=0))
    step = chart.plot_width / n
    for i, (label, value) in enumerate(bars):
        h = chart.plot_height * value / top
        css = "ok" if i < target_bars else "late"
        x, y = LEFT + i * step + 4, chart.baseline - h
        chart.rects.append(
            Rect(round(x, 1), round(y, 1), round(step - 8, 1), round(h, 1), css, value, f"{label}: {value:g}")
        )
        chart.xlabels.append(XLabel(round(LEFT + (i + 0.5) * step, 1), label))
    return chart


HBAR_X = 170  # labels to the left of it, bars from it
HBAR_SPAN = 230  # the longest bar; its value and note follow it
HBAR_ROW = 26


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
        return round(self.y + 9, 1)


@dataclass
class HBars:
    bars: list[HBar]
    width: int = HALF
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


def short(text: str, limit: int = 26) -> str:
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
