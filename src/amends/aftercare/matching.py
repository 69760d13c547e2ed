"""Recurrence: does a new complaint describe a problem whose cause we already recorded and fixed?
Pure Python: no Django import.

The same problem is the same complaint category with a shared entity (a product or place name, an error code, a
web address: what triage's cluster fingerprint extracts), or the same cluster of complaints. Order numbers are
left out: they are the customer's, not the problem's, and two customers never share one.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from amends.triage.clusters import fingerprint

PROBLEM_KINDS = ("name:", "error:", "web:")


def problem_entities(text: str) -> list[str]:
    return sorted(e for e in fingerprint(text).entities if e.startswith(PROBLEM_KINDS))


@dataclass(frozen=True)
class Candidate:
    root_cause_id: int
    category_id: int | None  # the complaint category the root cause was recorded for
    cluster_id: int | None
    entities: frozenset[str]


@dataclass(frozen=True)
class Match:
    root_cause_id: int
    on: str  # "cluster" or "entities"
    shared: tuple[str, ...]


def matches(
    *, category_id: int | None, cluster_id: int | None, entities: Iterable[str], candidates: Iterable[Candidate]
) -> list[Match]:
    found: list[Match] = []
    mine = frozenset(e for e in entities if e.startswith(PROBLEM_KINDS))
    for candidate in candidates:
        if cluster_id is not None and candidate.cluster_id == cluster_id:
            found.append(Match(candidate.root_cause_id, "cluster", ()))
            continue
        shared = mine & candidate.entities
        if category_id is not None and candidate.category_id == category_id and shared:
            found.append(Match(candidate.root_cause_id, "entities", tuple(sorted(shared))))
    return found
