"""Reads of playbooks and of a case's checklist, each taking the acting user (None: an API key, which speaks for the
whole company) so access control stays in one place."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404

from amends.accounts.models import User
from amends.cases.models import Case
from amends.triage.models import Category

from .models import CaseChecklistItem, Playbook, PlaybookStep, RemedyKind, ResponseTarget
from .routing import FACTORY
from .targets import Pair


def _may_read(actor: User | None) -> None:
    if actor is not None and (not actor.is_active or actor.role not in User.Role.values):
        raise PermissionDenied


@dataclass
class ChecklistItem:
    text: str
    step_id: uuid.UUID | None = None  # None: done, but the step is not in the case's playbook any more
    done_at: datetime | None = None
    done_by: str = ""

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass
class Checklist:
    category: Category
    playbook: Playbook | None
    items: list[ChecklistItem] = field(default_factory=list)
    # Done on this case, but no longer (or never) steps of its category's playbook: the record stays.
    earlier: list[ChecklistItem] = field(default_factory=list)

    @property
    def remedy_labels(self) -> list[str]:
        labels = dict(RemedyKind.choices)
        return [str(labels[k]) for k in (self.playbook.remedy_kinds if self.playbook else []) if k in labels]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


def case_checklist(*, actor: User, case: Case) -> Checklist | None:
    """The checklist of the case's category's playbook, with who did each step and when; None for a case with no
    category. Computed from the playbook as it is now and the steps done on the case, so a manager's later edits
    show at once while the steps done keep the words they were done under."""
    _may_read(actor)
    triage = getattr(case, "triage", None)
    category = triage.category if triage is not None else None
    done = list(CaseChecklistItem.objects.filter(case=case))
    if category is None and not done:
        return None
    playbook = (
        Playbook.objects.select_related("team", "reply_template").filter(category=category).first()
        if category is not None
        else None
    )
    steps: list[PlaybookStep] = list(playbook.steps.all()) if playbook else []
    by_step = {item.step_id: item for item in done if item.step_id is not None}
    items = []
    for step in steps:
        item = by_step.pop(step.pk, None)
        if item is None:
            items.append(ChecklistItem(text=step.text, step_id=step.public_id))
        else:
            items.append(
                ChecklistItem(text=item.text, step_id=step.public_id, done_at=item.done_at, done_by=item.done_by_label)
            )
    ids = dict(PlaybookStep.objects.filter(pk__in=by_step).values_list("pk", "public_id")) if by_step else {}
    earlier = [
        ChecklistItem(
            text=item.text, step_id=ids.get(item.step_id or 0), done_at=item.done_at, done_by=item.done_by_label
        )
        for item in done
        if item.step_id is None or item.step_id in by_step
    ]
    return Checklist(category=category, playbook=playbook, items=items, earlier=earlier)  # type: ignore[arg-type]


def default_targets(*, actor: User | None) -> dict[int, Pair]:
    """The company's default targets by priority (the factory defaults fill a row the table has lost)."""
    _may_read(actor)
    rows = ResponseTarget.objects.filter(playbook__isnull=True).values_list("priority", "first_response", "resolution")
    table = {priority: (first, resolution) for priority, first, resolution in rows}
    return {priority: table.get(priority, FACTORY[priority]) for priority in sorted(FACTORY)}


def playbook_targets(*, actor: User | None, playbook: Playbook | None) -> dict[int, Pair]:
    """The targets a playbook sets itself, by priority (those it leaves to the company's defaults are absent)."""
    _may_read(actor)
    if playbook is None:
        return {}
    return {t.priority: (t.first_response, t.resolution) for t in playbook.targets.all()}


def playbook_for(*, actor: User | None, slug: str) -> tuple[Category, Playbook | None]:
    """An active category and its playbook (None if it has none yet)."""
    _may_read(actor)
    category = Category.objects.filter(slug=slug, is_active=True).first()
    if category is None:
        raise Http404("no such category")
    playbook = (
        Playbook.objects.select_related("team", "reply_template", "updated_by")
        .prefetch_related("steps", "targets")
        .filter(category=category)
        .first()
    )
    return category, playbook


def playbook_list(*, actor: User | None) -> list[tuple[Category, Playbook | None]]:
    """Every active category with its playbook, by category name."""
    _may_read(actor)
    playbooks = {
        p.category_id: p
        for p in Playbook.objects.select_related(
            "category", "team", "reply_template", "reply_template__category"
        ).prefetch_related("steps", "targets")
    }
    return [(c, playbooks.get(c.pk)) for c in Category.objects.filter(is_active=True).order_by("name")]
