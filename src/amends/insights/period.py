"""The period a dashboard figure covers: parsed, checked and compared with the one before. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_DAYS = 30
# Two years and a day (a leap year): long enough for a year-on-year review, short enough that a chart reads a
# bounded number of rollup rows. Ten years is refused with the reason.
MAX_DAYS = 731
# Complaints are not older than this product nor far in the future; the bounds also keep "the period before" and
# the last bucket of a chart inside the calendar Python can count (year 1 to 9999).
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


class PeriodError(ValueError):
    """Why a period was refused: "date" (not YYYY-MM-DD), "range" (before 2000 or after 2099), "order" (start
    after end) or "span" (too long)."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one: what "the change" compares against."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    @property
    def grain(self) -> str:
        """How the charts over time group days: by day up to two months, by week up to a year, else by month."""
        if self.days <= 62:
            return "day"
        return "week" if self.days <= 366 else "month"

    def buckets(self) -> list[date]:
        """The first day of every bucket of the period at its grain (weeks start on Monday)."""
        first = _bucket_start(self.start, self.grain)
        out = []
        while first <= self.end:
            out.append(first)
            first = _next(first, self.grain)
        return out


def _bucket_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _next(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    if grain == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def bucket_of(day: date, grain: str) -> date:
    return _bucket_start(day, grain)


def _parse(raw: str | None, field: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError("date", field) from None
    if not EARLIEST <= day <= LATEST:
        raise PeriodError("range", field)
    return day


def period_parse(start: str | None, end: str | None, *, today: date, max_days: int = MAX_DAYS) -> Period:
    """From the query's `from` and `to` (either may be empty): by default the last 30 days up to today."""
    first, last = _parse(start, "from"), _parse(end, "to")
    last = last or (max(today, first) if first else today)
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise PeriodError("order", "from")
    period = Period(first, last)
    if period.days > max_days:
        raise PeriodError("span", "from")
    return period
