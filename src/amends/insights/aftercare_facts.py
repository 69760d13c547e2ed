"""What the aftercare app and the shop's orders say about a case, for the rollups (services.day_facts).

- Satisfaction and recommendation: the case's latest answered follow-up survey (aftercare.Survey).
- Recurrence: the case matched a root cause whose corrective action was done (aftercare.Recurrence).
- Retained revenue: the orders the complainant placed after this complaint and before their next one (so a
  customer who complained twice is not counted twice), in the home currency at the managers' rate of the order's
  day; an order in a currency without a rate is left out rather than guessed (remedies.money.RateTable).

Surveys and recurrences write a case event (SURVEY_ANSWERED, RECURRENCE), so the refresh sees them on the case
timeline; orders do not belong to a case, so the refresh follows them by their own watermark (changed_cases).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from amends.aftercare.models import Recurrence, Survey
from amends.cases.models import Case
from amends.customers.models import Order
from amends.remedies.money import MissingRate, Money, MoneyError
from amends.remedies.selectors import rate_table

from .models import RollupWatermark

ORDERS_MARGIN = 2_000  # as services.WATERMARK_MARGIN: ids taken by transactions that commit late
ORDERS_PER_REFRESH = 50_000


def for_cases(*, start: datetime, end: datetime) -> dict[int, dict[str, Any]]:
    facts: dict[int, dict[str, Any]] = defaultdict(dict)
    answered = (
        Survey.objects.filter(case__created_at__gte=start, case__created_at__lt=end, state=Survey.State.ANSWERED)
        .order_by("answered_at", "id")
        .values_list("case_id", "satisfaction", "recommend")
    )
    for case_id, satisfaction, recommend in answered:  # the latest answer of a case wins
        facts[case_id]["satisfaction"] = satisfaction
        facts[case_id]["recommendation"] = recommend
    recurred = Recurrence.objects.filter(case__created_at__gte=start, case__created_at__lt=end)
    for case_id in recurred.values_list("case_id", flat=True):
        facts[case_id]["recurrence"] = True
    for case_id, revenue in _retained(start=start, end=end).items():
        facts[case_id]["retained"] = True
        facts[case_id]["retained_revenue"] = revenue
    return dict(facts)


def _retained(*, start: datetime, end: datetime) -> dict[int, Decimal]:
    """Per case of the day with orders after it: what its customer spent between it and their next complaint."""
    day_cases = list(
        Case.objects.filter(created_at__gte=start, created_at__lt=end).values_list("customer_id", flat=True)
    )
    customers = set(day_cases)
    if not customers:
        return {}
    orders = list(
        Order.objects.filter(customer_id__in=customers, placed_at__gte=start)
        .order_by()
        .values_list("customer_id", "placed_at", "value", "currency")
    )
    if not orders:
        return {}
    # Every complaint of these customers from the day on: an order belongs to the latest one before it.
    complaints: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for case_id, customer_id, created in (
        Case.objects.filter(customer_id__in=customers, created_at__gte=start)
        .order_by("created_at", "id")
        .values_list("id", "customer_id", "created_at")
    ):
        complaints[customer_id].append((created, case_id))
    rates = rate_table()
    out: dict[int, Decimal] = defaultdict(Decimal)
    for customer_id, placed_at, value, currency in orders:
        theirs = complaints[customer_id]
        position = bisect_right([c[0] for c in theirs], placed_at)
        if position == 0:
            continue  # before their first complaint of the day
        created, case_id = theirs[position - 1]
        if not start <= created < end:
            continue  # it belongs to a later complaint, counted on that complaint's day
        try:
            home = rates.to_home(Money.of(value, currency), timezone.localdate(placed_at)).value
        except (MissingRate, MoneyError):
            continue
        out[case_id] += home.amount
    return dict(out)


def changed_cases() -> set[int]:
    """Cases whose retained revenue new orders changed: every case of the customers who ordered since the last
    refresh. Advances the orders' watermark (the caller holds the refresh's transaction)."""
    mark, _ = RollupWatermark.objects.select_for_update().get_or_create(name="orders")
    rows = list(
        Order.objects.filter(id__gt=max(0, mark.last_id - ORDERS_MARGIN))
        .order_by("id")
        .values_list("id", "customer_id")[:ORDERS_PER_REFRESH]
    )
    if not rows:
        return set()
    customers = {customer for _id, customer in rows}
    mark.last_id = max(mark.last_id, rows[-1][0])
    mark.refreshed_at = timezone.now()
    mark.save(update_fields=["last_id", "refreshed_at"])
    return set(Case.objects.filter(customer_id__in=customers).values_list("id", flat=True))


def watermarks_to_now() -> None:
    last = Order.objects.order_by("-id").values_list("id", flat=True).first() or 0
    RollupWatermark.objects.update_or_create(name="orders", defaults={"last_id": last, "refreshed_at": timezone.now()})
