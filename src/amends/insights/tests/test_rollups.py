"""The rollups through the real services: built from the cases, and still right after the cases change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from amends.accounts.models import Team
from amends.cases.lifecycle import Status
from amends.cases.models import ActorKind, Case
from amends.cases.services import case_assign, case_transition, cases_flag_breaches
from amends.conftest import open_case
from amends.insights.models import DailyCaseStat
from amends.insights.services import opening_day, rollup_day_rebuild, rollups_rebuild, rollups_refresh
from amends.remedies.models import Remedy
from amends.remedies.services import remedy_grant
from amends.remedies.tests.conftest import limits, proposing_policy  # noqa: F401  (a fixture)
from amends.triage.models import CaseTriage, Category


def stat(dimension: str = "all", key: str = "", day=None) -> DailyCaseStat:  # type: ignore[no-untyped-def]
    return DailyCaseStat.objects.get(dimension=dimension, key=key, day=day or timezone.localdate())


def snapshot() -> set[tuple]:
    fields = [f.name for f in DailyCaseStat._meta.get_fields() if f.name != "id"]
    return set(DailyCaseStat.objects.values_list(*fields))


@pytest.mark.django_db
def test_a_day_is_counted_by_every_dimension():
    open_case(email="a@example.com", language="ru")
    open_case(email="b@example.com", language="en", description="My parcel never arrived, order 1234.")
    rollups_refresh()
    assert stat().opened == 2
    assert stat("language", "ru").opened == 1 and stat("language", "en").opened == 1
    assert stat("channel", "form").opened == 2
    by_category = DailyCaseStat.objects.filter(dimension="category").values_list("opened", flat=True)
    assert sum(by_category) == 2  # each case in exactly one category row
    assert stat("team", "none").opened == 2 and stat("agent", "none").opened == 2
    assert stat().offer_none + sum(getattr(stat(), f"offer_{i}") for i in range(7)) == 2


@pytest.mark.django_db
def test_the_rollups_follow_the_cases_as_they_change(agent_client, agent, manager):
    case = open_case().case
    rollups_refresh()
    assert (stat().opened, stat().resolved, stat().breached) == (1, 0, 0)

    # A category corrected in the console moves the case from one category's row to another's.
    before = CaseTriage.objects.get(case=case).category_id
    target = Category.objects.exclude(pk=before).filter(is_active=True).first()
    agent_client.post(f"/console/cases/{case.public_id}/category/", {"category": target.slug})
    rollups_refresh()
    assert stat("category", str(target.pk)).opened == 1
    assert not DailyCaseStat.objects.filter(dimension="category", key=str(before)).exists()

    # Assigned to a team and an agent.
    team = Team.objects.create(name="Fulfilment")
    case.refresh_from_db()
    case_assign(case=case, actor=manager, team=team, assignee=agent)
    rollups_refresh()
    assert stat("team", str(team.pk)).opened == 1 and stat("agent", str(agent.pk)).opened == 1
    assert not DailyCaseStat.objects.filter(dimension="team", key="none").exists()

    # A missed deadline, flagged by the sweep.
    Case.objects.filter(pk=case.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    assert cases_flag_breaches() == 1
    rollups_refresh()
    assert stat().breached == 1 and stat("team", str(team.pk)).breached == 1

    # Resolved.
    case.refresh_from_db()
    case_transition(case=case, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    rollups_refresh()
    assert stat().resolved == 1


@pytest.mark.django_db
def test_a_granted_remedy_counts_its_cost_and_kind(proposing_policy, agent):  # noqa: F811
    limits(per_case="50")
    case = open_case(order_value="60", order_currency="EUR").case
    credit = Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team").get(
        case=case, kind="store_credit"
    )
    rollups_refresh()
    assert stat().remedies_granted == 0 and stat().offer_none == 1
    assert remedy_grant(actor=agent, remedy=credit).granted
    rollups_refresh()
    assert stat().remedies_granted == 1
    assert stat().remedy_cost == Decimal("30.00")
    assert stat("remedy", "store_credit").opened == 1
    assert stat().offer_none == 0  # granting is an offer: the case left the "not yet" bucket


@pytest.mark.django_db
def test_a_refresh_and_a_rebuild_agree_and_repeating_changes_nothing(agent):
    for i in range(3):
        open_case(email=f"c{i}@example.com", language=["ru", "bg", "sk"][i])
    rollups_refresh()
    refreshed = snapshot()
    assert rollups_refresh() >= 0 and snapshot() == refreshed  # idempotent
    DailyCaseStat.objects.all().delete()
    rollups_rebuild()
    assert snapshot() == refreshed


@pytest.mark.django_db
def test_a_case_is_counted_on_the_day_it_was_opened():
    case = open_case().case
    earlier = timezone.now() - timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(created_at=earlier)
    rollup_day_rebuild(day=opening_day(earlier))
    rollup_day_rebuild(day=timezone.localdate())
    assert stat(day=opening_day(earlier)).opened == 1
    assert not DailyCaseStat.objects.filter(day=timezone.localdate()).exists()


@pytest.mark.django_db
def test_the_rebuild_command_recomputes_and_refuses_a_reversed_range():
    open_case()
    call_command("insights_rebuild")
    assert stat().opened == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="after"):
        call_command("insights_rebuild", start="2026-02-01", end="2026-01-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("insights_rebuild", start="yesterday")
