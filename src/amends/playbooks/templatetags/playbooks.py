from collections.abc import Mapping, Sequence
from datetime import timedelta

from django import template

from amends.playbooks.models import RemedyKind
from amends.playbooks.text import human_duration

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A target as people read it: "4 hours", "2 days"."""
    return human_duration(value) if value is not None else ""


@register.filter
def pair(targets: Mapping[int, object] | None, priority: int) -> object:
    """The targets of one priority from a mapping keyed by priority (templates cannot look up integer keys)."""
    return (targets or {}).get(int(priority))


@register.filter
def remedy_labels(kinds: Sequence[str] | None) -> str:
    labels = dict(RemedyKind.choices)
    return ", ".join(str(labels[k]) for k in kinds or () if k in labels)
