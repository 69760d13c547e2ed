"""Reads of cases, each taking the acting user so access control stays in one place."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from amends.accounts.models import User
from amends.core.tallies import tally_totals
from amends.outbox.models import OutboxMessage
from amends.triage.models import CaseTriage

from . import keyset
from .lifecycle import OPEN
from .models import Case, CaseEvent, Message, SavedView
from .references import parse_reference
from .search import RankedCases, SearchOutcome, case_search, in_rank_order


@dataclass
class InboxFilters:
    status: str = ""
    team: str = ""
    assignee: str = ""
    language: str = ""
    channel: str = ""
    review: str = ""
    brand: str = ""
    breached: str = ""
    opened_from: date | str = ""
    opened_to: date | str = ""
    q: str = ""


def _visible(actor: User) -> QuerySet[Case]:
    if not actor.is_active:
        return Case.objects.none()
    # Every agent may read every case: a complaint must not wait for its one owner to come back from holiday.
    return Case.objects.all()


def case_get(*, actor: User, public_id: uuid.UUID | str) -> Case:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404("no such case") from None
    case = _visible(actor).select_related("customer", "brand", "team", "assignee").filter(public_id=key).first()
    if case is None:
        raise Http404("no such case")
    return case


def case_by_reference(*, actor: User, reference: str) -> Case | None:
    """The case with this reference (as the customer and agents quote it), if the actor may see it."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return _visible(actor).select_related("customer", "brand", "team", "assignee").filter(reference=parsed).first()


# Missed targets first, then priority, then the nearest deadline, then the newest.
INBOX_ORDER = ("-breached", "priority", F("next_due_at").asc(nulls_last=True), "-created_at", "-id")


@dataclass
class Inbox:
    cases: QuerySet[Case] | RankedCases  # a search's results are RankedCases: best first, read a page at a time
    search: SearchOutcome | None = None  # when the filters have a search: its ranking, words and notice


def inbox(*, actor: User, filters: InboxFilters) -> QuerySet[Case]:
    """Open cases first by urgency: missed targets, then priority, then the nearest deadline; a search's
    results best first instead."""
    found = inbox_search(actor=actor, filters=filters)
    if isinstance(found.cases, RankedCases):
        return in_rank_order(found.cases.cases, found.cases.ids)
    return found.cases


def inbox_page(*, actor: User, filters: InboxFilters, cursor: str | None, size: int) -> keyset.Page:
    """One page of the inbox at `cursor`, read by keyset (see keyset.py), for filters without a word search.
    keyset.BadCursor for a cursor this server did not give out."""
    cases, bounded = _inbox_filtered(actor=actor, filters=filters)
    return keyset.inbox_page(cases, cursor=cursor, size=size, bounded=bounded)


def is_word_search(q: str) -> bool:
    """A search for words (ranked by relevance), not a lookup of one handle that the inbox pages in its order."""
    q = q.strip()
    return bool(q) and not (q.startswith("@") and " " not in q and len(q) > 1)


def inbox_search(*, actor: User, filters: InboxFilters) -> Inbox:
    """The inbox, and the search in it if the filters have one (see cases/search.py)."""
    cases, _bounded = _inbox_filtered(actor=actor, filters=filters, words=False)
    if is_word_search(filters.q):
        shown = _visible(actor).select_related("customer", "team", "assignee", "triage", "triage__category")
        found = case_search(filters.q, cases=cases)
        # The ids passed the filters already: the page is read by them alone (the filters' indexes would only
        # tempt the planner away from the primary key).
        return Inbox(cases=RankedCases(shown, found.ids), search=found)
    return Inbox(cases=cases.order_by(*INBOX_ORDER))


def _inbox_filtered(*, actor: User, filters: InboxFilters, words: bool = True) -> tuple[QuerySet[Case], bool]:
    """The inbox's cases for `filters`, unordered, and whether the set is bounded by something other than the
    table's size (a search's hits, one handle's cases), so it may be read whole. `words=False` leaves a word
    search to the caller (inbox_search ranks the hits)."""
    cases = _visible(actor).select_related("customer", "team", "assignee", "triage", "triage__category")
    if filters.status == "open" or not filters.status:
        cases = cases.filter(status__in=OPEN)
    elif filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.team:
        cases = cases.filter(team_id=filters.team) if filters.team.isdigit() else cases.none()
    if filters.assignee == "me":
        cases = cases.filter(assignee=actor)
    elif filters.assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        cases = cases.filter(assignee_id=int(filters.assignee))
    if filters.language:
        cases = cases.filter(language=filters.language)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    # Tested per case (EXISTS on the triage row's unique case_id), not joined: a join lets the planner start from
    # the triage index (every case that needs review, 5 % of the table) and sort them all; EXISTS keeps the walk
    # on the inbox index, which stops at the page's end.
    if filters.review == "needs_review":
        cases = cases.filter(Exists(CaseTriage.objects.filter(case_id=OuterRef("pk"), needs_review=True)))
    elif filters.review.isdigit():
        cases = cases.filter(Exists(CaseTriage.objects.filter(case_id=OuterRef("pk"), category_id=int(filters.review))))
    if filters.brand:
        cases = cases.filter(brand_id=int(filters.brand)) if filters.brand.isdigit() else cases.none()
    if filters.breached == "yes":
        cases = cases.filter(breached=True)
    zone = timezone.get_default_timezone()  # days as the dashboard counts them (insights.services.day_bounds)
    if isinstance(filters.opened_from, date):
        cases = cases.filter(created_at__gte=datetime.combine(filters.opened_from, time(), tzinfo=zone))
    if isinstance(filters.opened_to, date):
        end = datetime.combine(filters.opened_to + timedelta(days=1), time(), tzinfo=zone)
        cases = cases.filter(created_at__lt=end)
    handle = filters.q.strip()
    if handle and not is_word_search(handle):
        # A handle on a public platform (@anna_k), as the case page shows it: a lookup, not a word search.
        return cases.filter(customer__handles__handle_key=handle[1:].casefold()), True
    if words and is_word_search(handle):
        return cases.filter(id__in=case_search(handle, cases=cases).ids), True
    return cases, False


def customer_history(*, actor: User, case: Case, limit: int = 20) -> list[Case]:
    """The customer's other cases, newest first, each with `taken_remedy`: the remedy it settled on (the customer's
    choice or an agent's grant, see remedies.models.TAKEN), else None."""
    from amends.remedies.models import TAKEN, Remedy

    cases: list[Case] = list(
        _visible(actor)
        .filter(customer_id=case.customer_id)
        .exclude(pk=case.pk)
        .select_related("assignee")
        .prefetch_related(Prefetch("remedies", queryset=Remedy.objects.filter(state__in=TAKEN), to_attr="taken"))
        .order_by("-created_at")[:limit]
    )
    for other in cases:
        other.taken_remedy = other.taken[0] if other.taken else None  # type: ignore[attr-defined]
    return cases


def customer_case_count(*, actor: User, case: Case) -> int:
    return _visible(actor).filter(customer_id=case.customer_id).exclude(pk=case.pk).count()


def timeline(*, case: Case, public_only: bool = False) -> list[dict[str, Any]]:
    """Messages and events of a case in the order they happened."""
    messages = Message.objects.filter(case=case).select_related("author", "brand").prefetch_related("attachments")
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    if public_only:
        messages = messages.exclude(direction=Message.Direction.NOTE)
        events = events.filter(public=True)
    entries = chain(
        ({"type": "message", "at": m.created_at, "item": m} for m in messages),
        ({"type": "event", "at": e.created_at, "item": e} for e in events),
    )
    return sorted(entries, key=lambda entry: (entry["at"], entry["type"] == "event"))


def cases_for_bulk(*, actor: User, public_ids: list[str]) -> list[Case]:
    """The cases a bulk action names that the actor may see, in the order named; unknown ids are left out."""
    keys = []
    for value in public_ids:
        try:
            keys.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    found = {
        c.public_id: c
        for c in _visible(actor).select_related("customer", "team", "assignee").filter(public_id__in=keys)
    }
    return [found[k] for k in dict.fromkeys(keys) if k in found]


def saved_views(*, actor: User) -> QuerySet[SavedView]:
    return SavedView.objects.filter(owner=actor)


def public_reply_deliveries(*, case: Case) -> dict[str, list[OutboxMessage]]:
    """For a public-thread case: each public reply's hand-overs to the connector(s), by the reply's public id."""
    if case.channel != "public_thread":
        return {}
    rows = OutboxMessage.objects.filter(case=case, kind=OutboxMessage.Kind.WEBHOOK, subject="public_reply.requested")
    deliveries: dict[str, list[OutboxMessage]] = {}
    for row in rows.order_by("id"):
        deliveries.setdefault(str(row.headers.get("message", "")), []).append(row)
    return deliveries


def case_counts() -> dict[str, int]:
    """Cases in each status, from the kept count (core.tallies): no request counts the cases table."""
    return tally_totals("case.status")
