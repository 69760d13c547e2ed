"""The pure cores: the period, the fold of a day's cases, the charts' geometry; and the month sums."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amends.cases.models import Case
from amends.conftest import open_case
from amends.insights import charts, selectors
from amends.insights.models import DailyCaseStat, MonthlyCaseStat
from amends.insights.period import MAX_DAYS, Period, PeriodError, period_parse
from amends.insights.rollup import CaseFacts, bucket, rollup
from amends.insights.services import opening_day, rollups_rebuild

TODAY = date(2026, 11, 30)


def test_the_default_period_is_the_last_30_days():
    assert period_parse(None, "", today=TODAY) == Period(date(2026, 11, 1), TODAY)
    assert period_parse("2026-11-20", None, today=TODAY) == Period(date(2026, 11, 20), TODAY)
    assert period_parse(None, "2026-06-30", today=TODAY) == Period(date(2026, 6, 1), date(2026, 6, 30))


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("2016-11-30", "2026-11-30", "span"),  # ten years
        ("2026-12-01", "2026-11-30", "order"),
        ("30.11.2026", "", "date"),
        ("2026-02-30", "", "date"),
        ("0001-01-01", "0001-01-10", "range"),  # the period before it would be before the calendar's first day
        ("9999-12-01", "9999-12-31", "range"),
    ],
)
def test_a_bad_period_says_why(start, end, reason):
    with pytest.raises(PeriodError) as refused:
        period_parse(start, end, today=TODAY)
    assert refused.value.reason == reason


def test_two_years_is_the_longest_period():
    assert period_parse("2024-12-01", "2026-11-30", today=TODAY).days == MAX_DAYS - 1
    with pytest.raises(PeriodError):
        period_parse("2024-11-29", "2026-11-30", today=TODAY)


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    period = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert period.previous() == Period(date(2026, 10, 2), date(2026, 10, 31))


def test_the_grain_follows_the_length():
    assert Period(date(2026, 1, 1), date(2026, 2, 15)).grain == "day"
    assert Period(date(2026, 1, 1), date(2026, 6, 30)).grain == "week"
    weekly = Period(date(2026, 1, 1), date(2026, 6, 30)).buckets()
    assert weekly[0] == date(2025, 12, 29) and all(b.weekday() == 0 for b in weekly)
    monthly = Period(date(2025, 1, 15), date(2026, 6, 30)).buckets()
    assert monthly[0] == date(2025, 1, 1) and monthly[-1] == date(2026, 6, 1) and len(monthly) == 18


def test_buckets_of_the_60_second_rule():
    edges = (10, 30, 60, 300)
    assert [bucket(s, edges) for s in (0, 10, 10.5, 60, 61, 9999, None)] == ["0", "0", "1", "2", "3", "4", "none"]


def test_a_case_counts_once_in_every_dimension():
    cases = [
        CaseFacts(category="1", brand="1", channel="form", team=None, language="ru", severity=3, offer_seconds=5),
        CaseFacts(
            category="1",
            brand="1",
            channel="email",
            team="2",
            language="en",
            severity=1,
            breached=True,
            remedy_kind="refund",
            remedies_granted=1,
            remedy_cost=Decimal("12.50"),
            satisfaction=4,
            recommendation=9,
        ),
    ]
    rows = rollup(cases)
    assert rows[("all", "")].counts["opened"] == 2 and rows[("all", "")].counts["severity_sum"] == 4
    assert rows[("team", "none")].counts["opened"] == 1 and rows[("team", "2")].counts["breached"] == 1
    assert rows[("remedy", "refund")].amounts["remedy_cost"] == Decimal("12.50")
    assert rows[("all", "")].counts["offer_0"] == 1 and rows[("all", "")].counts["offer_none"] == 1
    assert rows[("all", "")].counts["promoters"] == 1 and rows[("all", "")].counts["surveys"] == 1
    for dimension in ("category", "brand", "channel", "team", "language", "agent", "remedy"):
        assert sum(r.counts["opened"] for (d, _k), r in rows.items() if d == dimension) == 2


def test_the_axis_is_round_and_whole():
    assert charts.axis_step(0) == 1 and charts.axis_step(3) == 1 and charts.axis_step(37) == 10
    chart = charts.stacked_bars(["a", "b"], [("x", [3.0, 1.0]), ("y", [1.0, 0.0])])
    assert [t.text for t in chart.ticks] == ["0", "1", "2", "3", "4"]
    tallest = sum(r.h for r in chart.rects if r.x == chart.rects[0].x)
    assert tallest == pytest.approx(chart.plot_height, abs=0.2)  # 4 of 4: the full height


def test_horizontal_bars_scale_to_the_largest_and_from_the_low_end():
    bars = charts.hbars([("a", 50, "+50"), ("b", -100, "−100")], low=-100)
    assert bars[0].w == charts.HBAR_SPAN and bars[1].w == 1.0  # the lowest still shows as a sliver


@pytest.mark.django_db
def test_months_hold_the_sum_of_their_days_and_long_periods_read_them():
    today = timezone.localdate()
    for i, days_ago in enumerate((0, 40, 80)):
        case = open_case(email=f"m{i}@example.com").case
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    rollups_rebuild()
    for month in MonthlyCaseStat.objects.filter(dimension="all"):
        days = DailyCaseStat.objects.filter(dimension="all", day__year=month.month.year, day__month=month.month.month)
        assert month.opened == sum(d.opened for d in days)
    long = Period(today - timedelta(days=120), today)
    assert selectors.overall(long)["opened"] == 3
    assert sum(selectors.over_time(long, "language").totals) == 3
    assert sum(s["opened"] for s in selectors.totals(long, "category")) == 3
    oldest = opening_day(timezone.now() - timedelta(days=80))
    assert selectors.overall(Period(oldest, oldest))["opened"] == 1
