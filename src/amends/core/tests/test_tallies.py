"""Kept counts (core.tallies) agree with the tables through every kind of change: intake, transitions, reopening,
bulk actions, raw updates and deletes, recategorising, outbox delivery; folding keeps every total."""

import pytest
from django.db.models import Count

from amends.cases.lifecycle import Status
from amends.cases.models import ActorKind, Case
from amends.cases.services import case_customer_verdict, case_transition, cases_bulk_update
from amends.conftest import open_case
from amends.core.models import Tally
from amends.core.tallies import tallies_fold, tally_totals
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_claim, outbox_mark_failed, outbox_mark_sent
from amends.triage.models import CaseTriage

pytestmark = pytest.mark.django_db


def counted(model, column: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = model.objects.values_list(column).annotate(n=Count("id")).order_by()
    return {("" if value is None else str(value)): n for value, n in rows if n}


def assert_kept() -> None:
    assert tally_totals("case.status") == counted(Case, "status")
    assert tally_totals("triage.category") == counted(CaseTriage, "category_id")
    assert tally_totals("outbox.state") == counted(OutboxMessage, "state")


def test_counts_follow_intake_transitions_reopening_and_the_customers_verdict(agent):
    cases = [open_case(email=f"c{n}@example.com").case for n in range(3)]
    assert sum(tally_totals("case.status").values()) == 3
    assert_kept()
    first, second, _third = cases
    case_transition(case=first, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    case_transition(case=second, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    assert_kept()
    case_customer_verdict(case=first, accepted=True)  # closed
    case_customer_verdict(case=second, accepted=False)  # back in progress
    assert_kept()
    case_transition(case=first, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT, actor=agent)  # reopened
    assert_kept()
    assert tally_totals("case.status").get(Status.CLOSED, 0) == 0


def test_counts_follow_bulk_actions_raw_updates_and_deletes(agent):
    cases = [open_case(email=f"b{n}@example.com").case for n in range(4)]
    outcome = cases_bulk_update(actor=agent, case_ids=[str(c.public_id) for c in cases], status=Status.RESOLVED)
    assert len(outcome.changed) == 4
    assert tally_totals("case.status")[Status.RESOLVED] == 4
    assert_kept()
    Case.objects.filter(pk=cases[0].pk).update(status=Status.CLOSED)  # a write no service made is counted too
    Case.objects.filter(pk=cases[1].pk).update(priority=1)  # a change of another column changes no count
    assert_kept()
    CaseTriage.objects.filter(case=cases[2]).update(category=None)
    assert_kept()
    Case.objects.filter(pk=cases[3].pk).delete()
    assert_kept()


def test_outbox_counts_follow_delivery_and_failure():
    open_case(email="o1@example.com")
    open_case(email="o2@example.com")
    assert tally_totals("outbox.state").get("pending", 0) >= 2
    claimed = outbox_claim()
    assert_kept()
    outbox_mark_sent(claimed[0])
    outbox_mark_failed(claimed[1], error="550 no such user", permanent=True)
    assert_kept()
    assert tally_totals("outbox.state")["sent"] >= 1 and tally_totals("outbox.state")["failed"] >= 1


def test_folding_keeps_every_total_and_leaves_one_row_per_value(agent):
    cases = [open_case(email=f"f{n}@example.com").case for n in range(3)]
    for case in cases:
        case_transition(case=case, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    before = {kind: tally_totals(kind) for kind in ("case.status", "triage.category", "outbox.state")}
    rows = Tally.objects.count()
    removed = tallies_fold()
    assert removed > 0 and Tally.objects.count() == rows - removed
    assert {kind: tally_totals(kind) for kind in before} == before
    assert Tally.objects.filter(kind="case.status").count() == len(before["case.status"])
    assert tallies_fold() == 0  # folded already: nothing more to fold
    assert_kept()


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_every_count_is_zero_whatever_order_the_tables_were_emptied_in():
    from django.core.management import call_command

    for i in range(3):
        open_case(email=f"f{i}@example.com")
    assert tally_totals("case.status")
    call_command("flush", interactive=False, verbosity=0)  # what a transactional test's teardown runs
    assert Case.objects.count() == 0
    for kind in ("case.status", "triage.category", "outbox.state"):
        assert tally_totals(kind) == {}, kind
