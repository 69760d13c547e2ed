"""The team's appointment calendar, the pure part: a repeating series of slots expanded into concrete times
(e.g. weekdays 10:00–16:00 in 30-minute slots for the next two weeks), with the limits that keep a typo from
filling the calendar with a hundred thousand slots. No Django import."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

MAX_SERIES_DAYS = 92
MAX_SERIES_SLOTS = 2_000
MIN_MINUTES, MAX_MINUTES = 5, 8 * 60
MAX_CAPACITY = 100


class SeriesError(ValueError):
    """`field` names what is wrong, `code` says how (the service turns it into words)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class Series:
    first: date
    last: date
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday, as date.weekday()
    day_start: time
    day_end: time
    minutes: int

    def check(self) -> None:
        if self.last < self.first:
            raise SeriesError("last", "before_first")
        if (self.last - self.first).days >= MAX_SERIES_DAYS:
            raise SeriesError("last", "too_long")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise SeriesError("weekdays", "none")
        if not MIN_MINUTES <= self.minutes <= MAX_MINUTES:
            raise SeriesError("minutes", "range")
        if self.day_end <= self.day_start:
            raise SeriesError("day_end", "before_start")


def expand(series: Series, tz: tzinfo) -> list[tuple[datetime, datetime]]:
    """Every slot of the series as (start, end), aware, in `tz`'s wall-clock time: a slot that would run past the
    day's end is left out, so 10:00–16:00 in 45-minute slots ends with 15:15–16:00."""
    series.check()
    step = timedelta(minutes=series.minutes)
    found: list[tuple[datetime, datetime]] = []
    day = series.first
    while day <= series.last:
        if day.weekday() in series.weekdays:
            start = datetime.combine(day, series.day_start)
            end_of_day = datetime.combine(day, series.day_end)
            while start + step <= end_of_day:
                found.append((start.replace(tzinfo=tz), (start + step).replace(tzinfo=tz)))
                if len(found) > MAX_SERIES_SLOTS:
                    raise SeriesError("minutes", "too_many")
                start += step
        day += timedelta(days=1)
    return found
