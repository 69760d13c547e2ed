"""Console: the manager's dashboard, its CSV exports and the printable management review. Thin: parse the
period, check the manager, read the figures (selectors, tables), draw (charts), render."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from amends.cases.views import actor, staff_required
from amends.core.csv_safe import csv_line, csv_lines

from . import aftercare_tables, charts, selectors
from .period import EARLIEST, LATEST, MAX_DAYS, Period, PeriodError, period_parse
from .tables import (
    TABLE_NAMES,
    Table,
    bucket_label,
    bucket_period,
    inbox_url,
    over_time_table,
    table,
)


def period_error(exc: PeriodError) -> str:
    """The reason a period was refused, in the reader's language (the page and the API say the same)."""
    if exc.reason == "order":
        return _("The period starts after it ends: the start must be on or before the end.")
    if exc.reason == "span":
        return _("The period is longer than two years (%(days)s days): choose a shorter one.") % {"days": MAX_DAYS}
    if exc.reason == "range":
        return _("Dates must be between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST.isoformat(),
            "latest": LATEST.isoformat(),
        }
    return _("Write dates as YYYY-MM-DD, for example 2026-11-30.")


def _manager(request: HttpRequest) -> None:
    if not actor(request).is_manager:
        raise PermissionDenied


def _choice(request: HttpRequest, name: str, allowed: tuple[str, ...]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else allowed[0]


def _period(request: HttpRequest) -> Period:
    return period_parse(request.GET.get("from"), request.GET.get("to"), today=timezone.localdate())


def _over_time_chart(period: Period, chart: selectors.OverTime, by: str, width: int = charts.HALF) -> charts.Chart:
    labels = [bucket_label(day, chart.grain) for day in chart.buckets]
    hrefs = [
        [inbox_url(bucket_period(period, day), by, s.key) if s.key else "" for day in chart.buckets]
        for s in chart.series
    ]
    series = [(s.label, [float(p) for p in s.points]) for s in chart.series]
    return charts.stacked_bars(labels, series, hrefs, width=width, height=260 if width == charts.WIDE else 200)


def dashboard_context(period: Period, by: str, sat_by: str) -> dict[str, object]:
    volume = selectors.over_time(period, by)
    spots = selectors.weak_spots(period, by)
    silent = selectors.silent_customers(period)
    value = selectors.remedy_value(period)
    offer = selectors.first_offer(period)
    response = selectors.first_response(period)
    breaches = selectors.breaches(period)
    satisfaction = selectors.satisfaction(period, sat_by)
    recurrences = selectors.recurrences(period)
    spot_bars = charts.hbars([(w.label, w.score, f"{w.score:.0f}") for w in spots], css="s5")
    for bar, w in zip(spot_bars, spots, strict=True):
        bar.href = inbox_url(period, by, w.key)
        bar.note = f"{w.change:+.0%}" if w.change is not None else pgettext("insights", "new")
    team_bars = charts.hbars(
        [(s.label, s.figures["rate"], f"{s.figures['rate']:.0%}") for s in breaches.by_team], css="s3"
    )
    for bar, s in zip(team_bars, breaches.by_team, strict=True):
        bar.href = inbox_url(period, "team", s.key, breached="yes")
        bar.note = _("%(breached)s of %(opened)s") % {"breached": s["breached"], "opened": s["opened"]}
    sat_bars = charts.hbars(
        [(s.label, s.figures["satisfaction"] or 0, f"{s.figures['satisfaction'] or 0:.1f}") for s in satisfaction],
        css="s1",
    )
    nps_bars = charts.hbars(
        [(s.label, s.figures["nps"] or 0, f"{s.figures['nps'] or 0:+d}") for s in satisfaction], low=-100, css="s2"
    )
    money = [(pgettext("insights", "Remedy cost"), float(value.cost), f"{value.cost:,.2f}")]
    money.append(
        (pgettext("insights", "Revenue retained"), float(value.retained_revenue), f"{value.retained_revenue:,.2f}")
    )
    money_bars = charts.hbars(money)
    money_bars[0].css, money_bars[1].css = "s3", "s1"
    return {
        "period": period,
        "previous": period.previous(),
        "previous_opened": int(selectors.overall(period.previous(), ("opened",))["opened"]),
        "by": by,
        "sat_by": sat_by,
        "by_choices": [(d, selectors.DIMENSION_LABEL[d]) for d in selectors.VOLUME_BY],
        "sat_by_choices": [(d, selectors.DIMENSION_LABEL[d]) for d in selectors.SATISFACTION_BY],
        "by_label": selectors.DIMENSION_LABEL[by],
        "sat_by_label": selectors.DIMENSION_LABEL[sat_by],
        "volume": volume,
        "volume_chart": _over_time_chart(period, volume, by, width=charts.WIDE),
        "volume_table": over_time_table(period, volume, pgettext("insights", "Period")),
        "legend": [(f"s{i % 7}", s.label, s.total) for i, s in enumerate(volume.series)],
        "spots": spots,
        "spot_bars": spot_bars,
        "silent": silent,
        "value": value,
        "money_bars": money_bars,
        "offer": offer,
        "offer_chart": charts.histogram([(label, float(n)) for label, n in offer.bars], offer.target_bars),
        "response": response,
        "response_chart": charts.histogram([(label, float(n)) for label, n in response.bars], response.target_bars),
        "breaches": breaches,
        "breach_chart": _over_time_chart(period, breaches.over_time, "all"),
        "breach_share": breaches.breached / breaches.opened if breaches.opened else None,
        "team_bars": team_bars,
        "satisfaction": satisfaction,
        "sat_bars": sat_bars,
        "nps_bars": nps_bars,
        "recurrences": recurrences,
        "recurrence_chart": _over_time_chart(period, recurrences.over_time, "all"),
        "all_cases": inbox_url(period),
        "refreshed_at": selectors.refreshed_at(),
        "tables": {
            name.replace("-", "_"): table(name, period, by, sat_by)
            for name in TABLE_NAMES
            if name != "volume-over-time"
        },
        "silent_dots": charts.dots(min(silent.factor + 1, 54)),
        "silent_height": 28 + 26 * ((min(silent.factor + 1, 54) - 1) // 9),
        **_texts(period, volume, spots, offer, response, breaches, satisfaction, recurrences, value, by, sat_by),
    }


def _texts(period, volume, spots, offer, response, breaches, satisfaction, recurrences, value, by, sat_by):  # type: ignore[no-untyped-def]
    """Each chart's title and a one-sentence summary: what a screen reader says for the picture."""
    by_label, sat_label = selectors.DIMENSION_LABEL[by], selectors.DIMENSION_LABEL[sat_by]
    top = volume.series[0] if volume.series else None
    none = _("Nothing in this period.")
    return {
        "volume_desc": _("%(total)s complaints; the most: %(top)s (%(n)s).")
        % {"total": sum(volume.totals), "top": top.label, "n": top.total}
        if top
        else none,
        "spots_title": _("Weak spots by %(by)s") % {"by": by_label},
        "spots_desc": _("First: %(top)s, score %(score)s.") % {"top": spots[0].label, "score": f"{spots[0].score:.0f}"}
        if spots
        else none,
        "value_title": _("Remedy cost and retained revenue"),
        "value_desc": _("Remedies cost %(cost)s %(currency)s; complainants who stayed ordered %(revenue)s since.")
        % {"cost": f"{value.cost:.2f}", "currency": value.currency, "revenue": f"{value.retained_revenue:.2f}"},
        "offer_title": _("Time to first offer"),
        "offer_desc": _("%(within)s of %(total)s complaints had remedy options within 60 seconds.")
        % {"within": offer.within_target, "total": offer.total},
        "response_title": _("Time to first response"),
        "response_desc": _("%(within)s of %(total)s answered complaints had a first answer within eight hours.")
        % {"within": response.within_target, "total": response.total},
        "breaches_title": _("Missed targets over time"),
        "breaches_desc": _("%(breached)s of %(opened)s complaints missed a target.")
        % {"breached": breaches.breached, "opened": breaches.opened},
        "teams_title": _("Share of complaints that missed a target, by team"),
        "teams_desc": ", ".join(f"{s.label}: {s.figures['rate']:.0%}" for s in breaches.by_team),
        "sat_title": _("Satisfaction by %(by)s") % {"by": sat_label},
        "sat_desc": ", ".join(f"{s.label}: {s.figures['satisfaction']}" for s in satisfaction),
        "nps_title": _("Net promoter score by %(by)s") % {"by": sat_label},
        "nps_desc": ", ".join(f"{s.label}: {s.figures['nps']}" for s in satisfaction),
        "recurrences_title": _("Recurrences over time"),
        "recurrences_desc": _("%(n)s complaints happened again after a corrective action was done.")
        % {"n": recurrences.total},
    }


@staff_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    _manager(request)
    by = _choice(request, "by", selectors.VOLUME_BY)
    sat_by = _choice(request, "sat_by", selectors.SATISFACTION_BY)
    query = {"from": request.GET.get("from", ""), "to": request.GET.get("to", ""), "by": by, "sat_by": sat_by}
    try:
        period = _period(request)
    except PeriodError as exc:
        context: dict[str, object] = {
            "error": period_error(exc),
            "error_field": exc.field,
            "query": query,
            "by": by,
            "sat_by": sat_by,
        }
        context["by_choices"] = [(d, selectors.DIMENSION_LABEL[d]) for d in selectors.VOLUME_BY]
        context["sat_by_choices"] = [(d, selectors.DIMENSION_LABEL[d]) for d in selectors.SATISFACTION_BY]
        return render(request, "insights/dashboard.html", context, status=400)
    with selectors.figures_memo():
        context = dashboard_context(period, by, sat_by)
    shown = {**query, "from": period.start.isoformat(), "to": period.end.isoformat()}
    context["query"] = shown
    context["qs"] = urlencode(shown)
    context["switch_base"] = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return render(request, "insights/dashboard.html", context)


@staff_required
def report_view(request: HttpRequest) -> HttpResponse:
    """The management review of a period (ISO 10002, 8.7), laid out for paper."""
    _manager(request)
    try:
        period = _period(request)
    except PeriodError as exc:
        return render(request, "insights/report.html", {"error": period_error(exc)}, status=400)
    with selectors.figures_memo():
        context = dashboard_context(period, "category", "team")
        context["by_team"] = table("satisfaction", period, sat_by="team")
        context["by_remedy"] = table("satisfaction", period, sat_by="remedy")
        context["by_team_volume"] = table("volume", period, by="team")
    context["actions"] = aftercare_tables.corrective_actions_table(period)
    context["generated_at"] = timezone.now()
    context["manager"] = actor(request)
    return render(request, "insights/report.html", context)


def _csv(found: Table, period: Period) -> Iterator[bytes]:
    yield csv_line([found.title, period.start.isoformat(), period.end.isoformat()]).encode()
    yield csv_line(found.columns).encode()
    for line in csv_lines(found.rows):
        yield line.encode()


@staff_required
def csv_view(request: HttpRequest, name: str) -> HttpResponse | StreamingHttpResponse:
    _manager(request)
    try:
        period = _period(request)
    except PeriodError as exc:
        return HttpResponse(period_error(exc), status=400, content_type="text/plain; charset=utf-8")
    by = _choice(request, "by", selectors.VOLUME_BY)
    sat_by = _choice(request, "sat_by", selectors.SATISFACTION_BY)
    found = table(name, period, by, sat_by)
    if found is None:
        raise Http404("no such table")
    response = StreamingHttpResponse(_csv(found, period), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{period.start}-{period.end}.csv"'
    return response
