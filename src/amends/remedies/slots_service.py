"""The team's appointment calendar: slots added one by one or as a repeating series, free ones removed, the next
free ones offered with an appointment remedy, and one booked, atomically, when the customer picks a time.

Booking counts `booked` up by a conditional UPDATE (`booked < capacity`), which the database runs one at a time
per row: two customers choosing the last place of a slot at the same moment cannot both get it, and the loser
is told so and shown the times still free."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from amends.accounts.models import Team, User

from .catalogue import DEFAULT_SLOTS
from .models import AppointmentSlot, Remedy, SlotBooking
from .slots import MAX_CAPACITY, Series, SeriesError, expand


class SlotError(Exception):
    """A slot that cannot be added, removed or booked; `message` is in the caller's language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- who keeps which calendar ------------------------------------------------------------------------------


def calendar_teams(*, actor: User) -> list[Team]:
    """The teams whose calendar the actor keeps: a manager every team's, anyone else their own team's."""
    if not actor.is_active:
        return []
    if actor.is_manager:
        return list(Team.objects.order_by("name"))
    return list(Team.objects.filter(pk=actor.team_id)) if actor.team_id else []


def _check_keeper(actor: User, team: Team) -> None:
    if not any(t.pk == team.pk for t in calendar_teams(actor=actor)):
        raise SlotError("not_yours", _("You can only change your own team's calendar."))


def team_slots(*, team: Team, since: datetime | None = None, limit: int = 500) -> QuerySet[AppointmentSlot]:
    return AppointmentSlot.objects.filter(team=team, ends_at__gt=since or timezone.now()).order_by("starts_at")[:limit]


# -- adding and removing -----------------------------------------------------------------------------------


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise SlotError("capacity", _("A slot takes from 1 to %(max)s customers.") % {"max": MAX_CAPACITY})


def slot_add(
    *, actor: User, team: Team, starts_at: datetime, ends_at: datetime, capacity: int = 1, at: datetime | None = None
) -> AppointmentSlot:
    """One slot. Refused: in the past, ending before it starts, an absurd capacity, a start the team has already."""
    now = at or timezone.now()
    _check_keeper(actor, team)
    _check_capacity(capacity)
    if starts_at <= now:
        raise SlotError("past", _("The slot must start in the future."))
    if ends_at <= starts_at:
        raise SlotError("ends_before", _("The slot must end after it starts."))
    try:
        with transaction.atomic():
            return AppointmentSlot.objects.create(
                public_id=uuid.uuid4(),
                team=team,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        raise SlotError("exists", _("The team already has a slot starting at that time.")) from None


_SERIES_WORDS = {
    "before_first": lambda: _("The last day is before the first."),
    "too_long": lambda: _("A series covers at most three months; add another one after it."),
    "none": lambda: _("Choose at least one day of the week."),
    "range": lambda: _("A slot lasts from 5 minutes to 8 hours."),
    "before_start": lambda: _("The day must end after it starts."),
    "too_many": lambda: _("That would be more than 2,000 slots; make the series shorter or the slots longer."),
}


@transaction.atomic
def slot_series_add(
    *, actor: User, team: Team, series: Series, tz: tzinfo, capacity: int = 1, at: datetime | None = None
) -> int:
    """Every slot of a repeating series, in the team's wall-clock time; times already past and starts the team
    has already are skipped. Returns how many were added."""
    now = at or timezone.now()
    _check_keeper(actor, team)
    _check_capacity(capacity)
    try:
        times = [(start, end) for start, end in expand(series, tz) if start > now]
    except SeriesError as error:
        raise SlotError(error.code, _SERIES_WORDS[error.code]()) from None
    existing = set(
        AppointmentSlot.objects.filter(team=team, starts_at__in=[start for start, _end in times]).values_list(
            "starts_at", flat=True
        )
    )
    new = [
        AppointmentSlot(
            public_id=uuid.uuid4(),
            team=team,
            starts_at=start,
            ends_at=end,
            capacity=capacity,
            created_by=actor,
            created_at=now,
        )
        for start, end in times
        if start not in existing
    ]
    AppointmentSlot.objects.bulk_create(new, batch_size=500)
    return len(new)


def slot_remove(*, actor: User, slot: AppointmentSlot) -> None:
    """A free slot leaves the calendar; one a customer has booked stays (their appointment is a promise)."""
    _check_keeper(actor, slot.team)
    deleted, _rows = AppointmentSlot.objects.filter(pk=slot.pk, booked=0).delete()
    if not deleted:
        raise SlotError("booked", _("A customer has booked this slot, so it stays in the calendar."))


# -- offering and booking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotChoice:
    public_id: str
    starts_at: datetime
    ends_at: datetime


def _free(team_id: int | None, now: datetime) -> QuerySet[AppointmentSlot]:
    slots = AppointmentSlot.objects.filter(starts_at__gt=now, booked__lt=F("capacity"))
    # A case no team owns yet may meet any team that keeps a calendar.
    return (slots.filter(team_id=team_id) if team_id else slots).order_by("starts_at", "id")


def _choice(slot: AppointmentSlot) -> SlotChoice:
    return SlotChoice(str(slot.public_id), slot.starts_at, slot.ends_at)


def slots_offered_details(*, team_id: int | None, count: int | None, now: datetime) -> list[dict[str, str]]:
    """The next `count` free times, as an appointment remedy stores them when it is offered."""
    slots = _free(team_id, now)[: count or DEFAULT_SLOTS]
    return [
        {"id": str(s.public_id), "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()} for s in slots
    ]


def _stored_times(entries: Iterable[Any]) -> list[datetime]:
    found = []
    for entry in entries:
        moment = parse_datetime(str(entry.get("starts_at", ""))) if isinstance(entry, dict) else None
        if moment is not None:
            found.append(moment)
    return found


def offered_times(remedy: Remedy) -> list[datetime]:
    """The times the remedy was offered with (or the one booked), for the words that describe it."""
    details = remedy.details or {}
    booked = details.get("booked_slot")
    if isinstance(booked, dict):
        return _stored_times([booked])
    return _stored_times(details.get("slots_offered") or [])


def slot_choices(*, remedy: Remedy, now: datetime | None = None) -> list[SlotChoice]:
    """The times the customer may pick now: those offered that are still free; when every one of them has gone,
    the team's next free ones, as many as were offered."""
    now = now or timezone.now()
    details = remedy.details or {}
    offered = [str(e.get("id")) for e in details.get("slots_offered") or [] if isinstance(e, dict)]
    team_id = remedy.case.team_id
    still = list(_free(team_id, now).filter(public_id__in=_uuids(offered)))
    if still:
        return [_choice(s) for s in still]
    return [_choice(s) for s in _free(team_id, now)[: len(offered) or details.get("slots") or DEFAULT_SLOTS]]


def _uuids(values: Sequence[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def slot_book(*, remedy: Remedy, slot_id: str, at: datetime) -> AppointmentSlot:
    """Take one place in the slot for this remedy, inside the caller's transaction (the customer's choice). Refused
    with `taken` when someone else took its last place first, `unknown` for a slot that is not this case's team's
    or is past; the caller rolls the choice back."""
    ids = _uuids([slot_id or ""])
    slot = _free(remedy.case.team_id, at).filter(public_id__in=ids).first() if ids else None
    if slot is None:
        if ids and AppointmentSlot.objects.filter(public_id=ids[0], starts_at__gt=at).exists():
            raise SlotError("taken", _("Sorry, someone has just taken that time. Please pick another one."))
        raise SlotError("unknown", _("Please pick one of the times offered."))
    if not AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1):
        raise SlotError("taken", _("Sorry, someone has just taken that time. Please pick another one."))
    SlotBooking.objects.create(slot=slot, remedy=remedy, booked_at=at)
    booked = {"id": str(slot.public_id), "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()}
    remedy.details = {**(remedy.details or {}), "booked_slot": booked}
    Remedy.objects.filter(pk=remedy.pk).update(details=remedy.details)
    remedy.__dict__.pop("_texts", None)  # the words now name the booked time
    return slot


def slot_release(*, remedy: Remedy) -> bool:
    """Give the remedy's place back (its choice was rejected or withdrawn). Returns whether it held one."""
    booking = SlotBooking.objects.filter(remedy=remedy).first()
    if booking is None:
        return False
    AppointmentSlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    booking.delete()
    return True
