"""Response and resolution targets: reading a manager's amounts, checking them, and choosing the pair a case gets.

Pure Python, no Django import. A pair is (first response, resolution), both measured from when the case opened.
A playbook may set a pair for some priorities only; the company's default table fills the rest, and the factory
defaults (`cases.lifecycle.TARGETS`, which seeded that table) stand in only where the table has lost a row.
"""

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum

type Pair = tuple[timedelta, timedelta]

MAX_TARGET = timedelta(days=90)
# Amounts beyond this many units are read as this many: far over MAX_TARGET, and never an overflow.
_SATURATE = 10**6


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"


UNIT_LENGTH = {Unit.MINUTES: timedelta(minutes=1), Unit.HOURS: timedelta(hours=1), Unit.DAYS: timedelta(days=1)}


class Problem(StrEnum):
    NOT_POSITIVE = "not_positive"
    TOO_LONG = "too_long"
    RESPONSE_AFTER_RESOLUTION = "response_after_resolution"


def duration(amount: int, unit: str) -> timedelta:
    """`amount` of `unit` as a duration; a unit not known is a ValueError."""
    return max(-_SATURATE, min(amount, _SATURATE)) * UNIT_LENGTH[Unit(unit)]


def as_amount(value: timedelta) -> tuple[int, Unit]:
    """The largest unit that measures `value` exactly, and how many of it: 48 hours read as 2 days."""
    for unit in (Unit.DAYS, Unit.HOURS):
        if value and value % UNIT_LENGTH[unit] == timedelta(0):
            return value // UNIT_LENGTH[unit], unit
    return value // UNIT_LENGTH[Unit.MINUTES], Unit.MINUTES


def check_pair(first: timedelta, resolution: timedelta) -> list[tuple[str, Problem]]:
    """What is wrong with a pair, as (which target, problem): each target positive and at most MAX_TARGET, and the
    first response due no later than the resolution."""
    problems: list[tuple[str, Problem]] = []
    for name, value in (("response", first), ("resolution", resolution)):
        if value <= timedelta(0):
            problems.append((name, Problem.NOT_POSITIVE))
        elif value > MAX_TARGET:
            problems.append((name, Problem.TOO_LONG))
    if not problems and first > resolution:
        problems.append(("response", Problem.RESPONSE_AFTER_RESOLUTION))
    return problems


def choose(priority: int, *layers: Mapping[int, Pair]) -> Pair:
    """The pair for `priority` from the first layer that has one (the playbook's, then the company's defaults, then
    the factory defaults); the last layer must cover every priority."""
    for layer in layers:
        pair = layer.get(priority)
        if pair is not None:
            return pair
    raise KeyError(priority)
