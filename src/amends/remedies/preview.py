"""What a draft policy would have offered the last cases, next to what the active policy offers them: per rule how
many cases it takes and what its offers are worth, which cases' offers change, and what it would cost.

Both policies are run over the same facts, read from the stored cases in two queries (the cases with what their
triage and customer say; the customers' earlier complaints over the longest window either policy counts), so the
comparison is like for like: the remedies stored on a case were priced by whichever version was active that day.

A case's cost is its dearest option in the home currency: the most the company pays whichever option the
customer takes (an upper bound; apologies and appointments count as nothing).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from amends.cases.models import Case

from .facts import risk_value
from .money import MissingRate, Money, MoneyError, RateTable
from .policy import Evaluation, Facts, Policy, evaluate

PREVIEW_CASES = 1000
LISTED_CHANGES = 50


@dataclass
class RuleStats:
    """One rule of the draft (or its default set, `index` None) over the previewed cases."""

    index: int | None
    name: str
    matched: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    costs: list[Decimal] = field(default_factory=list)

    @property
    def kind_counts(self) -> list[tuple[str, int]]:
        """For templates: a Counter answers 0 to any attribute-like lookup (`kinds.items` is kinds["items"])."""
        return self.kinds.most_common()

    @property
    def total(self) -> Decimal:
        return sum(self.costs, Decimal(0))

    @property
    def median(self) -> Decimal:
        return Decimal(statistics.median(self.costs)) if self.costs else Decimal(0)


@dataclass(frozen=True)
class Change:
    case: CaseRow
    before: Evaluation | None
    after: Evaluation | None
    delta: Decimal


@dataclass
class Preview:
    cases: int
    rules: list[RuleStats]
    draft_total: Decimal
    active_total: Decimal
    changed: int
    listed: list[Change]
    unpriced: Counter[str]  # currency without a rate → how many cases the draft could not price
    seconds: float
    active_version: int | None
    currency: str

    @property
    def unpriced_counts(self) -> list[tuple[str, int]]:
        return self.unpriced.most_common()

    @property
    def delta(self) -> Decimal:
        return self.draft_total - self.active_total


def cost(evaluation: Evaluation | None) -> Decimal:
    """The dearest option's value in the home currency (0 for an offer with no money value, or none)."""
    if evaluation is None:
        return Decimal(0)
    values = [o.value_home.value.amount for o in evaluation.options if o.value_home is not None]
    return max(values, default=Decimal(0))


def signature(evaluation: Evaluation | None) -> tuple[object, ...]:
    """What the customer would be offered, as comparable data: the options' terms, in order."""
    if evaluation is None:
        return ()
    return tuple(o.terms for o in evaluation.options)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What the preview reads of a case: its facts' sources and what links to it."""

    pk: int
    public_id: object
    reference: str
    created_at: datetime
    customer_id: int | None
    values: dict[str, Any]


_FIELDS = {
    "x_order_value": "order_value",
    "x_order_currency": "order_currency",
    "x_channel": "channel",
    "x_language": "language",
    "x_tier": "customer__tier",
    "x_lifetime": "customer__lifetime_value",
    "x_category_slug": "triage__category__slug",
    "x_category_guess": "triage__result__category__value",
    "x_severity": "triage__severity",
    "x_churn_risk": "triage__result__churn_risk__value",
    "x_public_risk": "triage__result__public_risk__value",
    "x_cluster_id": "triage__cluster_id",
    "x_flagged_at": "triage__cluster__flagged_at",
    "x_triaged": "triage__id",
}


def recent_cases(limit: int = PREVIEW_CASES) -> list[CaseRow]:
    """The last `limit` cases with only what their facts need, in one query: the triage's stored result is read
    key by key in the database (a whole result is a large JSON document; a thousand of them dominate the time)."""
    rows = Case.objects.order_by("-created_at", "-id").values(
        "pk", "public_id", "reference", "created_at", "customer_id", **{k: F(v) for k, v in _FIELDS.items()}
    )[:limit]
    return [
        CaseRow(
            pk=row["pk"],
            public_id=row["public_id"],
            reference=row["reference"],
            created_at=row["created_at"],
            customer_id=row["customer_id"],
            values=dict(row),
        )
        for row in rows
    ]


def _histories(cases: Sequence[CaseRow], windows: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """Days ago of each case's customer's earlier complaints within the longest window, in one query."""
    if not windows or not cases:
        return {case.pk: () for case in cases}
    longest = timedelta(days=max(windows))
    earliest = min(case.created_at for case in cases) - longest
    moments: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    rows = Case.objects.filter(
        customer_id__in={c.customer_id for c in cases if c.customer_id}, created_at__gte=earliest
    ).values_list("customer_id", "pk", "created_at")
    for customer_id, pk, created in rows:
        moments[customer_id].append((pk, created))
    found: dict[int, tuple[int, ...]] = {}
    for case in cases:
        found[case.pk] = tuple(
            (case.created_at - created).days
            for pk, created in moments.get(case.customer_id or 0, [])
            if pk != case.pk and case.created_at - longest <= created < case.created_at
        )
    return found


def row_facts(row: CaseRow, history: tuple[int, ...]) -> Facts:
    """The facts of a case read as `recent_cases` reads it: the same as `facts.case_facts` makes of the case."""
    v = row.values
    triaged = v["x_triaged"] is not None
    lifetime = v["x_lifetime"]
    order = None
    if v["x_order_value"] is not None and v["x_order_currency"]:
        try:
            order = Money.of(v["x_order_value"], v["x_order_currency"])
        except MoneyError:
            order = None
    return Facts(
        on=timezone.localdate(row.created_at),
        category=(v["x_category_slug"] or str(v["x_category_guess"] or "")) if triaged else "",
        severity=min(max(int(v["x_severity"] or 1), 1), 4),
        order_value=order,
        customer_tier=v["x_tier"] or "",
        lifetime_value=Money.of(lifetime, settings.CURRENCY) if lifetime and lifetime > 0 else None,
        complaint_days=history,
        delay_days=0,
        incident=bool(v["x_cluster_id"] is not None and v["x_flagged_at"] is not None),
        cluster=v["x_cluster_id"] is not None,
        public_risk=risk_value(v["x_public_risk"]),
        churn_risk=risk_value(v["x_churn_risk"]),
        channel=v["x_channel"],
        language=v["x_language"],
    )


def cases_facts(cases: Sequence[CaseRow], windows: Sequence[int]) -> list[tuple[CaseRow, Facts]]:
    histories = _histories(cases, windows)
    return [(case, row_facts(case, histories[case.pk])) for case in cases]


def _windows(policy: Policy) -> set[int]:
    return {c.within_days for rule in policy.rules for c in rule.conditions if c.within_days is not None}


def _run(policy: Policy, facts: Facts, rates: RateTable) -> tuple[Evaluation | None, str]:
    try:
        return evaluate(policy, facts, rates), ""
    except MissingRate as missing:
        return None, missing.currency


def policy_preview(
    *,
    draft: Policy,
    active: Policy | None,
    rates: RateTable,
    cases: Sequence[CaseRow] | None = None,
    active_version: int | None = None,
) -> Preview:
    """Run `draft` and `active` over `cases` (by default the last 1,000) and compare."""
    started = time.perf_counter()
    if cases is None:
        cases = recent_cases()
    windows = sorted(_windows(draft) | (_windows(active) if active is not None else set()))
    stats = [RuleStats(index=i + 1, name=rule.name) for i, rule in enumerate(draft.rules)]
    default = RuleStats(index=None, name="")
    unpriced: Counter[str] = Counter()
    draft_total = active_total = Decimal(0)
    changed: list[Change] = []
    count = 0
    for case, facts in cases_facts(cases, windows):
        after, missing = _run(draft, facts, rates)
        before = _run(active, facts, rates)[0] if active is not None else None
        count += 1
        if after is None:
            unpriced[missing] += 1
        else:
            row = stats[after.rule_index - 1] if after.rule_index is not None else default
            row.matched += 1
            row.kinds.update(str(o.kind) for o in after.options)
            row.costs.append(cost(after))
        draft_total += cost(after)
        active_total += cost(before)
        if signature(after) != signature(before):
            changed.append(Change(case=case, before=before, after=after, delta=cost(after) - cost(before)))
    return Preview(
        cases=count,
        rules=[*stats, default],
        draft_total=draft_total,
        active_total=active_total,
        changed=len(changed),
        listed=changed[:LISTED_CHANGES],
        unpriced=unpriced,
        seconds=time.perf_counter() - started,
        active_version=active_version,
        currency=settings.CURRENCY,
    )
