"""Every figure of the dashboard as a table: the data a chart draws, the accessible fallback under it, its CSV
export and the management-review report all come from here, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from . import selectors
from .period import Period, bucket_of

# The inbox filter that selects a dimension's key (cases.forms.InboxFilterForm); "none" keys have one only for
# agents ("unassigned").
INBOX_PARAM = {
    "category": "review",
    "team": "team",
    "channel": "channel",
    "language": "language",
    "brand": "brand",
    "agent": "assignee",
}
TABLE_TITLES = {
    "volume": gettext_lazy("Complaints over time"),
    "weak-spots": pgettext_lazy("insights", "Weak spots"),
    "silent": pgettext_lazy("insights", "Silent customers"),
    "remedy-value": gettext_lazy("Remedy cost and retained revenue"),
    "first-offer": gettext_lazy("Time to first offer"),
    "first-response": gettext_lazy("Time to first response"),
    "breaches": gettext_lazy("Missed targets by team"),
    "satisfaction": gettext_lazy("Satisfaction and recommendation"),
    "recurrences": gettext_lazy("Recurrences after corrective actions"),
}


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # the cases behind each row, "" where there is no filter
    note: str = ""  # what the rows leave out, in words ("12 more … are not listed here")

    @property
    def lines(self) -> list[tuple[list[object], str]]:
        return [(row, self.links[i] if i < len(self.links) else "") for i, row in enumerate(self.rows)]


def inbox_url(period: Period, dimension: str = "all", key: str = "", **extra: str) -> str:
    """The inbox filtered to the cases behind a figure: opened in the period, with the key of the dimension."""
    query = {"status": "all", "opened_from": period.start.isoformat(), "opened_to": period.end.isoformat()}
    param = INBOX_PARAM.get(dimension)
    if param and key:
        if key == "none" and dimension != "agent":
            return ""
        query[param] = key
    query.update(extra)
    return reverse("cases:inbox") + "?" + urlencode(query)


def bucket_period(period: Period, start: date) -> Period:
    """The days of one bar of a chart over time, clipped to the period."""
    nxt = {"day": start + timedelta(days=1), "week": start + timedelta(days=7)}.get(period.grain)
    if nxt is None:
        nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(max(start, period.start), min(nxt - timedelta(days=1), period.end))


def bucket_label(day: date, grain: str) -> str:
    if grain == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    return date_format(day, "SHORT_DATE_FORMAT")


def volume_table(period: Period, by: str) -> Table:
    table = Table(
        "volume",
        f"{pgettext('insights', 'Complaints')} · {selectors.DIMENSION_LABEL[by]}",
        [
            str(selectors.DIMENSION_LABEL[by]),
            pgettext("insights", "Complaints"),
            _("Resolved"),
            pgettext("insights", "Missed a target"),
            _("Severity"),
        ],
    )
    for s in selectors.totals(period, by, ("resolved", "breached", "severity_sum", "triaged")):
        severity = round(s["severity_sum"] / s["triaged"], 2) if s["triaged"] else None
        table.rows.append([s.label, s["opened"], s["resolved"], s["breached"], severity])
        table.links.append(inbox_url(period, by, s.key))
    return table


def weak_spots_table(period: Period, by: str) -> Table:
    table = Table(
        "weak-spots",
        str(TABLE_TITLES["weak-spots"]),
        [
            str(selectors.DIMENSION_LABEL[by]),
            pgettext("insights", "Complaints"),
            pgettext("insights", "Previous period"),
            _("Change"),
            _("Mean severity (1–4)"),
            pgettext("insights", "Score"),
        ],
    )
    for w in selectors.weak_spots(period, by):
        change = f"{w.change:+.0%}" if w.change is not None else pgettext("insights", "new")
        table.rows.append([w.label, w.volume, w.previous, change, w.severity, round(w.score, 1)])
        table.links.append(inbox_url(period, by, w.key))
    return table


def silent_table(period: Period) -> Table:
    silent = selectors.silent_customers(period)
    table = Table(
        "silent", str(TABLE_TITLES["silent"]), [pgettext("insights", "Figure"), pgettext("insights", "Customers")]
    )
    table.rows = [
        [pgettext("insights", "Complained"), silent.complaints],
        [_("Estimated unhappy customers who said nothing"), silent.silent],
        [_("Estimated unhappy customers in all"), silent.unhappy],
    ]
    table.links = [inbox_url(period), "", ""]
    return table


def remedy_value_table(period: Period) -> Table:
    value = selectors.remedy_value(period)
    table = Table(
        "remedy-value",
        str(TABLE_TITLES["remedy-value"]),
        [pgettext("insights", "Figure"), pgettext("insights", "Value")],
    )
    table.rows = [
        [pgettext("insights", "Complaints"), value.complaints],
        [pgettext("insights", "Remedies granted"), value.remedies_granted],
        [_("Remedy cost (%(currency)s)") % {"currency": value.currency}, value.cost.quantize(Decimal("0.01"))],
        [_("Complainants who ordered again"), value.retained_customers],
        [
            _("Revenue from them since (%(currency)s)") % {"currency": value.currency},
            value.retained_revenue.quantize(Decimal("0.01")),
        ],
    ]
    table.links = [inbox_url(period)] + [""] * 4
    return table


def histogram_table(period: Period, which: str) -> Table:
    found = selectors.first_offer(period) if which == "first-offer" else selectors.first_response(period)
    table = Table(which, str(TABLE_TITLES[which]), [_("Time"), pgettext("insights", "Complaints")])
    table.rows = [[label, n] for label, n in found.bars] + [[pgettext("insights", "Not yet"), found.waiting]]
    table.links = [""] * len(table.rows)
    return table


def breaches_table(period: Period) -> Table:
    found = selectors.breaches(period)
    table = Table(
        "breaches",
        str(TABLE_TITLES["breaches"]),
        [
            _("Team"),
            pgettext("insights", "Complaints"),
            pgettext("insights", "Missed a target"),
            pgettext("insights", "Share"),
        ],
    )
    for s in found.by_team:
        table.rows.append([s.label, s["opened"], s["breached"], f"{s.figures['rate']:.0%}"])
        table.links.append(inbox_url(period, "team", s.key, breached="yes"))
    return table


def satisfaction_table(period: Period, by: str) -> Table:
    table = Table(
        "satisfaction",
        str(TABLE_TITLES["satisfaction"]),
        [
            str(selectors.DIMENSION_LABEL[by]),
            pgettext("insights", "Answers"),
            _("Satisfaction (1–5)"),
            _("Recommendation answers"),
            pgettext("insights", "Net promoter score"),
        ],
    )
    for s in selectors.satisfaction(period, by):
        table.rows.append([s.label, s["surveys"], s.figures["satisfaction"], s["recommend_answers"], s.figures["nps"]])
        table.links.append(inbox_url(period, by, s.key) if by != "remedy" else "")
    return table


def recurrences_table(period: Period) -> Table:
    found = selectors.recurrences(period)
    table = Table("recurrences", str(TABLE_TITLES["recurrences"]), [_("Category"), pgettext("insights", "Recurrences")])
    for s in found.by_category:
        table.rows.append([s.label, s["recurrences"]])
        table.links.append(inbox_url(period, "category", s.key))
    return table


def over_time_table(period: Period, chart: selectors.OverTime, first: str) -> Table:
    table = Table("volume-over-time", str(TABLE_TITLES["volume"]), [first] + [s.label for s in chart.series])
    for i, day in enumerate(chart.buckets):
        table.rows.append([bucket_label(day, chart.grain)] + [s.points[i] for s in chart.series])
        table.links.append(inbox_url(bucket_period(period, bucket_of(day, chart.grain))))
    return table


def table(name: str, period: Period, by: str = "category", sat_by: str = "team") -> Table | None:
    """A table by its name in the URL of its CSV export; None for a name there is no table of."""
    if name == "volume":
        return volume_table(period, by)
    if name == "volume-over-time":
        return over_time_table(period, selectors.over_time(period, by), pgettext("insights", "Period"))
    if name == "weak-spots":
        return weak_spots_table(period, by)
    if name == "silent":
        return silent_table(period)
    if name == "remedy-value":
        return remedy_value_table(period)
    if name in ("first-offer", "first-response"):
        return histogram_table(period, name)
    if name == "breaches":
        return breaches_table(period)
    if name == "satisfaction":
        return satisfaction_table(period, sat_by)
    if name == "recurrences":
        return recurrences_table(period)
    return None


TABLE_NAMES = (
    "volume",
    "volume-over-time",
    "weak-spots",
    "silent",
    "remedy-value",
    "first-offer",
    "first-response",
    "breaches",
    "satisfaction",
    "recurrences",
)
