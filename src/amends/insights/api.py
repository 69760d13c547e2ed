"""The dashboard's figures over the REST API: the same selectors as the page, so the two never disagree.
Read-only; an API key, or a signed-in manager's session. Every figure reads the daily rollups, never the cases."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
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


@router.get(
    "/insights/volume",
    response={200: VolumeOut, **ERRORS},
    summary="Complaints over time",
    description="Complaints opened per day, week or month (by the period's length), for the largest keys of `by`; "
    "the rest are one 'Other' series. `keys` has every key's totals." + PERIOD_RULES,
)
def volume(request: HttpRequest, given: Query[VolumeIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
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
    return {"period": _period_out(period), "by": given.by, "buckets": chart.buckets, "series": series, "keys": keys}


@router.get(
    "/insights/weak-spots",
    response={200: WeakSpotsOut, **ERRORS},
    summary="Weak spots, ranked",
    description="The keys of `by` ranked by volume × mean severity × trend against the previous period of the "
    "same length." + PERIOD_RULES,
)
def weak_spots(request: HttpRequest, given: Query[VolumeIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
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
    return {"period": _period_out(period), "by": given.by, "spots": spots}


@router.get(
    "/insights/silent-customers",
    response={200: SilentOut, **ERRORS},
    summary="The silent-customer estimate",
    description="Each complaint stands for `factor` unhappy customers who said nothing." + PERIOD_RULES,
)
def silent_customers(request: HttpRequest, given: Query[PeriodIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
    found = selectors.silent_customers(period)
    source = _(
        "TARP for the White House Office of Consumer Affairs, quoted in “A Complaint Is a Gift”: only one "
        "in 27 customers complains."
    )
    return {
        "period": _period_out(period),
        "complaints": found.complaints,
        "factor": found.factor,
        "silent": found.silent,
        "unhappy": found.unhappy,
        "source": source,
    }


@router.get(
    "/insights/remedy-value",
    response={200: RemedyValueOut, **ERRORS},
    summary="Remedy cost and retained revenue",
    description="What the remedies granted on the period's complaints cost, and what the complainants ordered "
    "after their complaint (before their next), in the home currency." + PERIOD_RULES,
)
def remedy_value(request: HttpRequest, given: Query[PeriodIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
    v = selectors.remedy_value(period)
    return {
        "period": _period_out(period),
        "complaints": v.complaints,
        "remedies_granted": v.remedies_granted,
        "cost": v.cost,
        "retained_customers": v.retained_customers,
        "retained_revenue": v.retained_revenue,
        "currency": v.currency,
        "return_per_cost": v.return_per_cost,
    }


def _histogram(period: Period, found: selectors.Histogram, target: str) -> dict[str, Any]:
    return {
        "period": _period_out(period),
        "bars": [{"label": label, "count": n} for label, n in found.bars],
        "not_yet": found.waiting,
        "total": found.total,
        "within_target": found.within_target,
        "target": target,
    }


@router.get(
    "/insights/first-offer",
    response={200: HistogramOut, **ERRORS},
    summary="Time to first offer",
    description="How long customers waited for remedy options (the 60-second rule)." + PERIOD_RULES,
)
def first_offer(request: HttpRequest, given: Query[PeriodIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
    return _histogram(period, selectors.first_offer(period), _("60 seconds"))


@router.get(
    "/insights/first-response",
    response={200: HistogramOut, **ERRORS},
    summary="Time to first response",
    description="How long customers waited for the first answer a person wrote." + PERIOD_RULES,
)
def first_response(request: HttpRequest, given: Query[PeriodIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
    return _histogram(period, selectors.first_response(period), _("8 hours"))


@router.get(
    "/insights/breaches",
    response={200: BreachesOut, **ERRORS},
    summary="Missed targets",
    description="Complaints that missed a first-response or resolution target, over time and by team." + PERIOD_RULES,
)
def breaches(request: HttpRequest, given: Query[PeriodIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
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
        "period": _period_out(period),
        "opened": found.opened,
        "breached": found.breached,
        "buckets": found.over_time.buckets,
        "points": found.over_time.totals,
        "by_team": by_team,
    }


@router.get(
    "/insights/satisfaction",
    response={200: SatisfactionOut, **ERRORS},
    summary="Satisfaction and recommendation",
    description="The follow-up surveys' answers by team, agent, category or remedy kind." + PERIOD_RULES,
)
def satisfaction(request: HttpRequest, given: Query[SatisfactionIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
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
    return {"period": _period_out(period), "by": given.by, "rows": rows}


@router.get(
    "/insights/recurrences",
    response={200: RecurrencesOut, **ERRORS},
    summary="Recurrences after corrective actions",
    description="Complaints that matched a root cause whose corrective action was done." + PERIOD_RULES,
)
def recurrences(request: HttpRequest, given: Query[PeriodIn]):  # type: ignore[no-untyped-def]
    period = _period(given)
    found = selectors.recurrences(period)
    rows = [{"key": s.key, "label": s.label, "recurrences": s["recurrences"]} for s in found.by_category]
    return {
        "period": _period_out(period),
        "total": found.total,
        "buckets": found.over_time.buckets,
        "points": found.over_time.totals,
        "by_category": rows,
    }
