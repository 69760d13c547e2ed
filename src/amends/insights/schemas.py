"""The dashboard's figures as the API shows them."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

VolumeBy = Literal["category", "brand", "channel", "team", "language"]
SatisfactionBy = Literal["team", "agent", "category", "remedy"]


class PeriodIn(Schema):
    start: date | None = Field(
        default=None, alias="from", description="First day (YYYY-MM-DD); default: 29 days before `to`"
    )
    end: date | None = Field(default=None, alias="to", description="Last day (YYYY-MM-DD); default: today")


class VolumeIn(PeriodIn):
    by: VolumeBy = "category"


class SatisfactionIn(PeriodIn):
    by: SatisfactionBy = "team"


class PeriodOut(Schema):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    days: int
    grain: Literal["day", "week", "month"] = Field(description="How the figures over time are grouped")


class SeriesOut(Schema):
    key: str = Field(description="The dimension's value: an id, a code, or 'none'; '' for the 'Other' band")
    label: str
    points: list[int]
    total: int


class KeyFiguresOut(Schema):
    key: str
    label: str
    opened: int
    resolved: int
    breached: int
    mean_severity: float | None


class VolumeOut(Schema):
    period: PeriodOut
    by: str
    buckets: list[date] = Field(description="The first day of each point of the series")
    series: list[SeriesOut]
    keys: list[KeyFiguresOut]


class WeakSpotOut(Schema):
    key: str
    label: str
    volume: int
    previous: int = Field(description="Complaints in the period of the same length before")
    change: float | None = Field(description="(volume − previous) / previous; null when there were none before")
    mean_severity: float
    score: float = Field(description="volume × mean severity × trend (trend held between 0.5 and 3)")


class WeakSpotsOut(Schema):
    period: PeriodOut
    by: str
    spots: list[WeakSpotOut]


class SilentOut(Schema):
    period: PeriodOut
    complaints: int
    factor: int = Field(
        description="Unhappy customers who say nothing per complaint (setting AMENDS_INSIGHTS_SILENT_FACTOR)"
    )
    silent: int
    unhappy: int
    source: str


class RemedyValueOut(Schema):
    period: PeriodOut
    complaints: int
    remedies_granted: int
    cost: Decimal
    retained_customers: int = Field(description="Complainants who ordered again after their complaint")
    retained_revenue: Decimal = Field(description="What they ordered between that complaint and their next")
    currency: str
    return_per_cost: float | None


class BarOut(Schema):
    label: str
    count: int


class HistogramOut(Schema):
    period: PeriodOut
    bars: list[BarOut]
    not_yet: int
    total: int
    within_target: int
    target: str


class TeamBreachesOut(Schema):
    key: str
    label: str
    opened: int
    breached: int
    share: float


class BreachesOut(Schema):
    period: PeriodOut
    opened: int
    breached: int
    buckets: list[date]
    points: list[int]
    by_team: list[TeamBreachesOut]


class SatisfactionRowOut(Schema):
    key: str
    label: str
    answers: int
    satisfaction: float | None = Field(description="Mean of 1–5")
    recommend_answers: int
    nps: int | None = Field(description="Net promoter score, −100…100")


class SatisfactionOut(Schema):
    period: PeriodOut
    by: str
    rows: list[SatisfactionRowOut]


class RecurrenceRowOut(Schema):
    key: str
    label: str
    recurrences: int


class RecurrencesOut(Schema):
    period: PeriodOut
    total: int
    buckets: list[date]
    points: list[int]
    by_category: list[RecurrenceRowOut]
