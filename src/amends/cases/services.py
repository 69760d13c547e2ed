"""Every write to a case goes through here, and every one leaves an event on the case's timeline."""

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amends.accounts.models import Team, User
from amends.accounts.selectors import integration_authority_limit
from amends.core.text import single_line
from amends.playbooks.routing import case_category_id, case_targets
from amends.replies.coach import BLOCKING, Coaching
from amends.replies.services import reply_coach

from . import lifecycle
from .lifecycle import OPEN, Priority, Status
from .models import ActorKind, Case, CaseEvent, Message

# Events a customer sees on the status page; everything else stays internal.
PUBLIC_EVENTS = {
    CaseEvent.Kind.OPENED,
    CaseEvent.Kind.ACKNOWLEDGED,
    CaseEvent.Kind.STATUS_CHANGED,
    CaseEvent.Kind.REOPENED,
    CaseEvent.Kind.RESOLUTION_ACCEPTED,
    CaseEvent.Kind.RESOLUTION_REJECTED,
    CaseEvent.Kind.REMEDIES_OFFERED,
    CaseEvent.Kind.REMEDY_CHOSEN,
    CaseEvent.Kind.REMEDY_GRANTED,
    CaseEvent.Kind.REMEDY_FULFILLED,
}


TRANSITION_WEBHOOKS = {Status.RESOLVED: "case.resolved", Status.CLOSED: "case.closed"}


def case_payload(case: Case) -> dict[str, Any]:
    """What integrators are told about a case in webhooks (the API's GET /cases/{id} has the full picture)."""
    return {
        "id": str(case.public_id),
        "reference": case.reference,
        "status": case.status,
        "priority": case.priority,
        "language": case.language,
        "channel": case.channel,
        "subject": case.subject,
        "customer": {"email": case.customer.email, "external_id": case.customer.external_id},
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def _emit(event: str, case: Case, **extra: Any) -> None:
    from amends.webhooks.services import webhook_emit

    webhook_emit(event=event, case_id=case.pk, data={"case": case_payload(case), **extra})


class CaseConflict(Exception):
    """The case changed under the caller (another agent, the customer): nothing was written."""


class ReplyBlocked(Exception):
    """The coach found what a reply must never say (blame, arguing, a demand for proof, anger, a promise above the
    author's authority…): nothing was sent. `findings` are the blocking ones, `coaching` the whole advice."""

    def __init__(self, coaching: Coaching) -> None:
        self.coaching = coaching
        self.findings = [f for f in coaching.findings if f.severity == BLOCKING]
        super().__init__(", ".join(f.rule for f in self.findings))


def event_record(
    *,
    case: Case,
    kind: str,
    actor_kind: str,
    actor: User | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor_kind=actor_kind,
        actor=actor,
        actor_label=actor_label or (actor.display_name if actor else ""),
        public=kind in PUBLIC_EVENTS,
        data=data or {},
        created_at=at or timezone.now(),
    )


def next_due(
    *, status: str, first_responded_at: datetime | None, first_response_due_at: datetime, resolution_due_at: datetime
) -> datetime | None:
    """The deadline the case can miss next; the clock stops while we wait for the customer."""
    if status not in OPEN or status == Status.WAITING:
        return None
    return first_response_due_at if first_responded_at is None else resolution_due_at


def _refresh_due(case: Case) -> None:
    case.next_due_at = next_due(
        status=case.status,
        first_responded_at=case.first_responded_at,
        first_response_due_at=case.first_response_due_at,
        resolution_due_at=case.resolution_due_at,
    )
    # A moved deadline clears the flag; raising it is left to cases_flag_breaches, which records the event.
    case.breached = case.breached and bool(case.next_due_at and case.next_due_at < timezone.now())


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: str,
    actor_kind: str,
    actor: User | None = None,
    actor_label: str = "",
    event_kind: str | None = None,
    at: datetime | None = None,
) -> Case:
    """Move the case to `to` if the lifecycle allows it from the state it is in now; else change nothing."""
    current = Case.objects.select_for_update().values_list("status", flat=True).get(pk=case.pk)
    lifecycle.check(current, to)
    now = at or timezone.now()
    case.status = to
    case.updated_at = now
    fields = ["status", "updated_at", "next_due_at", "breached"]
    if to == Status.RESOLVED:
        case.resolved_at = now
        fields.append("resolved_at")
    elif to == Status.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    elif lifecycle.is_reopen(current, to):
        case.resolved_at = case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    _refresh_due(case)
    updated = Case.objects.filter(pk=case.pk, status=current).update(**{f: getattr(case, f) for f in fields})
    if not updated:
        raise CaseConflict(case.reference)
    reopened = lifecycle.is_reopen(current, to)
    kind = event_kind or (CaseEvent.Kind.REOPENED if reopened else CaseEvent.Kind.STATUS_CHANGED)
    event_record(
        case=case,
        kind=kind,
        actor_kind=actor_kind,
        actor=actor,
        actor_label=actor_label,
        data={"from": current, "to": to},
        at=now,
    )
    webhook = "case.reopened" if reopened else TRANSITION_WEBHOOKS.get(Status(to))
    if webhook:
        _emit(webhook, case)
    return case


def message_create(
    *,
    case: Case,
    direction: str,
    body: str,
    author_kind: str,
    author: User | None = None,
    email_message_id: str | None = None,
    at: datetime | None = None,
) -> Message:
    return Message.objects.create(
        public_id=uuid.uuid4(),
        case=case,
        direction=direction,
        body=body,
        author_kind=author_kind,
        author=author,
        brand=case.brand if direction == Message.Direction.OUT else None,
        email_message_id=email_message_id,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def case_add_customer_message(
    *,
    case: Case,
    body: str,
    channel: str,
    email_message_id: str | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> Message:
    """The customer wrote again. A case waiting on them, or one they were told is resolved, is back in our court."""
    from .intake import validate_story

    body = validate_story(body)
    message = message_create(
        case=case,
        direction=Message.Direction.IN,
        body=body,
        author_kind=ActorKind.CUSTOMER,
        email_message_id=email_message_id,
        at=at,
    )
    event_record(
        case=case,
        kind=CaseEvent.Kind.CUSTOMER_MESSAGE,
        actor_kind=ActorKind.CUSTOMER,
        actor_label=actor_label or case.customer.email,
        data={"channel": channel},
        at=at,
    )
    _emit("case.customer_message", case, message={"id": str(message.public_id), "body": message.body})
    case.refresh_from_db(fields=["status"])
    if case.status in (Status.WAITING, Status.RESOLVED, Status.CLOSED):
        case_transition(case=case, to=Status.IN_PROGRESS, actor_kind=ActorKind.CUSTOMER, actor_label=actor_label, at=at)
    return message


@transaction.atomic
def case_reply(
    *,
    case: Case,
    actor: User | None,
    body: str,
    status_after: str | None = None,
    actor_label: str = "",
    override: bool = False,
    override_reason: str = "",
) -> Message:
    """A public answer to the customer, sent under the case's brand identity through the outbox.

    Every reply is coached here, whoever sends it (console, API, anything else): a blocking finding refuses it with
    ReplyBlocked and writes nothing, unless the author sends it anyway on purpose (`override`), which the timeline
    records with the rules overridden. A person is held to their role's authority; an integration (`actor` None,
    an API key) to an agent's, since no one with more authority stands behind it.
    """
    from .intake import validate_story
    from .notifications import reply_email_enqueue

    body = validate_story(body)
    if status_after:
        lifecycle.Status(status_after)
    limit = None if actor else integration_authority_limit()
    coaching = reply_coach(text=body, case=case, author=actor, max_remedy_value=limit)
    overridden = [f.rule for f in coaching.findings if f.severity == BLOCKING]
    if overridden and not override:
        raise ReplyBlocked(coaching)
    now = timezone.now()
    kind = ActorKind.AGENT if actor else ActorKind.INTEGRATION
    message = message_create(case=case, direction=Message.Direction.OUT, body=body, author_kind=kind, author=actor)
    if overridden:
        event_record(
            case=case,
            kind=CaseEvent.Kind.COACH_OVERRIDE,
            actor_kind=kind,
            actor=actor,
            actor_label=actor_label,
            data={
                "rules": overridden,
                "score": coaching.score,
                "reason": single_line(override_reason)[:500],
                "message": str(message.public_id),
            },
            at=now,
        )
    message.email_message_id = reply_email_enqueue(case=case, message=message)
    message.save(update_fields=["email_message_id"])
    event_record(
        case=case,
        kind=CaseEvent.Kind.REPLY_SENT,
        actor_kind=kind,
        actor=actor,
        actor_label=actor_label,
        data={"message": str(message.public_id)},
        at=now,
    )
    _emit("case.replied", case, message={"id": str(message.public_id), "body": message.body})
    if case.first_responded_at is None:
        case.first_responded_at = now
        Case.objects.filter(pk=case.pk).update(first_responded_at=now)
    case.refresh_from_db(fields=["status"])
    target = status_after or (Status.IN_PROGRESS if case.status in (Status.NEW, Status.ACKNOWLEDGED) else None)
    if target and target != case.status:
        case_transition(case=case, to=target, actor_kind=kind, actor=actor, actor_label=actor_label)
    else:
        _refresh_due(case)
        Case.objects.filter(pk=case.pk).update(next_due_at=case.next_due_at, breached=case.breached, updated_at=now)
    return message


@transaction.atomic
def case_add_note(*, case: Case, actor: User | None, body: str, actor_label: str = "") -> Message:
    from .intake import validate_story

    kind = ActorKind.AGENT if actor else ActorKind.INTEGRATION
    message = message_create(
        case=case, direction=Message.Direction.NOTE, body=validate_story(body), author_kind=kind, author=actor
    )
    event_record(case=case, kind=CaseEvent.Kind.NOTE_ADDED, actor_kind=kind, actor=actor, actor_label=actor_label)
    return message


@transaction.atomic
def case_assign(*, case: Case, actor: User, team: Team | None, assignee: User | None) -> Case:
    before = {
        "team": case.team.name if case.team else None,
        "assignee": case.assignee.username if case.assignee else None,
    }
    case.team, case.assignee, case.updated_at = team, assignee, timezone.now()
    case.save(update_fields=["team", "assignee", "updated_at"])
    after = {"team": team.name if team else None, "assignee": assignee.username if assignee else None}
    event_record(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data={"from": before, "to": after},
    )
    return case


@transaction.atomic
def case_set_priority(*, case: Case, actor: User, priority: int) -> Case:
    """A new priority moves the targets (the case's category's playbook's, else the company's defaults): they are
    measured from when the case was opened."""
    new = Priority(priority)
    old = case.priority
    first, resolution = case_targets(category_id=case_category_id(case_id=case.pk), priority=new)
    case.priority = new
    case.first_response_due_at = case.created_at + first
    case.resolution_due_at = case.created_at + resolution
    case.updated_at = timezone.now()
    _refresh_due(case)
    case.save(
        update_fields=[
            "priority",
            "first_response_due_at",
            "resolution_due_at",
            "next_due_at",
            "breached",
            "updated_at",
        ]
    )
    event_record(
        case=case,
        kind=CaseEvent.Kind.PRIORITY_CHANGED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data={"from": old, "to": int(new)},
    )
    return case


@transaction.atomic
def case_customer_verdict(*, case: Case, accepted: bool) -> Case:
    """The customer answers "is it resolved?": yes closes the case, no keeps it open and back with us."""
    if case.status != Status.RESOLVED:
        raise lifecycle.IllegalTransition(case.status, Status.CLOSED if accepted else Status.IN_PROGRESS)
    kind = CaseEvent.Kind.RESOLUTION_ACCEPTED if accepted else CaseEvent.Kind.RESOLUTION_REJECTED
    return case_transition(
        case=case,
        to=Status.CLOSED if accepted else Status.IN_PROGRESS,
        actor_kind=ActorKind.CUSTOMER,
        actor_label=case.customer.email,
        event_kind=kind,
    )


def cases_flag_breaches(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Raise every open case that missed its next deadline, once, with an event saying which target it missed."""
    now = now or timezone.now()
    overdue = list(
        Case.objects.filter(status__in=OPEN, breached=False, next_due_at__lt=now).values_list(
            "id", "first_responded_at"
        )[:limit]
    )
    flagged = 0
    for case_id, responded in overdue:
        with transaction.atomic():
            if not Case.objects.filter(Q(id=case_id, breached=False, next_due_at__lt=now)).update(breached=True):
                continue
            target = "first_response" if responded is None else "resolution"
            CaseEvent.objects.create(
                case_id=case_id,
                kind=CaseEvent.Kind.TARGET_BREACHED,
                actor_kind=ActorKind.SYSTEM,
                actor_label="amends",
                data={"target": target},
                created_at=now,
            )
            flagged += 1
    return flagged
