"""The case lifecycle as an explicit state machine. Pure Python: no Django import.

new → acknowledged → in progress ⇄ waiting for customer → resolved → closed, and reopen from resolved or
closed back to in progress. Anything not listed here is an illegal transition.
"""

from datetime import timedelta
from enum import IntEnum, StrEnum


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(IntEnum):
    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}

OPEN = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING})

# How long the company may take, by priority: to the first human answer, and to resolution.
TARGETS: dict[Priority, tuple[timedelta, timedelta]] = {
    Priority.URGENT: (timedelta(hours=1), timedelta(hours=8)),
    Priority.HIGH: (timedelta(hours=4), timedelta(days=1)),
    Priority.NORMAL: (timedelta(hours=8), timedelta(days=3)),
    Priority.LOW: (timedelta(days=1), timedelta(days=5)),
}


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a case cannot go from {current} to {target}")
        self.current = current
        self.target = target


def allowed(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]


def check(current: str, target: str) -> None:
    if not allowed(current, target):
        raise IllegalTransition(current, target)


def is_reopen(current: str, target: str) -> bool:
    return current in (Status.RESOLVED, Status.CLOSED) and target == Status.IN_PROGRESS
