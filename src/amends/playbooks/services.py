"""Every write of playbooks and of a case's checklist. Keyword-only, one verb each; a case change leaves an event."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import Team, User
from amends.cases.lifecycle import Priority
from amends.cases.models import ActorKind, Case, CaseEvent
from amends.cases.services import _refresh_due, event_record
from amends.core.text import single_line
from amends.replies.models import ReplyTemplate
from amends.triage.models import Category

from .models import MAX_STEP_LENGTH, MAX_STEPS, CaseChecklistItem, Playbook, PlaybookStep, RemedyKind, ResponseTarget
from .routing import case_category_id, playbook_book, playbooks_forget
from .targets import MAX_TARGET, Pair, Problem, check_pair
from .text import human_duration

# For each priority: (first response, resolution); None for a target left empty.
type TargetInput = Mapping[int, tuple[timedelta | None, timedelta | None]]


@dataclass(frozen=True)
class StepInput:
    """A step as the manager left it: an existing step's id (None for a new one) and its words, in order."""

    id: uuid.UUID | None
    text: str


def _priority_label(priority: int) -> str:
    return str(dict(ResponseTarget.PRIORITY_CHOICES)[Priority(priority)])


def _check_targets(given: TargetInput, *, required: bool, errors: dict[str, list[str]]) -> dict[int, Pair | None]:
    """Every priority's pair, or None where a playbook leaves both empty (the company's default applies)."""
    checked: dict[int, Pair | None] = {}
    max_days = MAX_TARGET.days
    for priority, _label in ResponseTarget.PRIORITY_CHOICES:
        label = _priority_label(priority)
        first, resolution = given.get(priority, (None, None))
        if first is None and resolution is None and not required:
            checked[priority] = None
            continue
        if first is None or resolution is None:
            message = (
                _("%(priority)s: give both the response and the resolution target.")
                if required
                else _(
                    "%(priority)s: give both the response and the resolution target, or leave both empty to use "
                    "the company's default."
                )
            )
            errors.setdefault(f"response_{priority}", []).append(message % {"priority": label})
            continue
        for name, problem in check_pair(first, resolution):
            field = f"{name}_{priority}"
            if problem == Problem.NOT_POSITIVE:
                message = (
                    _("%(priority)s: the response target must be more than zero.")
                    if name == "response"
                    else _("%(priority)s: the resolution target must be more than zero.")
                )
                errors.setdefault(field, []).append(message % {"priority": label})
            elif problem == Problem.TOO_LONG:
                message = (
                    _("%(priority)s: the response target can be at most %(days)s days.")
                    if name == "response"
                    else _("%(priority)s: the resolution target can be at most %(days)s days.")
                )
                errors.setdefault(field, []).append(message % {"priority": label, "days": max_days})
            else:
                errors.setdefault(field, []).append(
                    _(
                        "%(priority)s: the response target (%(response)s) cannot be longer than the resolution "
                        "target (%(resolution)s)."
                    )
                    % {"priority": label, "response": human_duration(first), "resolution": human_duration(resolution)}
                )
        checked[priority] = (first, resolution)
    return checked


def _check_steps(
    steps: Sequence[StepInput], *, existing: Mapping[uuid.UUID, PlaybookStep], errors: dict[str, list[str]]
) -> list[tuple[uuid.UUID | None, str]]:
    cleaned: list[tuple[uuid.UUID | None, str]] = []
    seen: set[uuid.UUID] = set()
    if len(steps) > MAX_STEPS:
        errors.setdefault("steps", []).append(_("At most %(n)s steps, please.") % {"n": MAX_STEPS})
    for number, step in enumerate(steps, start=1):
        text = single_line(step.text or "")
        if not text:
            errors.setdefault("steps", []).append(
                _("Step %(n)s has no words: write the step, or tick Remove.") % {"n": number}
            )
        elif len(text) > MAX_STEP_LENGTH:
            errors.setdefault("steps", []).append(
                _("Step %(n)s is too long: at most %(limit)s characters.") % {"n": number, "limit": MAX_STEP_LENGTH}
            )
        if step.id is not None and (step.id not in existing or step.id in seen):
            errors.setdefault("steps", []).append(
                _("The steps changed meanwhile (another manager saved them): reload the page and try again.")
            )
        if step.id is not None:
            seen.add(step.id)
        cleaned.append((step.id, text))
    return cleaned


def _check_remedy_kinds(kinds: Sequence[str], errors: dict[str, list[str]]) -> list[str]:
    cleaned: list[str] = []
    for kind in kinds:
        if kind not in RemedyKind.values:
            errors.setdefault("remedy_kinds", []).append(
                _("%(kind)s is not a kind of remedy.") % {"kind": repr(str(kind))[:40]}
            )
        elif kind not in cleaned:
            cleaned.append(kind)
    return cleaned


@transaction.atomic
def playbook_save(
    *,
    actor: User,
    category: Category,
    team: Team | None,
    targets: TargetInput,
    steps: Sequence[StepInput],
    remedy_kinds: Sequence[str],
    reply_template: ReplyTemplate | None,
) -> Playbook:
    """Create or replace a category's playbook as a manager left it. All or nothing: every problem is reported at
    once (ValidationError keyed by field) and nothing is written. Steps keep their identity across edits, so the
    cases that completed a step keep that; a removed step's completions keep their own copy of its words."""
    if not actor.is_manager:
        raise PermissionDenied
    if not category.is_active:
        raise ValidationError({"category": [_("This category was removed; its playbook cannot be changed.")]})
    playbook = Playbook.objects.select_for_update().filter(category=category).first()
    existing = {s.public_id: s for s in playbook.steps.all()} if playbook else {}
    errors: dict[str, list[str]] = {}
    pairs = _check_targets(targets, required=False, errors=errors)
    cleaned_steps = _check_steps(steps, existing=existing, errors=errors)
    kinds = _check_remedy_kinds(remedy_kinds, errors)
    if reply_template is not None and reply_template.category_id not in (None, category.pk):
        errors.setdefault("reply_template", []).append(
            _("That reply template belongs to another category; choose a general one or this category's own.")
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if playbook is None:
        try:
            with transaction.atomic():
                playbook = Playbook.objects.create(category=category, updated_at=now)
        except IntegrityError:  # another manager created it a moment ago: save over theirs, as an edit would
            playbook = Playbook.objects.select_for_update().get(category=category)
    playbook.team, playbook.remedy_kinds, playbook.reply_template = team, kinds, reply_template
    playbook.updated_at, playbook.updated_by = now, actor
    playbook.save(update_fields=["team", "remedy_kinds", "reply_template", "updated_at", "updated_by"])
    for priority, pair in pairs.items():
        if pair is None:
            ResponseTarget.objects.filter(playbook=playbook, priority=priority).delete()
        else:
            ResponseTarget.objects.update_or_create(
                playbook=playbook, priority=priority, defaults={"first_response": pair[0], "resolution": pair[1]}
            )
    kept = {step_id for step_id, _text in cleaned_steps if step_id is not None}
    PlaybookStep.objects.filter(playbook=playbook).exclude(public_id__in=kept).delete()
    for position, (step_id, text) in enumerate(cleaned_steps, start=1):
        if step_id is None:
            PlaybookStep.objects.create(public_id=uuid.uuid4(), playbook=playbook, position=position, text=text)
        else:
            step = existing[step_id]
            if (step.position, step.text) != (position, text):
                step.position, step.text = position, text
                step.save(update_fields=["position", "text"])
    transaction.on_commit(playbooks_forget)
    playbooks_forget()
    return playbook


@transaction.atomic
def default_targets_save(*, actor: User, targets: TargetInput) -> None:
    """Set the company's default targets, which apply wherever a category's playbook sets none. All or nothing."""
    if not actor.is_manager:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    pairs = _check_targets(targets, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    for priority, pair in pairs.items():
        if pair is None:  # not with required=True; but never write half a table
            continue
        ResponseTarget.objects.update_or_create(
            playbook=None, priority=priority, defaults={"first_response": pair[0], "resolution": pair[1]}
        )
    transaction.on_commit(playbooks_forget)
    playbooks_forget()


def _actor_kind(actor: User | None) -> str:
    return ActorKind.AGENT if actor else ActorKind.INTEGRATION


@transaction.atomic
def checklist_step_tick(*, case: Case, step_id: uuid.UUID, actor: User) -> CaseChecklistItem | None:
    """Mark a step of the case's playbook done, by `actor`, now. A step done already stays as it was (whoever did
    it first keeps the credit) and None is returned; a step not in the case's playbook is refused."""
    category_id = case_category_id(case_id=case.pk)
    step = (
        PlaybookStep.objects.filter(public_id=step_id, playbook__category_id=category_id).first()
        if category_id is not None
        else None
    )
    if step is None:
        raise ValidationError(
            _("That step is not in this case's playbook any more; the checklist shows the steps as they are now."),
            code="unknown_step",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            item = CaseChecklistItem.objects.create(
                case=case, step=step, text=step.text, done_at=now, done_by=actor, done_by_label=actor.display_name
            )
    except IntegrityError:
        return None
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    event_record(
        case=case,
        kind=CaseEvent.Kind.CHECKLIST_STEP_DONE,
        actor_kind=_actor_kind(actor),
        actor=actor,
        data={"step": str(step.public_id), "text": step.text},
        at=now,
    )
    return item


@transaction.atomic
def checklist_step_untick(*, case: Case, step_id: uuid.UUID, actor: User) -> bool:
    """Undo a step marked done on the case; False if it was not done (nothing is written then)."""
    item = CaseChecklistItem.objects.select_for_update().filter(case=case, step__public_id=step_id).first()
    if item is None:
        return False
    item.delete()
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    event_record(
        case=case,
        kind=CaseEvent.Kind.CHECKLIST_STEP_UNDONE,
        actor_kind=_actor_kind(actor),
        actor=actor,
        data={"step": str(step_id), "text": item.text, "done_by": item.done_by_label},
        at=now,
    )
    return True


@transaction.atomic
def case_playbook_apply(*, case: Case, actor: User) -> bool:
    """After the case's category changed (an agent corrected it): the targets become the new category's
    playbook's (or the company's defaults), measured from when the case opened, and a case no one has picked up yet
    moves to the playbook's owning team. True if anything changed; the change is recorded on the timeline."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    category_id = case_category_id(case_id=case.pk)
    book = playbook_book()
    first, resolution = book.targets(category_id=category_id, priority=locked.priority)
    rule = book.rule(category_id)
    fields: list[str] = []
    data: dict[str, object] = {}
    first_due, resolution_due = locked.created_at + first, locked.created_at + resolution
    if (locked.first_response_due_at, locked.resolution_due_at) != (first_due, resolution_due):
        locked.first_response_due_at, locked.resolution_due_at = first_due, resolution_due
        fields += ["first_response_due_at", "resolution_due_at", "next_due_at", "breached"]
        data["first_response_due_at"] = first_due.isoformat()
        data["resolution_due_at"] = resolution_due.isoformat()
    if rule is not None and rule.team_id is not None and locked.assignee_id is None and locked.team_id != rule.team_id:
        data["from_team"] = locked.team.name if locked.team else None
        data["routed_to"] = rule.team_name
        locked.team_id = rule.team_id
        fields.append("team")
    if not fields:
        return False
    if rule is not None:
        data["playbook"] = Category.objects.filter(pk=rule.category_id).values_list("slug", flat=True).first()
    locked.updated_at = timezone.now()
    _refresh_due(locked)
    locked.save(update_fields=[*fields, "updated_at"])
    for name in ("team_id", "first_response_due_at", "resolution_due_at", "next_due_at", "breached", "updated_at"):
        setattr(case, name, getattr(locked, name))
    event_record(
        case=case,
        kind=CaseEvent.Kind.PLAYBOOK_APPLIED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data=data,
        at=locked.updated_at,
    )
    return True
