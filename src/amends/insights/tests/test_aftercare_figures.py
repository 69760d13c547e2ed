"""Satisfaction, recurrences and retained revenue in the rollups, from aftercare's records and the shop's orders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amends.accounts.models import Team
from amends.aftercare.models import CorrectiveAction, Recurrence, RootCause, RootCauseCategory, Survey
from amends.cases.models import Case
from amends.conftest import open_case
from amends.customers.models import Order
from amends.insights.models import DailyCaseStat
from amends.insights.period import Period
from amends.insights.services import rollup_day_rebuild, rollups_refresh
from amends.insights.tables import table


def stat(dimension: str = "all", key: str = "") -> DailyCaseStat:
    return DailyCaseStat.objects.get(dimension=dimension, key=key, day=timezone.localdate())


def answered(case: Case, satisfaction: int, recommend: int) -> Survey:
    now = timezone.now()
    return Survey.objects.create(
        case=case,
        resolved_at=now,
        language="en",
        state=Survey.State.ANSWERED,
        due_at=now,
        answered_at=now,
        satisfaction=satisfaction,
        recommend=recommend,
        created_at=now,
    )


def recurred(case: Case, earlier: Case) -> Recurrence:
    now = timezone.now()
    cause = RootCause.objects.create(
        category=RootCauseCategory.objects.get_or_create(slug="logistics", defaults={"name": "Logistics"})[0],
        text="The courier lost parcels at the hub.",
        case=earlier,
        created_at=now,
    )
    CorrectiveAction.objects.create(
        root_cause=cause,
        what="New courier for the hub",
        team=Team.objects.get_or_create(name="Fulfilment")[0],
        due_date=timezone.localdate(),
        status="done",
        done_at=now,
        created_at=now,
        updated_at=now,
    )
    return Recurrence.objects.create(root_cause=cause, case=case, matched_on="entities", created_at=now)


@pytest.mark.django_db
def test_surveys_and_recurrences_are_counted_with_their_case():
    first = open_case(email="a@example.com").case
    second = open_case(email="b@example.com").case
    third = open_case(email="c@example.com").case
    answered(first, 5, 10)
    answered(second, 2, 3)
    recurred(third, first)
    rollup_day_rebuild(day=timezone.localdate())
    row = stat()
    assert (row.surveys, row.satisfaction_sum, row.recommend_answers) == (2, 7, 2)
    assert (row.promoters, row.detractors) == (1, 1)
    assert row.recurrences == 1
    period = Period(timezone.localdate(), timezone.localdate())
    found = table("satisfaction", period, sat_by="team")
    assert found is not None and found.rows[0][1:] == [2, 3.5, 2, 0]  # NPS (1 − 1) / 2 = 0
    recurrences = table("recurrences", period)
    assert recurrences is not None and sum(r[1] for r in recurrences.rows) == 1


@pytest.mark.django_db
def test_orders_after_a_complaint_are_retained_revenue_and_the_refresh_follows_them():
    case = open_case(email="olga@example.com").case
    rollups_refresh()
    assert stat().retained_customers == 0
    now = timezone.now()
    customer = case.customer
    Order.objects.create(
        customer=customer,
        external_id="before",
        placed_at=case.created_at - timedelta(days=2),
        value=Decimal("99"),
        currency="EUR",
        created_at=now,
    )
    Order.objects.create(
        customer=customer,
        external_id="after-1",
        placed_at=now + timedelta(minutes=1),
        value=Decimal("40.50"),
        currency="EUR",
        created_at=now,
    )
    Order.objects.create(
        customer=customer,
        external_id="after-2",
        placed_at=now + timedelta(minutes=2),
        value=Decimal("9.50"),
        currency="EUR",
        created_at=now,
    )
    # An order in a currency the managers gave no rate for is left out rather than guessed.
    Order.objects.create(
        customer=customer,
        external_id="after-3",
        placed_at=now + timedelta(minutes=3),
        value=Decimal("1000"),
        currency="JPY",
        created_at=now,
    )
    rollups_refresh()  # no case changed: the orders' own watermark brings the case's day back
    assert stat().retained_customers == 1
    assert stat().retained_revenue == Decimal("50.00")


@pytest.mark.django_db
def test_a_second_complaint_takes_the_orders_after_it():
    first = open_case(email="olga@example.com").case
    second = open_case(email="olga@example.com", description="And now the replacement is broken too.").case
    Case.objects.filter(pk=first.pk).update(created_at=second.created_at - timedelta(seconds=30))
    now = timezone.now()
    Order.objects.create(
        customer=second.customer,
        external_id="o1",
        placed_at=now + timedelta(minutes=1),
        value=Decimal("20"),
        currency="EUR",
        created_at=now,
    )
    rollup_day_rebuild(day=timezone.localdate())
    assert stat().retained_customers == 1 and stat().retained_revenue == Decimal("20.00")  # once, not twice
