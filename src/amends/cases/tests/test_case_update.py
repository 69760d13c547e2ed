"""The case page's one form, bulk actions from the inbox, replies that take an unassigned case, saved views:
through the services directly."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from amends.accounts.models import Team, User
from amends.accounts.services import user_create
from amends.cases.lifecycle import IllegalTransition, Priority, Status
from amends.cases.models import ActorKind, Case, CaseEvent, SavedView
from amends.cases.services import (
    case_add_customer_message,
    case_assign,
    case_reply,
    case_transition,
    case_update,
    cases_bulk_update,
    saved_view_create,
    saved_view_delete,
    saved_view_query,
)
from amends.conftest import open_case

pytestmark = pytest.mark.django_db


def kinds(case: Case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


def test_one_update_changes_status_priority_team_and_assignee_with_one_event_each(opened, agent):
    case, team = opened.case, Team.objects.create(name="Fulfilment")
    before = kinds(case)
    changed = case_update(
        case=case, actor=agent, status=Status.IN_PROGRESS, priority=Priority.URGENT, team=team, assignee=agent
    )
    assert changed == ["priority", "assignment", "status"]
    case.refresh_from_db()
    assert (case.status, case.priority, case.team, case.assignee) == (Status.IN_PROGRESS, 1, team, agent)
    added = kinds(case)[len(before) :]
    assert sorted(added) == sorted(
        [CaseEvent.Kind.PRIORITY_CHANGED, CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.STATUS_CHANGED]
    )


def test_an_illegal_status_in_the_same_update_keeps_the_other_changes_from_being_saved(opened, agent):
    case = opened.case
    before = kinds(case)
    with pytest.raises(IllegalTransition):
        case_update(case=case, actor=agent, status=Status.CLOSED, priority=Priority.URGENT, assignee=agent)
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee) == (Status.ACKNOWLEDGED, Priority.NORMAL, None)
    assert kinds(case) == before


def test_an_update_changes_only_what_differs_and_writes_no_event_for_the_rest(opened, agent):
    case = opened.case
    before = kinds(case)
    assert case_update(case=case, actor=agent, status=case.status, priority=case.priority) == []
    assert kinds(case) == before


def test_an_update_decides_on_the_case_as_stored_not_as_the_caller_last_saw_it(opened, agent):
    case = opened.case
    stale = Case.objects.get(pk=case.pk)
    case_transition(case=case, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    # The stale copy still says "acknowledged", from which "waiting" would be allowed; from resolved it is not.
    with pytest.raises(IllegalTransition):
        case_update(case=stale, actor=agent, status=Status.WAITING)


@pytest.mark.parametrize(("field", "value"), [("status", "lost"), ("priority", 9)])
def test_an_unknown_status_or_priority_is_refused_before_anything_is_written(opened, agent, field, value):
    before = kinds(opened.case)
    with pytest.raises(ValidationError):
        case_update(case=opened.case, actor=agent, **{field: value})
    assert kinds(opened.case) == before


def test_an_inactive_person_cannot_be_assigned(opened, agent):
    gone = user_create(username="gone", password="gone-password-1", role=User.Role.AGENT)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    with pytest.raises(ValidationError):
        case_update(case=opened.case, actor=agent, assignee=gone)
    opened.case.refresh_from_db()
    assert opened.case.assignee is None


def test_replying_assigns_an_unassigned_case_to_the_one_who_replied(opened, agent):
    case = opened.case
    case_reply(case=case, actor=agent, body="Простите нас, это наша ошибка. Отправили нужный размер сегодня.")
    case.refresh_from_db()
    assert case.assignee == agent
    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert event.actor == agent and event.data["to"]["assignee"] == agent.username


def test_replying_leaves_a_case_someone_owns_with_them(opened, agent, manager):
    case = opened.case
    case_assign(case=case, actor=manager, team=None, assignee=manager)
    case_reply(case=case, actor=agent, body="Простите нас, это наша ошибка. Отправили нужный размер сегодня.")
    case.refresh_from_db()
    assert case.assignee == manager
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 1


def test_a_reply_through_the_api_assigns_nobody(opened):
    case_reply(case=opened.case, actor=None, body="Простите нас, это наша ошибка. Отправили нужный размер.")
    opened.case.refresh_from_db()
    assert opened.case.assignee is None


@pytest.mark.parametrize("reopen", ["customer_writes", "agent_reopens"])
def test_a_reopened_case_keeps_its_priority_and_assignee(opened, agent, reopen):
    case = opened.case
    case_update(case=case, actor=agent, priority=Priority.URGENT, assignee=agent)
    case_reply(case=case, actor=agent, body="Простите нас, это наша ошибка. Вернули деньги.", status_after="resolved")
    case_transition(case=case, to=Status.CLOSED, actor_kind=ActorKind.AGENT, actor=agent)
    if reopen == "customer_writes":
        case_add_customer_message(case=case, body="Деньги так и не пришли.", channel="email")
    else:
        case_update(case=case, actor=agent, status=Status.IN_PROGRESS)
    case.refresh_from_db()
    assert (case.status, case.priority, case.assignee) == (Status.IN_PROGRESS, Priority.URGENT, agent)
    assert case.next_due_at is not None and CaseEvent.Kind.REOPENED in kinds(case)


# --- bulk actions ---------------------------------------------------------------------------------------------


def test_a_bulk_action_changes_each_case_and_reports_the_ones_it_refuses(agent):
    first, second, settled = (open_case(email=f"c{i}@example.com").case for i in range(3))
    case_transition(case=settled, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    case_transition(case=settled, to=Status.CLOSED, actor_kind=ActorKind.AGENT, actor=agent)
    outcome = cases_bulk_update(
        actor=agent,
        case_ids=[str(c.public_id) for c in (first, second, settled)],
        status=Status.WAITING,
        priority=Priority.HIGH,
    )
    assert outcome.changed == [first.reference, second.reference]
    assert [ref for ref, _reason in outcome.refused] == [settled.reference]
    assert "Closed" in outcome.refused[0][1] and "Waiting for customer" in outcome.refused[0][1]
    for case in (first, second):
        case.refresh_from_db()
        assert (case.status, case.priority) == (Status.WAITING, Priority.HIGH)
    settled.refresh_from_db()
    # Nothing half-done: the refused case did not take the new priority either.
    assert (settled.status, settled.priority) == (Status.CLOSED, Priority.NORMAL)
    assert not settled.events.filter(kind=CaseEvent.Kind.PRIORITY_CHANGED).exists()


def test_a_bulk_assignment_and_unassignment(agent, manager):
    cases = [open_case(email=f"c{i}@example.com").case for i in range(2)]
    ids = [str(c.public_id) for c in cases]
    assert cases_bulk_update(actor=manager, case_ids=ids, assignee=agent).changed == [c.reference for c in cases]
    assert Case.objects.filter(assignee=agent).count() == 2
    again = cases_bulk_update(actor=manager, case_ids=ids, assignee=agent)
    assert again.changed == [] and again.unchanged == [c.reference for c in cases]
    cases_bulk_update(actor=manager, case_ids=ids, assignee=None)
    assert Case.objects.filter(assignee__isnull=True).count() == 2


def test_a_bulk_action_leaves_out_ids_that_name_no_case(agent):
    case = open_case().case
    outcome = cases_bulk_update(
        actor=agent, case_ids=["not-a-uuid", str(uuid.uuid4()), str(case.public_id)], priority=Priority.LOW
    )
    assert outcome.changed == [case.reference] and outcome.refused == []


def test_a_bulk_action_without_a_change_or_with_too_many_cases_is_refused(agent):
    with pytest.raises(ValidationError):
        cases_bulk_update(actor=agent, case_ids=[str(uuid.uuid4())])
    with pytest.raises(ValidationError):
        cases_bulk_update(actor=agent, case_ids=[str(uuid.uuid4()) for _ in range(201)], priority=1)


# --- saved views ----------------------------------------------------------------------------------------------


def test_a_saved_view_keeps_only_the_filters_in_a_stable_order(agent):
    view = saved_view_create(owner=agent, name="  My  urgent  ", query="?page=3&language=ru&assignee=me&x=1&q=")
    assert (view.name, view.query) == ("My urgent", "assignee=me&language=ru")
    assert (
        saved_view_query("status=open&q=кроссовки")
        == "q=%D0%BA%D1%80%D0%BE%D1%81%D1%81%D0%BE%D0%B2%D0%BA%D0%B8&status=open"
    )


def test_saving_a_view_under_a_name_again_replaces_its_filter(agent):
    saved_view_create(owner=agent, name="Mine", query="assignee=me")
    saved_view_create(owner=agent, name="Mine", query="assignee=me&status=waiting")
    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "status=waiting&assignee=me")]


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_view_needs_a_name_of_at_most_60_characters(agent, name):
    with pytest.raises(ValidationError):
        saved_view_create(owner=agent, name=name, query="status=all")
    assert not SavedView.objects.exists()


def test_views_are_each_agents_own(agent, manager):
    view = saved_view_create(owner=agent, name="Mine", query="assignee=me")
    saved_view_create(owner=manager, name="Mine", query="status=all")  # the same name, another person: allowed
    assert saved_view_delete(owner=manager, view_id=view.pk) is False
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert saved_view_delete(owner=agent, view_id=view.pk) is True
    assert not SavedView.objects.filter(pk=view.pk).exists()
