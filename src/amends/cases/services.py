"""Every write to a case goes through here, and every one leaves an event on the case's timeline."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.accounts.models import Team, User
from amends.accounts.selectors import integration_authority_limit
from amends.core.text import single_line
from amends.customers.services import customer_label
from amends.playbooks.routing import case_category_id, case_targets
from amends.replies.coach import BLOCKING, Coaching
from amends.replies.services import reply_coach

from . import hooks, lifecycle
from .lifecycle import OPEN, Priority, Status
from .models import ActorKind, Case, CaseEvent, Channel, Message, PublicThread, SavedView
from .search_documents import search_document_add_message

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


PUBLIC_REPLY_EVENT = "public_reply.requested"
# What a platform shows under a post without "more": a public answer is short (the coach holds it to fewer words).
PUBLIC_REPLY_MAX = 1000
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
        "public_thread": _thread_payload(case_public_thread(case)),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def _thread_payload(thread: PublicThread | None) -> dict[str, Any] | None:
    if thread is None:
        return None
    return {
        "platform": thread.platform,
        "handle": thread.handle,
        "post_url": thread.post_url,
        "parent_url": thread.parent_url or None,
        "thread_id": thread.thread_id or None,
        "followers": thread.followers,
    }


def case_public_thread(case: Case) -> PublicThread | None:
    """The public post the case came from, or None for a case from any other channel."""
    if case.channel != Channel.PUBLIC_THREAD:
        return None
    try:
        return case.public_thread  # type: ignore[attr-defined, no-any-return]
    except PublicThread.DoesNotExist:
        return None


def public_reply_request(
    *, case: Case, thread: PublicThread, message: Message, actor_kind: str, actor: User | None, at: datetime
) -> int:
    """Hand the reply to the connector that posts it under the brand's account: a signed `public_reply.requested`
    webhook written in the reply's own transaction. The text to post ends with a private link that the first
    person to open it claims (everyone in the thread sees the link), so the customer continues on their status
    page and nobody after them can read along."""
    from amends.portal.services import status_link_create
    from amends.webhooks.services import webhook_emit

    _link, continue_url = status_link_create(case=case, single_use=True)
    with translation.override(case.language):
        invitation = _("Continue with us privately: %(url)s") % {"url": continue_url}
    data = {
        "case": case_payload(case),
        "public_reply": {
            "message_id": str(message.public_id),
            "platform": thread.platform,
            "post_url": thread.post_url,
            "parent_url": thread.parent_url or None,
            "thread_id": thread.thread_id or None,
            "in_reply_to_handle": thread.handle,
            "brand": {"name": case.brand.sender_name},
            "reply": message.body,
            "continue_url": continue_url,
            "text": f"{message.body.rstrip()}\n\n{invitation}",
            "language": case.language,
        },
    }
    written = webhook_emit(
        event=PUBLIC_REPLY_EVENT, case_id=case.pk, data=data, headers={"message": str(message.public_id)}
    )
    event_record(
        case=case,
        kind=CaseEvent.Kind.PUBLIC_REPLY_REQUESTED,
        actor_kind=actor_kind,
        actor=actor,
        data={"message": str(message.public_id), "platform": thread.platform, "connectors": written},
        at=at,
    )
    return written


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
    hooks.case_transitioned(case, current, to, now)
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
    message = Message.objects.create(
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
    search_document_add_message(case=case, body=body)
    return message


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
        actor_label=actor_label or customer_label(case.customer),
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
    """A public answer to the customer, sent under the case's brand identity through the outbox: by e-mail, or for
    a case from a public thread, to the connector that posts it under the brand's account (public_reply_request).

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
    public_thread = case_public_thread(case)
    if public_thread is not None:
        from amends.webhooks.services import webhook_subscribed

        if len(body) > PUBLIC_REPLY_MAX:
            raise ValidationError(
                _("A public reply is at most %(limit)s characters; move the details to the private conversation.")
                % {"limit": PUBLIC_REPLY_MAX}
            )
        if not webhook_subscribed(PUBLIC_REPLY_EVENT):
            # Without a connector the brand's account cannot post it, and no person's account may: send nothing.
            raise ValidationError(
                _(
                    "No connector is set up to post public replies under the brand's account: add a webhook "
                    "endpoint for the event public_reply.requested first. Nothing was sent."
                )
            )
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
    if public_thread is not None:
        public_reply_request(case=case, thread=public_thread, message=message, actor_kind=kind, actor=actor, at=now)
    else:
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
    if actor is not None and case.assignee_id is None:
        _assign_to_replier(case=case, actor=actor, at=now)
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


def _assignment(team: Team | None, assignee: User | None) -> dict[str, str | None]:
    return {"team": team.name if team else None, "assignee": assignee.username if assignee else None}


@transaction.atomic
def case_assign(*, case: Case, actor: User, team: Team | None, assignee: User | None) -> Case:
    if assignee is not None and (not assignee.is_active or assignee.role not in User.Role.values):
        raise ValidationError(_("%(name)s cannot take cases.") % {"name": assignee.display_name})
    before = _assignment(case.team, case.assignee)
    case.team, case.assignee, case.updated_at = team, assignee, timezone.now()
    case.save(update_fields=["team", "assignee", "updated_at"])
    event_record(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data={"from": before, "to": _assignment(team, assignee)},
    )
    return case


def _assign_to_replier(*, case: Case, actor: User, at: datetime) -> None:
    """Whoever answers an unassigned case owns it from then on; a case someone already owns stays theirs. The
    conditional update decides a race between two agents answering at once: the first one takes it."""
    if not Case.objects.filter(pk=case.pk, assignee__isnull=True).update(assignee=actor, updated_at=at):
        return
    case.assignee = actor
    event_record(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data={"from": _assignment(case.team, None), "to": _assignment(case.team, actor), "reason": "replied"},
        at=at,
    )


UNCHANGED: Any = object()
_CASE_STATE = (
    "status",
    "priority",
    "team",
    "assignee",
    "first_response_due_at",
    "resolution_due_at",
    "next_due_at",
    "breached",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "updated_at",
)


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: User,
    status: str | None = None,
    priority: int | None = None,
    team: Team | None = UNCHANGED,
    assignee: User | None = UNCHANGED,
) -> list[str]:
    """Change a case's status, priority, team and assignee together, as the one form on the case page asks: all of
    it or nothing (an illegal status keeps the new priority from being saved too). Only what differs from the case
    as it is now is changed, each change with its own event. Returns what changed: "priority", "assignment",
    "status", in that order."""
    if status is not None and status not in Status:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": repr(status)[:40]}})
    if priority is not None and priority not in Priority:
        raise ValidationError({"priority": _("Unknown priority %(priority)s.") % {"priority": repr(priority)[:40]}})
    locked = Case.objects.select_for_update(of=("self",)).select_related("team", "assignee").get(pk=case.pk)
    for name in _CASE_STATE:  # decide on the case as it is now, not as the caller last saw it
        setattr(case, name, getattr(locked, name))
    if status is not None and status != case.status:
        lifecycle.check(case.status, status)  # before anything is written
    changed = []
    if priority is not None and int(priority) != case.priority:
        case_set_priority(case=case, actor=actor, priority=priority)
        changed.append("priority")
    new_team = case.team if team is UNCHANGED else team
    new_assignee = case.assignee if assignee is UNCHANGED else assignee
    if (new_team, new_assignee) != (case.team, case.assignee):
        case_assign(case=case, actor=actor, team=new_team, assignee=new_assignee)
        changed.append("assignment")
    if status is not None and status != case.status:
        case_transition(case=case, to=status, actor_kind=ActorKind.AGENT, actor=actor)
        changed.append("status")
    return changed


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
        actor_label=customer_label(case.customer),
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


# One bulk action touches at most this many cases: a page of the inbox, with room to spare.
BULK_LIMIT = 200


@dataclass
class BulkOutcome:
    """What a bulk action did, case by case: the references it changed, left as they were, or refused (and why)."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def cases_bulk_update(
    *,
    actor: User,
    case_ids: list[str],
    status: str | None = None,
    priority: int | None = None,
    assignee: User | None = UNCHANGED,
) -> BulkOutcome:
    """Apply one change to many cases from the inbox. Each case is its own transaction through case_update, so a
    case is changed whole or not at all, and one refusal (a status its lifecycle does not allow, a case changed
    meanwhile) stops neither the others nor hides itself: it is reported with the case's reference."""
    from .selectors import cases_for_bulk

    if status is None and priority is None and assignee is UNCHANGED:
        raise ValidationError(_("Choose what to change."))
    if len(case_ids) > BULK_LIMIT:
        raise ValidationError(_("At most %(n)s cases at once.") % {"n": BULK_LIMIT})
    outcome = BulkOutcome()
    for case in cases_for_bulk(actor=actor, public_ids=case_ids):
        try:
            changed = case_update(case=case, actor=actor, status=status, priority=priority, assignee=assignee)
        except lifecycle.IllegalTransition as exc:
            labels = {str(value): str(label) for value, label in Case.STATUS_CHOICES}
            outcome.refused.append(
                (
                    case.reference,
                    _("it cannot go from %(from)s to %(to)s")
                    % {"from": labels.get(exc.current, exc.current), "to": labels.get(exc.target, exc.target)},
                )
            )
        except CaseConflict:
            outcome.refused.append((case.reference, _("it changed meanwhile")))
        except ValidationError as exc:
            outcome.refused.append((case.reference, " ".join(exc.messages)))
        else:
            (outcome.changed if changed else outcome.unchanged).append(case.reference)
    return outcome


# The inbox filters a saved view may hold: anything else in a query string (a page number, a stray parameter) is
# not part of a view. Kept in step with forms.InboxFilterForm.
VIEW_FILTERS = (
    "q",
    "status",
    "team",
    "assignee",
    "language",
    "channel",
    "review",
    "brand",
    "breached",
    "opened_from",
    "opened_to",
)
SAVED_VIEWS_PER_AGENT = 30


def saved_view_query(query: str) -> str:
    """The filter part of an inbox query string, in a stable order, empty values dropped."""
    from django.http import QueryDict
    from django.utils.http import urlencode

    given = QueryDict(query.lstrip("?"))
    kept = [(key, single_line(given.get(key, ""))[:200]) for key in VIEW_FILTERS]
    return urlencode([(key, value) for key, value in kept if value])


@transaction.atomic
def saved_view_create(*, owner: User, name: str, query: str) -> SavedView:
    """Save the inbox filter `query` under `name` for its owner; the same name again replaces that view's filter."""
    name = single_line(name)
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 60:
        raise ValidationError({"name": _("A view's name is at most 60 characters.")})
    query = saved_view_query(query)
    if len(query) > 500:
        raise ValidationError({"query": _("This filter is too long to save.")})
    existing = SavedView.objects.select_for_update().filter(owner=owner, name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if SavedView.objects.filter(owner=owner).count() >= SAVED_VIEWS_PER_AGENT:
        raise ValidationError(
            {"name": _("You have %(n)s saved views; delete one first.") % {"n": SAVED_VIEWS_PER_AGENT}}
        )
    return SavedView.objects.create(owner=owner, name=name, query=query, created_at=timezone.now())


def saved_view_delete(*, owner: User, view_id: int) -> bool:
    """Delete one of the owner's views; another agent's view, or one already gone, is left alone (False)."""
    deleted, _rows = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    return bool(deleted)
