"""Reads of the dashboard's figures. Every one reads the daily rollups only (DailyCaseStat), bounded by the days
of the period times the keys of one dimension: never the cases themselves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from amends.accounts.models import Team, User
from amends.brands.models import BrandIdentity
from amends.core.display import category_label, channel_label, language_label
from amends.remedies.models import KIND_CHOICES
from amends.triage.models import Category

from .models import DailyCaseStat, MonthlyCaseStat, RollupWatermark
from .period import Period, bucket_of
from .rollup import NONE, OFFER_EDGES, RESPONSE_EDGES

# The dimensions a manager can switch the charts by, in the order the switch shows them.
VOLUME_BY = ("category", "brand", "channel", "team", "language")
SATISFACTION_BY = ("team", "agent", "category", "remedy")
DIMENSION_LABEL = {
    "category": gettext_lazy("Category"),
    "brand": pgettext_lazy("insights", "Brand"),
    "channel": gettext_lazy("Channel"),
    "team": gettext_lazy("Team"),
    "language": gettext_lazy("Language"),
    "agent": gettext_lazy("Agent"),
    "remedy": pgettext_lazy("insights", "Remedy kind"),
}
OFFER_LABELS = (
    gettext_lazy("≤ 10 s"),
    gettext_lazy("10–30 s"),
    gettext_lazy("30–60 s"),
    gettext_lazy("1–5 min"),
    gettext_lazy("5–60 min"),
    gettext_lazy("1–24 h"),
    gettext_lazy("> 1 day"),
)
RESPONSE_LABELS = (
    gettext_lazy("≤ 15 min"),
    gettext_lazy("15–60 min"),
    gettext_lazy("1–4 h"),
    gettext_lazy("4–8 h"),
    gettext_lazy("8–24 h"),
    gettext_lazy("1–3 d"),
    gettext_lazy("> 3 days"),
)
OFFER_FIELDS = (*(f"offer_{i}" for i in range(len(OFFER_EDGES) + 1)), "offer_none")
RESPONSE_FIELDS = (*(f"response_{i}" for i in range(len(RESPONSE_EDGES) + 1)), "response_none")
TOP_SERIES = 6  # the over-time chart stacks this many keys; the rest are one "Other" band


@dataclass
class Slice:
    """One key of a dimension over the period: its label and its summed figures."""

    key: str
    label: str
    figures: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.figures.get(name, 0)


@dataclass
class Series:
    key: str
    label: str
    points: list[int]

    @property
    def total(self) -> int:
        return sum(self.points)


@dataclass
class OverTime:
    grain: str
    buckets: list[date]
    series: list[Series] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(s.points[i] for s in self.series) for i in range(len(self.buckets))]


_SUMMED = [f.name for f in DailyCaseStat._meta.get_fields() if f.name not in ("id", "day", "dimension", "key")]
# Within one page (the dashboard, the review) the same sums are asked for by several charts and their tables:
# `figures_memo` keeps them for the page's request only, never across requests (the figures change every minute).
_memo: ContextVar[dict[tuple, Any] | None] = ContextVar("insights_memo", default=None)


@contextmanager
def figures_memo() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _remembered(key: tuple, compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _spans(period: Period) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """The day ranges to read daily rows for, and the first and last whole month to read month rows for: the
    whole months inside a period longer than two months, the days of the part-months at its ends."""
    if period.days <= 62:
        return [(period.start, period.end)], None
    first = period.start if period.start.day == 1 else (period.start.replace(day=28) + timedelta(days=4)).replace(day=1)
    after_end = period.end + timedelta(days=1)
    last_end = period.end if after_end.day == 1 else period.end.replace(day=1) - timedelta(days=1)
    if first > last_end:
        return [(period.start, period.end)], None
    days = [(period.start, first - timedelta(days=1)), (last_end + timedelta(days=1), period.end)]
    return [(a, b) for a, b in days if a <= b], (first, last_end.replace(day=1))


def _queries(period: Period, dimension: str, months_too: bool = True) -> list[tuple[QuerySet, str]]:
    """The querysets whose rows add up to the period (daily and monthly), each with its date field."""
    days, months = _spans(period) if months_too else ([(period.start, period.end)], None)
    out: list[tuple[QuerySet, str]] = []
    if days:
        within = Q()
        for a, b in days:
            within |= Q(day__gte=a, day__lte=b)
        out.append((DailyCaseStat.objects.filter(within, dimension=dimension), "day"))
    if months:
        rows = MonthlyCaseStat.objects.filter(dimension=dimension, month__gte=months[0], month__lte=months[1])
        out.append((rows, "month"))
    return out


def _sums(period: Period, dimension: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """Per key of the dimension, the named figures summed over the period."""
    found: dict[str, dict[str, Any]] = {}
    for rows, _field in _queries(period, dimension):
        for row in rows.values("key").annotate(**{n: Sum(n) for n in names}).order_by():
            mine = found.setdefault(row["key"], dict.fromkeys(names, 0))
            for n in names:
                mine[n] += row[n] or 0
    return found


def _fields(fields: tuple[str, ...] | None) -> list[str]:
    """Only the sums a figure needs (a chart over two years sums some thirty thousand rows): always `opened`."""
    if fields is None:
        return _SUMMED
    return ["opened", *(f for f in fields if f != "opened")]


def totals(period: Period, dimension: str, fields: tuple[str, ...] | None = None) -> list[Slice]:
    """Every key of `dimension` with its figures summed over the period, largest volume first."""

    def compute() -> list[Slice]:
        found = _sums(period, dimension, _fields(fields))
        names = labels(dimension, list(found))
        slices = [Slice(key, names.get(key, key), figures) for key, figures in found.items()]
        return sorted(slices, key=lambda s: (-s["opened"], s.label))

    # Copies, so a caller adding a figure (a rate, an average) does not change what the next caller reads.
    found = _remembered(("totals", period, dimension, fields), compute)
    return [Slice(s.key, s.label, dict(s.figures)) for s in found]


def overall(period: Period, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        names = _fields(fields)
        return _sums(period, "all", names).get("", dict.fromkeys(names, 0))

    return dict(_remembered(("overall", period, fields), compute))


def over_time(period: Period, dimension: str, metric: str = "opened", top: int = TOP_SERIES) -> OverTime:
    """`metric` per bucket (day, week or month by the period's length) for the biggest keys of `dimension`."""
    return _remembered(
        ("over_time", period, dimension, metric, top), lambda: _over_time(period, dimension, metric, top)
    )


def _over_time(period: Period, dimension: str, metric: str, top: int) -> OverTime:
    grain = period.grain
    buckets = period.buckets()
    index = {b: i for i, b in enumerate(buckets)}
    points: dict[str, list[int]] = defaultdict(lambda: [0] * len(buckets))
    # Month rows serve a chart by month; by week or day, only daily rows can say which bucket a case is in.
    for rows, field_name in _queries(period, dimension, months_too=grain == "month"):
        if grain == "week" and field_name == "day":
            rows, field_name = rows.annotate(bucket=TruncWeek("day")), "bucket"
        for row in rows.values(field_name, "key").annotate(n=Sum(metric)).order_by():
            when = row[field_name]
            when = bucket_of(when.date() if isinstance(when, datetime) else when, grain)
            if when in index and row["n"]:
                points[row["key"]][index[when]] += int(row["n"])
    ranked = sorted(points, key=lambda k: -sum(points[k]))
    names = labels(dimension, ranked)
    chart = OverTime(grain=grain, buckets=buckets)
    for key in ranked[:top]:
        chart.series.append(Series(key, names.get(key, key), points[key]))
    if len(ranked) > top:
        rest = [sum(points[k][i] for k in ranked[top:]) for i in range(len(buckets))]
        chart.series.append(Series("", _("Other"), rest))
    return chart


# ---------------------------------------------------------------- the charts' figures


@dataclass
class WeakSpot:
    key: str
    label: str
    volume: int
    previous: int
    severity: float
    change: float | None  # against the previous period, as a fraction; None when it had none
    score: float


def weak_spots(period: Period, dimension: str = "category", limit: int = 10) -> list[WeakSpot]:
    """Ranked by volume × mean severity × trend: what hurts many customers badly and is getting worse comes first.

    The trend is the ratio to the previous period of the same length, smoothed (+1 on both sides, so a key new
    this period counts as rising rather than infinite) and held between 0.5 and 3, so one quiet month does not
    bury a large, severe problem and one small spike does not top the list."""
    needs = ("opened", "severity_sum", "triaged")
    now = {s.key: s for s in totals(period, dimension, needs)}
    before = {s.key: s for s in totals(period.previous(), dimension, ("opened",))}
    spots = []
    for key, s in now.items():
        volume = int(s["opened"])
        if not volume:
            continue
        previous = int(before[key]["opened"]) if key in before else 0
        severity = s["severity_sum"] / s["triaged"] if s["triaged"] else 2.0
        trend = min(3.0, max(0.5, (volume + 1) / (previous + 1)))
        change = (volume - previous) / previous if previous else None
        spots.append(WeakSpot(key, s.label, volume, previous, round(severity, 2), change, volume * severity * trend))
    spots.sort(key=lambda w: (-w.score, w.label))
    return spots[:limit]


@dataclass
class Silent:
    complaints: int
    factor: int

    @property
    def silent(self) -> int:
        return self.complaints * self.factor

    @property
    def unhappy(self) -> int:
        return self.complaints * (self.factor + 1)


def silent_customers(period: Period) -> Silent:
    return Silent(int(overall(period, ("opened",))["opened"]), settings.INSIGHTS_SILENT_FACTOR)


@dataclass
class RemedyValue:
    complaints: int
    remedies_granted: int
    cost: Decimal
    retained_customers: int
    retained_revenue: Decimal
    currency: str

    @property
    def return_per_cost(self) -> float | None:
        return float(self.retained_revenue / self.cost) if self.cost else None


def remedy_value(period: Period) -> RemedyValue:
    found = overall(period, ("remedies_granted", "remedy_cost", "retained_customers", "retained_revenue"))
    return RemedyValue(
        complaints=int(found["opened"]),
        remedies_granted=int(found["remedies_granted"]),
        cost=Decimal(found["remedy_cost"]),
        retained_customers=int(found["retained_customers"]),
        retained_revenue=Decimal(found["retained_revenue"]),
        currency=settings.CURRENCY,
    )


@dataclass
class Histogram:
    bars: list[tuple[str, int]]
    waiting: int  # cases the event has not happened to yet
    target_bars: int  # how many bars from the left are within the target (the 60-second rule; first response)

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.bars)

    @property
    def within_target(self) -> int:
        return sum(n for _label, n in self.bars[: self.target_bars])

    @property
    def share_within_target(self) -> float | None:
        return self.within_target / self.total if self.total else None


def first_offer(period: Period) -> Histogram:
    found = overall(period, OFFER_FIELDS)
    bars = [(str(OFFER_LABELS[i]), int(found[f"offer_{i}"])) for i in range(len(OFFER_EDGES) + 1)]
    return Histogram(bars, int(found["offer_none"]), target_bars=OFFER_EDGES.index(60) + 1)


def first_response(period: Period) -> Histogram:
    found = overall(period, RESPONSE_FIELDS)
    bars = [(str(RESPONSE_LABELS[i]), int(found[f"response_{i}"])) for i in range(len(RESPONSE_EDGES) + 1)]
    # Within the normal priority's eight hours (cases.lifecycle.TARGETS).
    return Histogram(bars, int(found["response_none"]), target_bars=RESPONSE_EDGES.index(8 * 3600) + 1)


@dataclass
class Breaches:
    over_time: OverTime
    by_team: list[Slice]
    opened: int
    breached: int


def breaches(period: Period) -> Breaches:
    found = overall(period, ("breached",))
    by_team = [s for s in totals(period, "team", ("breached",)) if s["opened"]]
    for s in by_team:
        s.figures["rate"] = s["breached"] / s["opened"]
    by_team.sort(key=lambda s: (-s.figures["rate"], s.label))
    return Breaches(over_time(period, "all", "breached"), by_team, int(found["opened"]), int(found["breached"]))


def satisfaction(period: Period, dimension: str = "team") -> list[Slice]:
    """Average satisfaction (1–5) and the net promoter score (−100…100) of the answered follow-ups, per key."""
    needs = ("surveys", "satisfaction_sum", "recommend_answers", "promoters", "detractors")
    rows = [s for s in totals(period, dimension, needs) if s["surveys"] or s["recommend_answers"]]
    for s in rows:
        s.figures["satisfaction"] = round(s["satisfaction_sum"] / s["surveys"], 2) if s["surveys"] else None
        answers = s["recommend_answers"]
        s.figures["nps"] = round(100 * (s["promoters"] - s["detractors"]) / answers) if answers else None
    rows.sort(key=lambda s: (-(s.figures["satisfaction"] or 0), s.label))
    return rows


@dataclass
class Recurrences:
    over_time: OverTime
    by_category: list[Slice]
    total: int


def recurrences(period: Period) -> Recurrences:
    by_category = [s for s in totals(period, "category", ("recurrences",)) if s["recurrences"]]
    by_category.sort(key=lambda s: (-s["recurrences"], s.label))
    total = int(overall(period, ("recurrences",))["recurrences"])
    return Recurrences(over_time(period, "all", "recurrences"), by_category, total)


def refreshed_at() -> datetime | None:
    return RollupWatermark.objects.filter(name="case_events").values_list("refreshed_at", flat=True).first()


# ---------------------------------------------------------------- labels


def labels(dimension: str, keys: list[str]) -> dict[str, str]:
    """Words for the keys of a dimension, in the reader's language: one query for the ids it names."""
    ids = [int(k) for k in keys if k.isdigit()]
    out: dict[str, str] = {}
    if dimension == "category":
        out = {str(c.pk): category_label(c) for c in Category.objects.filter(pk__in=ids)}
        out[NONE] = _("Not categorised")
    elif dimension == "brand":
        out = {str(pk): name for pk, name in BrandIdentity.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif dimension == "team":
        out = {str(pk): name for pk, name in Team.objects.filter(pk__in=ids).values_list("pk", "name")}
        out[NONE] = _("No team")
    elif dimension == "agent":
        out = {str(u.pk): u.display_name for u in User.objects.filter(pk__in=ids)}
        out[NONE] = _("Unassigned")
    elif dimension == "channel":
        out = {k: channel_label(k) for k in keys}
    elif dimension == "language":
        out = {k: language_label(k) for k in keys}
    elif dimension == "remedy":
        out = {k: str(v) for k, v in KIND_CHOICES}
        out[NONE] = _("No remedy granted")
    elif dimension == "all":
        out = {"": pgettext("insights", "All complaints")}
    return {k: out.get(k, pgettext("insights", "Removed")) for k in keys}
