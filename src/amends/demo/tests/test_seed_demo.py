"""The demo shop's dates: relative to the day it is loaded, and moved to today when it runs again later."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from amends.accounts.models import User
from amends.cases.lifecycle import OPEN
from amends.cases.models import Case

pytestmark = pytest.mark.django_db


def overdue(now):  # type: ignore[no-untyped-def]
    return Case.objects.filter(status__in=OPEN, next_due_at__lt=now)


def test_the_demo_opens_on_an_inbox_a_team_could_have_and_stays_so_on_a_later_day():
    call_command("seed_demo", cases=40, seed=7)
    now = timezone.now()
    open_cases = Case.objects.filter(status__in=OPEN)
    assert open_cases.count() >= 10
    # Unanswered demo cases are hours old, not weeks: only a few have missed a target on the day of loading.
    assert overdue(now).count() <= open_cases.count() // 4
    unanswered = Case.objects.filter(first_responded_at__isnull=True)
    assert all(now - c.created_at < timedelta(days=2) for c in unanswered)
    before = {c.pk: (c.created_at, c.next_due_at) for c in Case.objects.all()}

    # A month passes: every demo deadline has gone by. Running the command again moves the demo to today.
    month = timedelta(days=30)
    for case in Case.objects.all():
        Case.objects.filter(pk=case.pk).update(
            created_at=case.created_at - month,
            first_response_due_at=case.first_response_due_at - month,
            resolution_due_at=case.resolution_due_at - month,
            next_due_at=case.next_due_at - month if case.next_due_at else None,
            breached=bool(case.next_due_at),
        )
    User.objects.filter(username="agent").update(date_joined=timezone.now() - month)
    assert overdue(timezone.now()).count() == Case.objects.filter(status__in=OPEN, next_due_at__isnull=False).count()
    call_command("seed_demo")
    assert overdue(timezone.now()).count() <= open_cases.count() // 4
    for case in Case.objects.all():
        created, _due = before[case.pk]
        assert abs(case.created_at - created) < timedelta(minutes=5)
        assert case.breached == bool(case.next_due_at and case.next_due_at < timezone.now())
    # The dashboard counts the moved cases on their new days, not on the days a month ago.
    assert dashboard_days() == case_days()


def case_days():  # type: ignore[no-untyped-def]
    from collections import Counter

    from amends.insights.services import opening_day

    return dict(Counter(opening_day(c) for c in Case.objects.values_list("created_at", flat=True)))


def dashboard_days():  # type: ignore[no-untyped-def]
    from amends.insights.models import DailyCaseStat

    return {
        row["day"]: row["total"]
        for row in DailyCaseStat.objects.filter(dimension="all")
        .values("day")
        .annotate(total=Sum("opened"))
        .filter(total__gt=0)
    }


def test_the_demo_dashboard_shows_the_demo_without_waiting_for_the_worker():
    call_command("seed_demo", cases=30, seed=3)
    assert dashboard_days() == case_days()
    assert sum(dashboard_days().values()) == 30


def test_a_case_opened_after_the_demo_keeps_its_times():
    from amends.conftest import open_case
    from amends.demo.management.commands.seed_demo import demo_shift_to_today

    case = open_case(email="real@customer.example").case
    assert demo_shift_to_today(loaded_at=timezone.now() - timedelta(days=3)) == 0
    created = case.created_at
    case.refresh_from_db()
    assert case.created_at == created
