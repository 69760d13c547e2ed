"""A case's facts as the remedy policy reads them (policy.Facts), from the case, its triage and the customer.

At intake everything is at hand: the case being opened, the triage just made and the customer's earlier
complaints, which the intake counts in the one query it already makes for the customer (one count per window
the policy uses, see `complaint_days_from_counts`). Anywhere else the facts are read from the database.
"""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from amends.cases.models import Case
from amends.triage.engine import Triage
from amends.triage.models import CaseTriage

from .money import Money, MoneyError
from .policy import Facts


def complaint_days_from_counts(counts: Mapping[int, int]) -> tuple[int, ...]:
    """Earlier complaints as `Facts.complaint_days` from how many fell within each window ({90: 2, 365: 3}):
    each is placed at the edge of the shortest window it fell in, which gives every window the policy counts
    over exactly its count (the evaluator counts a complaint d days ago in every window of d days or more)."""
    days: list[int] = []
    counted = 0
    for window in sorted(counts):
        more = counts[window] - counted
        if more > 0:
            days += [window] * more
            counted += more
    return tuple(days)


def _risk(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(max(number, 0.0), 1.0)


def _from_triage(found: CaseTriage | Triage | None) -> dict[str, Any]:
    """Category, severity, risks and cluster from a stored triage or one just made at intake."""
    if found is None:
        return {}
    if isinstance(found, Triage):
        return {
            "category": str(found.category.value),
            "severity": int(found.severity.value),
            "churn_risk": _risk(found.churn_risk.value),
            "public_risk": _risk(found.public_risk.value),
        }
    result = found.result or {}
    category = found.category.slug if found.category_id and found.category else ""
    cluster = found.cluster if found.cluster_id else None
    return {
        "category": category or str(result.get("category", {}).get("value", "")),
        "severity": int(found.severity),
        "churn_risk": _risk(result.get("churn_risk", {}).get("value")),
        "public_risk": _risk(result.get("public_risk", {}).get("value")),
        "cluster": cluster is not None,
        # A cluster flagged as a probable incident is the incident until incidents are declared by hand.
        "incident": bool(cluster is not None and cluster.flagged_at is not None),
    }


def _stored_triage(case: Case) -> CaseTriage | None:
    try:
        return case.triage  # type: ignore[attr-defined,no-any-return]
    except ObjectDoesNotExist:
        return None


def _earlier_complaints(case: Case, windows: Sequence[int]) -> tuple[int, ...]:
    if not windows or case.customer_id is None:
        return ()
    since = case.created_at - timedelta(days=max(windows))
    moments = (
        Case.objects.filter(customer_id=case.customer_id, created_at__gte=since, created_at__lt=case.created_at)
        .exclude(pk=case.pk)
        .values_list("created_at", flat=True)
    )
    return tuple((case.created_at - moment).days for moment in moments)


def _order(case: Case) -> Money | None:
    if case.order_value is None or not case.order_currency:
        return None
    try:
        return Money.of(case.order_value, case.order_currency)
    except MoneyError:
        return None


def case_facts(
    *,
    case: Case,
    triage: CaseTriage | Triage | None = None,
    customer_history: Sequence[int] | None = None,
    windows: Sequence[int] = (),
) -> Facts:
    """The facts of `case`. `triage` defaults to the case's stored triage; `customer_history` to the days ago of
    the customer's earlier complaints, read from the database over the longest of `windows` (none: not read).
    A case says nothing of a delay yet, so `delay_days` is 0; tier and lifetime value come from the customer."""
    found = _from_triage(triage if triage is not None else _stored_triage(case))
    customer = case.customer
    lifetime = customer.lifetime_value if customer is not None else Decimal(0)
    history = customer_history if customer_history is not None else _earlier_complaints(case, windows)
    return Facts(
        on=timezone.localdate(case.created_at),
        category=found.get("category", ""),
        severity=min(max(int(found.get("severity", 1)), 1), 4),
        order_value=_order(case),
        customer_tier=customer.tier if customer is not None else "",
        lifetime_value=Money.of(lifetime, settings.CURRENCY) if lifetime and lifetime > 0 else None,
        complaint_days=tuple(history),
        delay_days=0,
        incident=found.get("incident", False),
        cluster=found.get("cluster", False),
        public_risk=found.get("public_risk", 0.0),
        churn_risk=found.get("churn_risk", 0.0),
        channel=case.channel,
        language=case.language,
    )
