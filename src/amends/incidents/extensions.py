"""What apps that build on incidents (campaigns, …) add to an incident's page and ladder, without incidents
importing them: they register here in their AppConfig.ready(), so the import arrows run one way."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Incident


@dataclass(frozen=True)
class Section:
    """A link on the incident page to a part another app owns (e.g. the apology campaign)."""

    title: str
    text: str
    url: str


# Customers an incident touched beyond those who complained (e.g. named by a campaign's list): f(incident) -> n.
ReachCounter = Callable[[Incident], int]
SectionMaker = Callable[[Incident], Section | None]

_counters: list[ReachCounter] = []
_sections: list[SectionMaker] = []


def reach_counter_register(counter: ReachCounter) -> None:
    if counter not in _counters:
        _counters.append(counter)


def section_register(maker: SectionMaker) -> None:
    if maker not in _sections:
        _sections.append(maker)


def extra_customers(incident: Incident) -> int:
    return sum(counter(incident) for counter in _counters)


def sections(incident: Incident) -> list[Section]:
    return [section for maker in _sections if (section := maker(incident)) is not None]
