"""Root causes, corrective actions and recurrence (P9): every write here leaves an event on the case it concerns."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from amends.accounts.models import Team, User
from amends.cases.lifecycle import OPEN
from amends.cases.models import ActorKind, Case, CaseEvent
from amends.cases.services import event_record
from amends.incidents.models import Incident
from amends.triage.models import CaseTriage, ComplaintCluster

from . import matching
from .models import CorrectiveAction, Recurrence, RootCause, RootCauseCategory
from .notify import managers, staff_mail

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_WHAT = 300
MAX_ENTITIES = 40
FIXED = (CorrectiveAction.Status.DONE, CorrectiveAction.Status.VERIFIED)
ORDER = [s.value for s in CorrectiveAction.Status]


@dataclass(frozen=True)
class ActionSpec:
    what: str
    team_id: int | None
    due_date: date | None


def _text(value: str, *, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [_("Write a sentence of your own here.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(limit)s characters, please.") % {"limit": limit}]})
    return text


def _category(slug_or_category: "RootCauseCategory | str") -> RootCauseCategory:
    if isinstance(slug_or_category, RootCauseCategory):
        return slug_or_category
    found = RootCauseCategory.objects.filter(slug=str(slug_or_category), is_active=True).first()
    if found is None:
        raise ValidationError({"category": [_("Choose a root cause from the list.")]})
    return found


def action_check(spec: ActionSpec, *, today: date, prefix: str = "") -> tuple[str, Team, date]:
    """A corrective action's what, team and due date, or a ValidationError naming each field at fault."""
    errors: dict[str, list[str]] = {}
    what = (spec.what or "").strip()
    if not what:
        errors[f"{prefix}what"] = [_("Say what will be changed.")]
    elif len(what) > MAX_WHAT:
        errors[f"{prefix}what"] = [_("At most %(limit)s characters, please.") % {"limit": MAX_WHAT}]
    team = Team.objects.filter(pk=spec.team_id).first() if spec.team_id else None
    if team is None:
        errors[f"{prefix}team"] = [_("Choose the team that owns the action (no such team).")]
    if spec.due_date is None:
        errors[f"{prefix}due_date"] = [_("Give the date the action is due.")]
    elif spec.due_date < today:
        errors[f"{prefix}due_date"] = [_("The due date is in the past; choose today or a later day.")]
    if errors or team is None or spec.due_date is None:
        raise ValidationError(errors)
    return what, team, spec.due_date


def _subject_facts(
    *, case: Case | None, cluster: ComplaintCluster | None, incident: Incident | None
) -> tuple[int | None, list[str]]:
    """The complaint category and problem entities of what the root cause is recorded on."""
    if case is not None:
        triage = CaseTriage.objects.filter(case=case).only("category_id", "cluster_id").first()
        category_id = triage.category_id if triage else None
        entities = matching.problem_entities(f"{case.subject}\n{case.description}")
        if triage and triage.cluster_id:
            cluster_entities = ComplaintCluster.objects.filter(pk=triage.cluster_id).values_list("entities", flat=True)
            entities += [e for e in (cluster_entities.first() or []) if e.startswith(matching.PROBLEM_KINDS)]
        return category_id, sorted(set(entities))[:MAX_ENTITIES]
    if cluster is not None:
        return cluster.category_id, sorted(e for e in cluster.entities if e.startswith(matching.PROBLEM_KINDS))
    if incident is None:
        return None, []
    entities = [str(e) for e in incident.entities or []]
    entities += matching.problem_entities(f"{incident.title}\n{incident.summary}")
    return incident.category_id, sorted(set(entities))[:MAX_ENTITIES]


def _refuse_unresolved(*, case: Case | None, cluster: ComplaintCluster | None, incident: Incident | None) -> None:
    if case is not None and case.status in OPEN:
        raise ValidationError(
            {"case": [_("The case is still open: record its root cause when it is resolved.")]}, code="open"
        )
    if incident is not None and incident.state != Incident.State.RESOLVED:
        raise ValidationError(
            {"incident": [_("The incident is still open: record its root cause when it is resolved.")]}, code="open"
        )
    if cluster is not None and cluster.state == ComplaintCluster.State.OPEN:
        still_open = CaseTriage.objects.filter(cluster=cluster, case__status__in=list(OPEN)).exists()
        if still_open:
            raise ValidationError(
                {"cluster": [_("Cases of this cluster are still open: record the root cause when they are resolved.")]},
                code="open",
            )


@transaction.atomic
def root_cause_record(
    *,
    category: "RootCauseCategory | str",
    text: str,
    actor: User | None,
    case: Case | None = None,
    cluster: ComplaintCluster | None = None,
    incident: Incident | None = None,
    actions: list[ActionSpec] | tuple[ActionSpec, ...] = (),
    actor_label: str = "",
    now: datetime | None = None,
) -> RootCause:
    """Why it happened and what will change. All or nothing: a bad action stores no root cause either."""
    if sum(x is not None for x in (case, cluster, incident)) != 1:
        raise ValidationError(_("Record a root cause on one case, one cluster or one incident."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    try:
        found = _category(category)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        sentence = _text(text, field="text", limit=MAX_TEXT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked = []
    for index, spec in enumerate(actions):
        try:
            checked.append(action_check(spec, today=timezone.localdate(now), prefix=f"actions.{index}."))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if case is not None:
        # Read the status now, under the row lock: a root cause on a case reopened a moment ago is refused.
        case.status = Case.objects.select_for_update().values_list("status", flat=True).get(pk=case.pk)
    try:
        _refuse_unresolved(case=case, cluster=cluster, incident=incident)
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    category_id, entities = _subject_facts(case=case, cluster=cluster, incident=incident)
    root = RootCause.objects.create(
        category=found,
        text=sentence,
        case=case,
        cluster=cluster,
        incident=incident,
        complaint_category_id=category_id,
        entities=entities,
        recorded_by=actor,
        created_at=now,
    )
    for what, team, due in checked:
        CorrectiveAction.objects.create(
            root_cause=root,
            what=what,
            team=team,
            due_date=due,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
    if case is not None:
        event_record(
            case=case,
            kind=CaseEvent.Kind.ROOT_CAUSE_RECORDED,
            actor_kind=ActorKind.AGENT if actor else ActorKind.INTEGRATION,
            actor=actor,
            actor_label=actor_label,
            data={"category": found.slug, "actions": len(checked)},
            at=now,
        )
    return root


@transaction.atomic
def corrective_action_add(
    *, root_cause: RootCause, spec: ActionSpec, actor: User | None, now: datetime | None = None
) -> CorrectiveAction:
    now = now or timezone.now()
    what, team, due = action_check(spec, today=timezone.localdate(now))
    return CorrectiveAction.objects.create(
        root_cause=root_cause, what=what, team=team, due_date=due, created_by=actor, created_at=now, updated_at=now
    )


class ActionRefused(Exception):
    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


STATUS_WORDS = {
    "open": pgettext_lazy("corrective action status", "Open"),
    "in_progress": gettext_lazy("In progress"),
    "done": gettext_lazy("Done"),
    "verified": gettext_lazy("Verified"),
}


def corrective_action_advance(
    *, action: CorrectiveAction, to: str, actor: User | None, now: datetime | None = None
) -> CorrectiveAction:
    """Forward only: open → in progress → done → verified (a step may be skipped, never undone). Verifying is a
    manager's: someone other than the doer confirms the fix holds."""
    if to not in ORDER:
        raise ActionRefused(_("Unknown status; use one of: %(choices)s.") % {"choices": ", ".join(ORDER)}, status=422)
    if to == CorrectiveAction.Status.VERIFIED and not (actor is not None and actor.is_manager):
        raise ActionRefused(_("Only a manager can verify a corrective action."), status=403)
    now = now or timezone.now()
    current = CorrectiveAction.objects.filter(pk=action.pk).values_list("status", flat=True).first()
    if current is None:
        raise ActionRefused(_("No such corrective action."), status=404)
    if ORDER.index(to) <= ORDER.index(current):
        raise ActionRefused(
            _("A corrective action moves forward only: it is %(current)s and cannot become %(target)s.")
            % {"current": STATUS_WORDS[current], "target": STATUS_WORDS[to]}
        )
    if to == CorrectiveAction.Status.VERIFIED and current != CorrectiveAction.Status.DONE:
        raise ActionRefused(_("Only a corrective action that is done can be verified."))
    changes: dict[str, object] = {"status": to, "updated_at": now}
    if to == CorrectiveAction.Status.IN_PROGRESS:
        changes["started_at"] = now
    if to in FIXED and current not in FIXED:
        changes.update(done_at=now, done_by=actor)
    if to == CorrectiveAction.Status.VERIFIED:
        changes.update(verified_at=now, verified_by=actor)
    # Conditional on the status read: two people moving it at once, one wins and the other is told.
    if not CorrectiveAction.objects.filter(pk=action.pk, status=current).update(**changes):
        raise ActionRefused(_("The action changed meanwhile; look again."))
    action.refresh_from_db()
    return action


# ---------------------------------------------------------------- recurrence


def _candidates(*, before: datetime) -> list[matching.Candidate]:
    """Root causes with a corrective action finished before the complaint arrived: the fix was in."""
    rows = (
        RootCause.objects.filter(actions__status__in=FIXED, actions__done_at__lte=before)
        .values_list("pk", "complaint_category_id", "cluster_id", "entities")
        .distinct()
    )
    return [matching.Candidate(pk, cat, cluster, frozenset(ents or [])) for pk, cat, cluster, ents in rows]


def recurrence_check(*, case: Case) -> list[Recurrence]:
    """Called for every new complaint (cases.hooks): link it to each fixed root cause it matches, and tell the
    managers "it happened again after the fix" once per root cause and case."""
    try:
        # The intake hands the case over with its triage row in memory: read again only when it does not.
        triage = case.triage  # type: ignore[attr-defined]
    except CaseTriage.DoesNotExist:
        return []
    entities = matching.problem_entities(f"{case.subject}\n{case.description}")
    found = matching.matches(
        category_id=triage.category_id,
        cluster_id=triage.cluster_id,
        entities=entities,
        candidates=[c for c in _candidates(before=case.created_at)],
    )
    made: list[Recurrence] = []
    for match in found:
        try:
            with transaction.atomic():
                recurrence = Recurrence.objects.create(
                    root_cause_id=match.root_cause_id,
                    case=case,
                    matched_on=match.on,
                    shared=list(match.shared),
                    created_at=timezone.now(),
                )
                root = RootCause.objects.select_related("category").get(pk=match.root_cause_id)
                event_record(
                    case=case,
                    kind=CaseEvent.Kind.RECURRENCE,
                    actor_kind=ActorKind.SYSTEM,
                    actor_label="amends",
                    data={"root_cause": str(root.public_id), "category": root.category.slug, "on": match.on},
                )
                sent = staff_mail(
                    people=managers(),
                    template="aftercare/email/recurrence.txt",
                    subject=_("It happened again after the fix: %(reference)s") % {"reference": case.reference},
                    context={"case": case, "root": root, "match": match, "url": _case_url(case)},
                    case_id=case.pk,
                    dedupe=f"recurrence:{recurrence.pk}",
                )
                if sent:
                    Recurrence.objects.filter(pk=recurrence.pk).update(alerted=True)
                    recurrence.alerted = True
        except IntegrityError:
            continue  # already linked (the hook ran twice): nothing new to say
        made.append(recurrence)
    return made


def _case_url(case: Case) -> str:
    from django.conf import settings

    return f"{settings.BASE_URL}{reverse('cases:case', kwargs={'public_id': case.public_id})}"


# ---------------------------------------------------------------- taxonomy


def root_cause_category_save(
    *, slug: str, name: str, is_active: bool = True, description: str = "", category: RootCauseCategory | None = None
) -> RootCauseCategory:
    from django.utils.text import slugify

    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": [_("Give the root cause a name of at most 100 characters.")]})
    if category is None:
        slug = slugify(slug or name)[:50]
        if not slug:
            raise ValidationError({"name": [_("Give the root cause a name of at most 100 characters.")]})
        if RootCauseCategory.objects.filter(slug=slug).exists():
            raise ValidationError({"name": [_("A root cause with this name exists already.")]})
        position = (RootCauseCategory.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        return RootCauseCategory.objects.create(
            slug=slug, name=name, description=description[:300], is_active=is_active, position=position
        )
    category.name = name
    category.is_active = is_active
    category.description = description[:300]
    category.save(update_fields=["name", "is_active", "description"])
    return category


def actions_overdue_filter(today: date) -> Q:
    return Q(due_date__lt=today) & ~Q(status__in=FIXED)
