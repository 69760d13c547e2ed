"""The dashboard's figures over the REST API: the same selectors as the page, so the two never disagree.
Read-only; an API key, or a signed-in manager's session. Every figure reads the daily rollups, never the cases.

One mechanism for every figure: `FIGURES` is a table (path, words for the OpenAPI document, query and answer
schemas, the function that computes the answer from the period), and `figure_endpoint` turns each row into an
endpoint that parses and checks the period the same way. A new figure is a row and a function, not a copy."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from amends.accounts.models import User
from amends.api.auth import ApiKeyAuth
from amends.api.edge import refusal
from amends.cases.schemas import ErrorOut

from . import selectors
from .period import Period, PeriodError, period_parse
from .schemas import (
    BreachesOut,
    HistogramOut,
    PeriodIn,
    RecurrencesOut,
    RemedyValueOut,
    SatisfactionIn,
    SatisfactionOut,
    SilentOut,
    VolumeIn,
    VolumeOut,
    WeakSpotsOut,
)
from .views import period_error


class ManagerSession(SessionAuth):
    """A signed-in manager or administrator (the console's session, CSRF-checked): the dashboard is theirs."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if isinstance(user, User) and user.is_active and user.role in User.Role.values:
            if not user.is_manager:
                raise HttpError(403, _("The dashboard is for managers."))
            return user
        return None


router = Router(tags=["insights"], auth=[ApiKeyAuth(), ManagerSession()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
PERIOD_RULES = (
    " The period is `from`–`to` (YYYY-MM-DD, both included; default the last 30 days); a start after the end, or a "
    "period over two years (731 days), is refused with 422 and the reason."
)


def _period(given: PeriodIn) -> Period:
    try:
        return period_parse(
            given.start.isoformat() if given.start else None,
            given.end.isoformat() if given.end else None,
            today=timezone.localdate(),
        )
    except PeriodError as exc:
        raise refusal({exc.field or "from": [period_error(exc)]}) from None


def _period_out(period: Period) -> dict[str, Any]:
    return {"start": period.start, "end": period.end, "days": period.days, "grain": period.grain}


def _volume(period: Period, given: VolumeIn) -> dict[str, Any]:
    chart = selectors.over_time(period, given.by)
    keys = []
    for s in selectors.totals(period, given.by, ("resolved", "breached", "severity_sum", "triaged")):
        severity = round(s["severity_sum"] / s["triaged"], 2) if s["triaged"] else None
        keys.append(
            {
                "key": s.key,
                "label": s.label,
                "opened": s["opened"],
                "resolved": s["resolved"],
                "breached": s["breached"],
                "mean_severity": severity,
            }
        )
    series = [{"key": s.key, "label": s.label, "points": s.points, "total": s.total} for s in chart.series]
    return {"by": given.by, "buckets": chart.buckets, "series": series, "keys": keys}


def _weak_spots(period: Period, given: VolumeIn) -> dict[str, Any]:
    spots = [
        {
            "key": w.key,
            "label": w.label,
            "volume": w.volume,
            "previous": w.previous,
            "change": w.change,
            "mean_severity": w.severity,
            "score": round(w.score, 2),
        }
        for w in selectors.weak_spots(period, given.by)
    ]
    return {"by": given.by, "spots": spots}


def _silent_customers(period: Period, given: PeriodIn) -> dict[str, Any]:
    found = selectors.silent_customers(period)
    source = _(
        "TARP for the White House Office of Consumer Affairs, quoted in “A Complaint Is a Gift”: only one "
        "in 27 customers complains."
    )
    return {
        "complaints": found.complaints,
        "factor": found.factor,
        "silent": found.silent,
        "unhappy": found.unhappy,
        "source": source,
    }


def _remedy_value(period: Period, given: PeriodIn) -> dict[str, Any]:
    v = selectors.remedy_value(period)
    return {
        "complaints": v.complaints,
        "remedies_granted": v.remedies_granted,
        "cost": v.cost,
        "retained_customers": v.retained_customers,
        "retained_revenue": v.retained_revenue,
        "currency": v.currency,
        "return_per_cost": v.return_per_cost,
    }


def _histogram(found: selectors.Histogram, target: str) -> dict[str, Any]:
    return {
        "bars": [{"label": label, "count": n} for label, n in found.bars],
        "not_yet": found.waiting,
        "total": found.total,
        "within_target": found.within_target,
        "target": target,
    }


def _first_offer(period: Period, given: PeriodIn) -> dict[str, Any]:
    return _histogram(selectors.first_offer(period), _("60 seconds"))


def _first_response(period: Period, given: PeriodIn) -> dict[str, Any]:
    return _histogram(selectors.first_response(period), _("8 hours"))


def _breaches(period: Period, given: PeriodIn) -> dict[str, Any]:
    found = selectors.breaches(period)
    by_team = [
        {
            "key": s.key,
            "label": s.label,
            "opened": s["opened"],
            "breached": s["breached"],
            "share": round(s.figures["rate"], 4),
        }
        for s in found.by_team
    ]
    return {
        "opened": found.opened,
        "breached": found.breached,
        "buckets": found.over_time.buckets,
        "points": found.over_time.totals,
        "by_team": by_team,
    }


def _satisfaction(period: Period, given: SatisfactionIn) -> dict[str, Any]:
    rows = [
        {
            "key": s.key,
            "label": s.label,
            "answers": s["surveys"],
            "satisfaction": s.figures["satisfaction"],
            "recommend_answers": s["recommend_answers"],
            "nps": s.figures["nps"],
        }
        for s in selectors.satisfaction(period, given.by)
    ]
    return {"by": given.by, "rows": rows}


def _recurrences(period: Period, given: PeriodIn) -> dict[str, Any]:
    found = selectors.recurrences(period)
    rows = [{"key": s.key, "label": s.label, "recurrences": s["recurrences"]} for s in found.by_category]
    return {
        "total": found.total,
        "buckets": found.over_time.buckets,
        "points": found.over_time.totals,
        "by_category": rows,
    }


@dataclass(frozen=True)
class Figure:
    """One figure of the dashboard as an endpoint: `answer` computes everything but the period, which every
    figure answers the same way."""

    name: str  # the path under /insights/ and, with dashes as underscores, the OpenAPI operation
    summary: str
    description: str
    query: type[PeriodIn]
    out: type[Schema]
    answer: Callable[[Period, Any], dict[str, Any]]

    @property
    def operation_id(self) -> str:
        return "amends_insights_api_" + self.name.replace("-", "_")


FIGURES = (
    Figure(
        "volume",
        "Complaints over time",
        "Complaints opened per day, week or month (by the period's length), for the largest keys of `by`; the rest "
        "are one 'Other' series. `keys` has every key's totals.",
        VolumeIn,
        VolumeOut,
        _volume,
    ),
    Figure(
        "weak-spots",
        "Weak spots, ranked",
        "The keys of `by` ranked by volume × mean severity × trend against the previous period of the same length.",
        VolumeIn,
        WeakSpotsOut,
        _weak_spots,
    ),
    Figure(
        "silent-customers",
        "The silent-customer estimate",
        "Each complaint stands for `factor` unhappy customers who said nothing.",
        PeriodIn,
        SilentOut,
        _silent_customers,
    ),
    Figure(
        "remedy-value",
        "Remedy cost and retained revenue",
        "What the remedies granted on the period's complaints cost, and what the complainants ordered after their "
        "complaint (before their next), in the home currency.",
        PeriodIn,
        RemedyValueOut,
        _remedy_value,
    ),
    Figure(
        "first-offer",
        "Time to first offer",
        "How long customers waited for remedy options (the 60-second rule).",
        PeriodIn,
        HistogramOut,
        _first_offer,
    ),
    Figure(
        "first-response",
        "Time to first response",
        "How long customers waited for the first answer a person wrote.",
        PeriodIn,
        HistogramOut,
        _first_response,
    ),
    Figure(
        "breaches",
        "Missed targets",
        "Complaints that missed a first-response or resolution target, over time and by team.",
        PeriodIn,
        BreachesOut,
        _breaches,
    ),
    Figure(
        "satisfaction",
        "Satisfaction and recommendation",
        "The follow-up surveys' answers by team, agent, category or remedy kind.",
        SatisfactionIn,
        SatisfactionOut,
        _satisfaction,
    ),
    Figure(
        "recurrences",
        "Recurrences after corrective actions",
        "Complaints that matched a root cause whose corrective action was done.",
        PeriodIn,
        RecurrencesOut,
        _recurrences,
    ),
)


def figure_endpoint(figure: Figure) -> Callable[..., dict[str, Any]]:
    """The view of one figure: the period parsed and checked (422 with the reason), then the figure's answer."""

    # django-ninja reads the query's schema from the annotation: it is the figure's own (`by` where it has one).
    def endpoint(request: HttpRequest, given: Query[figure.query]) -> dict[str, Any]:  # type: ignore[name-defined]
        period = _period(given)
        return {"period": _period_out(period), **figure.answer(period, given)}

    endpoint.__name__ = endpoint.__qualname__ = figure.operation_id
    return endpoint


def figures_route(target: Router, figures: tuple[Figure, ...] = FIGURES) -> None:
    for figure in figures:
        target.get(
            f"/insights/{figure.name}",
            response={200: figure.out, **ERRORS},
            summary=figure.summary,
            description=figure.description + PERIOD_RULES,
            operation_id=figure.operation_id,
            url_name=f"insights-{figure.name}",
        )(figure_endpoint(figure))


figures_route(router)
