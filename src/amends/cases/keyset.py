"""Keyset (cursor) paging of the inbox: page 1,000 costs what page 1 does, on any filter.

The inbox order is `breached DESC, priority, next_due_at NULLS LAST, created_at DESC, id DESC`. Its directions are
mixed, so "the rows after this one" is not a single range of any index, and a query with the OR of all the cases
makes the database walk the index from its start. Instead the rows after a position are cut into slices that each
*are* one range of the index (breached, priority, next_due_at, created_at DESC, id DESC):

- breached and priority take few values (2 × 4), and next_due_at is either set or not: 16 groups, each one
  equality prefix of the index (`next_due_at IS NULL` is an equality for the index too);
- inside a group, the rows after a tuple (d, c, i) are: same d and c with a smaller id, then same d with an older
  created_at, then a later d: three seeks, each an equality prefix and one range.

The slices are read in order, each with LIMIT of what is still missing, until the page is full: a page costs a
few index probes wherever it is. Backwards ("previous") is the same with every direction turned round.

A cursor is the sort tuple of the row a page ends (or starts) at, signed, so a forged one is told apart from a
real one; a real one whose row has since moved still names a position in the order, which is all paging needs.
"""

import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import F, Q, QuerySet

from .lifecycle import Priority
from .models import Case

BREACHED = (True, False)  # breached DESC
PRIORITIES = tuple(int(p) for p in sorted(Priority))  # priority ASC
SALT = "amends.cases.inbox-cursor"
VERSION = 1


class BadCursor(ValueError):
    """A cursor this server did not give out (forged, cut, from another version): the caller shows page 1."""


@dataclass(frozen=True)
class Position:
    """Where a row stands in the inbox order."""

    breached: bool
    priority: int
    next_due_at: datetime | None
    created_at: datetime
    id: int

    @classmethod
    def of(cls, case: Case) -> "Position":
        return cls(bool(case.breached), int(case.priority), case.next_due_at, case.created_at, int(case.pk))

    def sort_key(self) -> tuple:
        """The inbox order as a Python key, for sorting a bounded set of rows the same way the database does."""
        due = self.next_due_at
        due_key = _micros(due) if due else 0
        return (not self.breached, self.priority, due is None, due_key, -_micros(self.created_at), -self.id)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def encode(position: Position, *, backwards: bool = False) -> str:
    due = position.next_due_at.isoformat() if position.next_due_at else None
    payload = [VERSION, int(backwards), int(position.breached), position.priority, due]
    payload += [position.created_at.isoformat(), position.id]
    return signing.dumps(payload, salt=SALT, compress=False)


def decode(token: str) -> tuple[Position, bool]:
    """The position and direction a cursor stands for; BadCursor for anything else."""
    try:
        payload = signing.loads(token[:400], salt=SALT)
        version, backwards, breached, priority, due, created, pk = payload
        if version != VERSION or priority not in PRIORITIES or breached not in (0, 1) or backwards not in (0, 1):
            raise ValueError(payload)
        if not isinstance(pk, int) or not 0 < pk < 2**63:
            raise ValueError(pk)
        position = Position(
            breached=bool(breached),
            priority=priority,
            next_due_at=_moment(due) if due is not None else None,
            created_at=_moment(created),
            id=pk,
        )
        return position, bool(backwards)
    except (signing.BadSignature, ValueError, TypeError, binascii.Error, json.JSONDecodeError, OverflowError):
        raise BadCursor(token[:40]) from None


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(UTC)


# --- the slices -------------------------------------------------------------------------------------------------

# Inside a group, the columns after the equality prefix and whether each runs descending.
_WITH_DUE = (("next_due_at", False), ("created_at", True), ("id", True))
_NO_DUE = (("created_at", True), ("id", True))
Slice = tuple[Q, list[Any]]


def _groups() -> list[tuple[bool, int, bool]]:
    """(breached, priority, due missing) in inbox order."""
    return [(b, p, missing) for b in BREACHED for p in PRIORITIES for missing in (False, True)]


def _group_q(group: tuple[bool, int, bool]) -> Q:
    breached, priority, missing = group
    return Q(breached=breached, priority=priority, next_due_at__isnull=missing)


def _order(columns: tuple[tuple[str, bool], ...], backwards: bool) -> list[str]:
    return [("-" if descending != backwards else "") + name for name, descending in columns]


def _within(position: Position, backwards: bool) -> Iterator[Slice]:
    """Inside the position's own group: same everything but a further id, then a further created_at, then (for a
    group with a due time) a further due: one equality prefix and one range each."""
    group = (position.breached, position.priority, position.next_due_at is None)
    values = {"next_due_at": position.next_due_at, "created_at": position.created_at, "id": position.id}
    columns = _NO_DUE if group[2] else _WITH_DUE
    for depth in range(len(columns) - 1, -1, -1):
        name, descending = columns[depth]
        lookup = "lt" if descending != backwards else "gt"
        same = {column: values[column] for column, _desc in columns[:depth]}
        yield _group_q(group) & Q(**same, **{f"{name}__{lookup}": values[name]}), _order(columns[depth:], backwards)


def slices(position: Position | None, *, backwards: bool = False) -> Iterator[Slice]:
    """The slices of the inbox order after `position` (before it, `backwards`), nearest first: the 16 groups, each
    read in an order every database's index gives (SQLite puts NULLs first in an index, so a group never mixes a
    due time and none)."""
    groups = _groups()
    if position is None:
        start = len(groups) if backwards else -1
    else:
        start = groups.index((position.breached, position.priority, position.next_due_at is None))
        yield from _within(position, backwards)
    step = -1 if backwards else 1
    index = start + step
    while 0 <= index < len(groups):
        group = groups[index]
        yield _group_q(group), _order(_NO_DUE if group[2] else _WITH_DUE, backwards)
        index += step


def _rest(backwards: bool) -> list[Any]:
    """Priority, due (none last), created_at DESC, id DESC: the index's order after `breached`, on PostgreSQL,
    whose index keeps NULLs last as the inbox does."""
    if backwards:
        return ["-priority", F("next_due_at").desc(nulls_first=True), "created_at", "id"]
    return ["priority", F("next_due_at").asc(nulls_last=True), "-created_at", "-id"]


def coarse_slices(position: Position | None, *, backwards: bool = False) -> Iterator[Slice]:
    """The same slices for PostgreSQL, fewer and wider: its index orders NULLs as the inbox does, so the rest of a
    breached value (priority, due, created_at, id) is one range. Page 1 is one query (two when the missed cases do
    not fill it); any other page at most six."""
    # Every slice is ordered by the whole rest of the index, even by columns it holds equal: PostgreSQL does not
    # count `next_due_at IS NULL` as making the column constant, and would otherwise sort, or walk another index.
    rest = _rest(backwards)
    order = list(BREACHED[::-1] if backwards else BREACHED)
    if position is None:
        for breached in order:
            yield Q(breached=breached), rest
        return
    for where, _order_within in _within(position, backwards):
        yield where, rest
    same = Q(breached=position.breached, priority=position.priority)
    if position.next_due_at is not None and not backwards:
        yield same & Q(next_due_at__isnull=True), rest
    elif position.next_due_at is None and backwards:
        yield same & Q(next_due_at__isnull=False), rest
    further = "lt" if backwards else "gt"
    yield Q(breached=position.breached, **{f"priority__{further}": position.priority}), rest
    for breached in order[order.index(position.breached) + 1 :]:
        yield Q(breached=breached), rest


def page_by_slices(cases: QuerySet[Case], position: Position | None, *, backwards: bool, size: int) -> list[Case]:
    """Up to `size` rows after (before) `position`, nearest first, reading slice by slice."""
    found: list[Case] = []
    cut = coarse_slices if connection.vendor == "postgresql" else slices
    for where, order in cut(position, backwards=backwards):
        found += cases.filter(where).order_by(*order)[: size - len(found)]
        if len(found) >= size:
            break
    return found


def page_of_few(cases: QuerySet[Case], position: Position | None, *, backwards: bool, size: int) -> list[Case]:
    """The same page for a set known to be small (a search's hits, one customer's cases): its sort tuples read
    whole and ordered in Python, then the page's rows by id. What it costs grows with the set, which the caller
    bounds, not with the table."""
    fields = ("breached", "priority", "next_due_at", "created_at", "id")
    keys = sorted(
        (Position(bool(b), int(p), d, c, int(i)).sort_key() for b, p, d, c, i in cases.values_list(*fields)),
        reverse=backwards,
    )
    if position is not None:
        mark = position.sort_key()
        keys = [k for k in keys if (k < mark if backwards else k > mark)]
    ids = [-k[-1] for k in keys[:size]]
    found = {case.pk: case for case in cases.filter(id__in=ids)} if ids else {}
    return [found[i] for i in ids if i in found]


@dataclass
class Page:
    rows: list[Case]
    next_cursor: str | None
    previous_cursor: str | None


def inbox_page(cases: QuerySet[Case], *, cursor: str | None, size: int, bounded: bool = False) -> Page:
    """One page of the inbox at `cursor` (None: the first page), with the cursors of the pages either side.
    BadCursor if the cursor is not one this server gave out."""
    position, backwards = decode(cursor) if cursor else (None, False)
    read = page_of_few if bounded else page_by_slices
    rows = read(cases, position, backwards=backwards, size=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        if not more:  # back at the start (or before it): the first page, whole
            return inbox_page(cases, cursor=None, size=size, bounded=bounded)
        rows.reverse()
        has_next, has_previous = True, True
    else:
        has_next, has_previous = more, position is not None
    if not rows:  # past the end (the rows after a stale cursor left the filter): offer the way back
        back = encode(position, backwards=True) if position is not None else None
        return Page(rows=[], next_cursor=None, previous_cursor=back)
    return Page(
        rows=rows,
        next_cursor=encode(Position.of(rows[-1])) if has_next else None,
        previous_cursor=encode(Position.of(rows[0]), backwards=True) if has_previous else None,
    )
