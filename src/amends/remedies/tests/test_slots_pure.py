"""The calendar's series expansion (pure)."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from amends.remedies.slots import Series, SeriesError, expand

BELGRADE = ZoneInfo("Europe/Belgrade")


def weekdays_series(**changes: object) -> Series:
    values: dict[object, object] = {
        "first": date(2026, 12, 7),  # a Monday
        "last": date(2026, 12, 20),
        "weekdays": frozenset(range(5)),
        "day_start": time(10),
        "day_end": time(16),
        "minutes": 30,
    }
    values.update(changes)
    return Series(**values)  # type: ignore[arg-type]


def test_weekdays_ten_to_four_in_half_hours_for_two_weeks():
    slots = expand(weekdays_series(), BELGRADE)
    assert len(slots) == 10 * 12
    first_start, first_end = slots[0]
    assert first_start.isoformat() == "2026-12-07T10:00:00+01:00" and first_end.hour == 10 and first_end.minute == 30
    assert slots[-1][1].isoformat() == "2026-12-18T16:00:00+01:00"
    assert {s.weekday() for s, _ in slots} == set(range(5))


def test_a_slot_that_would_run_past_the_day_is_left_out():
    slots = expand(weekdays_series(last=date(2026, 12, 7), minutes=45), BELGRADE)
    assert [s.strftime("%H:%M") for s, _ in slots][-1] == "15:15" and len(slots) == 8


def test_local_wall_clock_time_across_a_clock_change():
    slots = expand(weekdays_series(first=date(2026, 3, 27), last=date(2026, 3, 30), day_end=time(10, 30)), BELGRADE)
    assert [s.utcoffset().total_seconds() / 3600 for s, _ in slots] == [1.0, 2.0]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"last": date(2026, 12, 1)}, "last", "before_first"),
        ({"last": date(2027, 6, 1)}, "last", "too_long"),
        ({"weekdays": frozenset()}, "weekdays", "none"),
        ({"weekdays": frozenset({7})}, "weekdays", "none"),
        ({"minutes": 0}, "minutes", "range"),
        ({"minutes": 1000}, "minutes", "range"),
        ({"day_end": time(9)}, "day_end", "before_start"),
        (
            {"minutes": 5, "day_start": time(0), "day_end": time(23, 59), "weekdays": frozenset(range(7))},
            "minutes",
            "too_many",
        ),
    ],
)
def test_it_rejects_a_series_that_cannot_be(changes, field, code):
    with pytest.raises(SeriesError) as raised:
        expand(weekdays_series(**changes), BELGRADE)
    assert (raised.value.field, raised.value.code) == (field, code)
