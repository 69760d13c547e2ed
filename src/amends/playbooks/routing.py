"""What a case's category's playbook decides at intake: the owning team and the targets. Every intake needs it, so
the playbooks are read at most every few seconds per process (an edit in the console is seen by the process that
made it at once, by the others within CACHE_SECONDS), and intake spends no query on them."""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from amends.cases import lifecycle
from amends.triage.models import CaseTriage

from . import targets
from .models import Playbook, ResponseTarget
from .targets import Pair

CACHE_SECONDS = 10.0
FACTORY: dict[int, Pair] = {int(priority): pair for priority, pair in lifecycle.TARGETS.items()}


@dataclass(frozen=True)
class Rule:
    """One category's playbook as intake needs it."""

    category_id: int
    team_id: int | None
    team_name: str
    targets: dict[int, Pair]


@dataclass(frozen=True)
class Book:
    defaults: dict[int, Pair]
    rules: dict[int, Rule]

    def rule(self, category_id: int | None) -> Rule | None:
        return self.rules.get(category_id) if category_id is not None else None

    def targets(self, *, category_id: int | None, priority: int) -> Pair:
        rule = self.rule(category_id)
        return targets.choose(int(priority), rule.targets if rule else {}, self.defaults, FACTORY)


@dataclass(frozen=True)
class Plan:
    """What intake gives a new case."""

    first_response: timedelta
    resolution: timedelta
    team_id: int | None
    team_name: str


_lock = threading.Lock()
_cached: tuple[float, Book] | None = None


def _load() -> Book:
    defaults: dict[int, Pair] = {}
    own: dict[int, dict[int, Pair]] = {}
    for playbook_id, priority, first, resolution in ResponseTarget.objects.values_list(
        "playbook_id", "priority", "first_response", "resolution"
    ):
        (defaults if playbook_id is None else own.setdefault(playbook_id, {}))[priority] = (first, resolution)
    rules = {
        p.category_id: Rule(
            category_id=p.category_id,
            team_id=p.team_id,
            team_name=p.team.name if p.team else "",
            targets=own.get(p.pk, {}),
        )
        for p in Playbook.objects.select_related("team")
    }
    return Book(defaults=defaults, rules=rules)


def playbook_book() -> Book:
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    with _lock:
        book = _load()
        _cached = (now, book)
        return book


def playbooks_forget() -> None:
    """Drop the cached playbooks (after an edit, and between tests)."""
    global _cached
    _cached = None


def intake_plan(*, category_id: int | None, priority: int) -> Plan:
    """The targets and the owning team of a new case of this category and priority."""
    book = playbook_book()
    first, resolution = book.targets(category_id=category_id, priority=priority)
    rule = book.rule(category_id)
    return Plan(
        first_response=first,
        resolution=resolution,
        team_id=rule.team_id if rule else None,
        team_name=rule.team_name if rule else "",
    )


def case_targets(*, category_id: int | None, priority: int) -> Pair:
    return playbook_book().targets(category_id=category_id, priority=priority)


def case_category_id(*, case_id: int) -> int | None:
    """The category a case is triaged into now (after any correction), whose playbook applies to it."""
    return CaseTriage.objects.filter(case_id=case_id).values_list("category_id", flat=True).first()
