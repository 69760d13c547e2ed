"""A day's cases folded into the dashboard's counts. Pure Python: no Django import.

Each case contributes to one row per dimension (all, category, brand, …); every figure of a case is counted on
the day it was opened, so the rows of a day are a function of that day's cases alone and can be recomputed at
any time from them (services.rollup_day_rebuild) with the same result.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

# Upper bounds of the first-offer buckets, in seconds: the 60-second rule (seed 001) is the third edge.
OFFER_EDGES = (10, 30, 60, 300, 3600, 86400)
# Upper bounds of the first-response buckets: a quarter of an hour up to the three days of a normal resolution.
RESPONSE_EDGES = (900, 3600, 4 * 3600, 8 * 3600, 86400, 3 * 86400)
DIMENSIONS = ("all", "category", "brand", "channel", "team", "language", "agent", "remedy")
NONE = "none"

COUNTS = (
    "opened",
    "resolved",
    "breached",
    "triaged",
    "severity_sum",
    *(f"offer_{i}" for i in range(len(OFFER_EDGES) + 1)),
    "offer_none",
    *(f"response_{i}" for i in range(len(RESPONSE_EDGES) + 1)),
    "response_none",
    "remedies_granted",
    "retained_customers",
    "surveys",
    "satisfaction_sum",
    "recommend_answers",
    "promoters",
    "detractors",
    "recurrences",
)
AMOUNTS = ("remedy_cost", "retained_revenue")
METRICS = COUNTS + AMOUNTS


@dataclass(frozen=True)
class CaseFacts:
    """What the dashboard needs to know of one case (keys as strings; "" or None where the case has none)."""

    category: str | None
    brand: str
    channel: str
    team: str | None
    language: str
    agent: str | None = None
    remedy_kind: str | None = None
    severity: int | None = None
    resolved: bool = False
    breached: bool = False
    offer_seconds: float | None = None
    response_seconds: float | None = None
    remedies_granted: int = 0
    remedy_cost: Decimal = Decimal(0)
    retained: bool = False
    retained_revenue: Decimal = Decimal(0)
    satisfaction: int | None = None
    recommendation: int | None = None
    recurrence: bool = False

    def keys(self) -> dict[str, str]:
        return {
            "all": "",
            "category": self.category or NONE,
            "brand": self.brand or NONE,
            "channel": self.channel or NONE,
            "team": self.team or NONE,
            "language": self.language or NONE,
            "agent": self.agent or NONE,
            "remedy": self.remedy_kind or NONE,
        }


def bucket(seconds: float | None, edges: tuple[int, ...]) -> str:
    """The bucket's suffix: "none" when it has not happened, else the index of the first edge it is within."""
    if seconds is None:
        return NONE
    return str(bisect_left(edges, max(0.0, seconds)))


@dataclass
class Row:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    amounts: dict[str, Decimal] = field(default_factory=lambda: {name: Decimal(0) for name in AMOUNTS})

    def add(self, case: CaseFacts) -> None:
        c = self.counts
        c["opened"] += 1
        c["resolved"] += case.resolved
        c["breached"] += case.breached
        if case.severity is not None:
            c["triaged"] += 1
            c["severity_sum"] += case.severity
        c["offer_" + bucket(case.offer_seconds, OFFER_EDGES)] += 1
        c["response_" + bucket(case.response_seconds, RESPONSE_EDGES)] += 1
        c["remedies_granted"] += case.remedies_granted
        c["retained_customers"] += case.retained
        if case.satisfaction is not None:
            c["surveys"] += 1
            c["satisfaction_sum"] += case.satisfaction
        if case.recommendation is not None:
            c["recommend_answers"] += 1
            c["promoters"] += case.recommendation >= 9
            c["detractors"] += case.recommendation <= 6
        c["recurrences"] += case.recurrence
        self.amounts["remedy_cost"] += case.remedy_cost
        self.amounts["retained_revenue"] += case.retained_revenue

    def as_fields(self) -> dict[str, int | Decimal]:
        return {**self.counts, **self.amounts}


def rollup(cases: Iterable[CaseFacts]) -> dict[tuple[str, str], Row]:
    """One day's cases as rows keyed by (dimension, key)."""
    rows: dict[tuple[str, str], Row] = defaultdict(Row)
    for case in cases:
        for dimension, key in case.keys().items():
            rows[(dimension, key)].add(case)
    return dict(rows)
