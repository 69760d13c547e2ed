"""Writes of the rollups: a day rebuilt from its cases, the refresh that follows the case timeline, a rebuild.

How fresh the figures are: the worker runs `rollups_refresh` every minute (core worker PERIODIC). It reads the
case timeline (CaseEvent, which every change of a case writes: opened, triage corrected, assigned, replied,
breached, resolved, remedy granted …) past its watermark and rebuilds the days on which the touched cases were
opened. So the dashboard is at most about a minute behind the cases, plus the time one refresh takes; the page
says when the figures were last refreshed. `manage.py insights_rebuild` recomputes every day from scratch.

Why refresh rather than increment in each service: a case's figures change through a dozen services of other
apps (and through corrections that move a case from one category to another); recomputing the whole opening day
of a touched case from the cases themselves cannot drift, is idempotent, and keeps those apps free of
dashboard code. A day holds a few thousand cases at a million a year, so a rebuild of a day is one bounded query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from amends.cases.lifecycle import Status
from amends.cases.models import Case, CaseEvent
from amends.remedies.lifecycle import State as RemedyState
from amends.remedies.models import Remedy

from . import aftercare_facts
from .models import DailyCaseStat, MonthlyCaseStat, RollupWatermark
from .rollup import CaseFacts, rollup

# Event ids are handed out before commit: a transaction that took a lower id may commit after the refresh read
# past it. Re-reading this many ids behind the watermark covers every transaction open at the time.
WATERMARK_MARGIN = 2_000
EVENTS_PER_BATCH = 20_000
_GRANTED = (RemedyState.GRANTED.value, RemedyState.FULFILLED.value)
_RESOLVED = (Status.RESOLVED.value, Status.CLOSED.value)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day's start and the next day's, in the site's time zone (settings.TIME_ZONE)."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def opening_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else (later - earlier).total_seconds()


def day_facts(day: date) -> list[CaseFacts]:
    """The facts of every case opened on `day`: three bounded queries, whatever the size of the case table."""
    start, end = day_bounds(day)
    cases = list(
        Case.objects.filter(created_at__gte=start, created_at__lt=end).values(
            "id",
            "brand_id",
            "channel",
            "team_id",
            "language",
            "assignee_id",
            "status",
            "breached",
            "created_at",
            "first_offer_at",
            "first_responded_at",
            "triage__category_id",
            "triage__severity",
        )
    )
    granted: dict[int, list[tuple[datetime, str, Decimal]]] = {}
    remedies = Remedy.objects.filter(
        case__created_at__gte=start, case__created_at__lt=end, state__in=_GRANTED
    ).values_list("case_id", "granted_at", "kind", "home_amount")
    for case_id, granted_at, kind, amount in remedies:
        granted.setdefault(case_id, []).append((granted_at or end, kind, amount or Decimal(0)))
    after = aftercare_facts.for_cases(start=start, end=end)
    facts = []
    for c in cases:
        taken = sorted(granted.get(c["id"], []))
        extra = after.get(c["id"], {})
        facts.append(
            CaseFacts(
                category=_key(c["triage__category_id"]),
                brand=_key(c["brand_id"]) or "",
                channel=c["channel"],
                team=_key(c["team_id"]),
                language=c["language"],
                agent=_key(c["assignee_id"]),
                remedy_kind=taken[0][1] if taken else None,
                severity=c["triage__severity"],
                resolved=c["status"] in _RESOLVED,
                breached=c["breached"],
                offer_seconds=_seconds(c["first_offer_at"], c["created_at"]),
                response_seconds=_seconds(c["first_responded_at"], c["created_at"]),
                remedies_granted=len(taken),
                remedy_cost=sum((t[2] for t in taken), Decimal(0)),
                **extra,
            )
        )
    return facts


def _key(value: int | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def rollup_day_rebuild(*, day: date, month: bool = True) -> int:
    """Replace the rows of `day` with ones computed from its cases, and its month's sums (unless the caller will
    do the month once for many days). Returns how many rows the day now has."""
    rows = rollup(day_facts(day))
    DailyCaseStat.objects.filter(day=day).delete()
    DailyCaseStat.objects.bulk_create(
        DailyCaseStat(day=day, dimension=dimension, key=key, **row.as_fields())
        for (dimension, key), row in rows.items()
    )
    if month:
        rollup_month_rebuild(month=day.replace(day=1))
    return len(rows)


_FIGURES = [f.name for f in DailyCaseStat._meta.get_fields() if f.name not in ("id", "day", "dimension", "key")]


@transaction.atomic
def rollup_month_rebuild(*, month: date) -> int:
    """Replace a month's sums with the sum of its daily rows (a few thousand rows: one bounded query)."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    sums = (
        DailyCaseStat.objects.filter(day__gte=first, day__lt=following)
        .values("dimension", "key")
        .annotate(**{name: Sum(name) for name in _FIGURES})
        .order_by()
    )
    rows = [MonthlyCaseStat(month=first, **row) for row in sums]
    MonthlyCaseStat.objects.filter(month=first).delete()
    MonthlyCaseStat.objects.bulk_create(rows)
    return len(rows)


def rollups_rebuild(*, start: date | None = None, end: date | None = None) -> int:
    """Recompute every day from the first case (or `start`) to today (or `end`); rows of days outside the cases
    are removed. One transaction per day, so the dashboard keeps answering during a rebuild. Returns days done."""
    first = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    today = timezone.localdate()
    start = start or (opening_day(first) if first else today)
    end = end or today
    if start == (opening_day(first) if first else today) and end == today:
        DailyCaseStat.objects.exclude(day__range=(start, end)).delete()
        MonthlyCaseStat.objects.exclude(month__range=(start.replace(day=1), end)).delete()
    _watermark_to_now()
    done = 0
    day = start
    while day <= end:
        rollup_day_rebuild(day=day, month=False)
        if day == end or (day + timedelta(days=1)).day == 1:
            rollup_month_rebuild(month=day)
        done += 1
        day += timedelta(days=1)
    return done


def _watermark_to_now() -> None:
    """A full rebuild reads every case, so the refresh can start from the newest event (minus the margin)."""
    last = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    RollupWatermark.objects.update_or_create(
        name="case_events", defaults={"last_id": last, "refreshed_at": timezone.now()}
    )
    aftercare_facts.watermarks_to_now()


def _days_of(case_ids: Iterable[int]) -> set[date]:
    ids = list(case_ids)
    days: set[date] = set()
    for i in range(0, len(ids), 5_000):
        for created in Case.objects.filter(id__in=ids[i : i + 5_000]).values_list("created_at", flat=True):
            days.add(opening_day(created))
    return days


def rollups_refresh() -> int:
    """Rebuild the days of every case changed since the last refresh. Returns how many days were rebuilt.

    Safe to run twice at once: the watermark row is locked for the run, so a second run waits and then finds
    little left to do."""
    with transaction.atomic():
        mark, _ = RollupWatermark.objects.select_for_update().get_or_create(name="case_events")
        changed: set[int] = set()
        last = mark.last_id
        since = max(0, last - WATERMARK_MARGIN)
        while True:
            batch = list(
                CaseEvent.objects.filter(id__gt=since).order_by("id").values_list("id", "case_id")[:EVENTS_PER_BATCH]
            )
            changed.update(case_id for _id, case_id in batch)
            if len(batch) < EVENTS_PER_BATCH:
                last = max(last, batch[-1][0]) if batch else last
                break
            since = last = batch[-1][0]
        changed |= aftercare_facts.changed_cases()
        days = _days_of(changed)
        for day in sorted(days):
            rollup_day_rebuild(day=day, month=False)
        for month in sorted({day.replace(day=1) for day in days}):
            rollup_month_rebuild(month=month)
        mark.last_id = max(mark.last_id, last)
        mark.refreshed_at = timezone.now()
        mark.save(update_fields=["last_id", "refreshed_at"])
    return len(days)
