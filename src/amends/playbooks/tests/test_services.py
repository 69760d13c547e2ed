from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from amends.accounts.models import Team
from amends.accounts.services import user_create
from amends.cases import lifecycle
from amends.cases.lifecycle import Priority
from amends.cases.models import CaseEvent
from amends.cases.services import case_assign, case_set_priority
from amends.conftest import open_case
from amends.playbooks.models import CaseChecklistItem, PlaybookStep, RemedyKind, ResponseTarget
from amends.playbooks.routing import playbooks_forget
from amends.playbooks.selectors import case_checklist
from amends.playbooks.services import (
    StepInput,
    case_playbook_apply,
    checklist_step_tick,
    checklist_step_untick,
    default_targets_save,
)
from amends.replies.models import ReplyTemplate
from amends.triage.models import Category
from amends.triage.services import triage_correct

from .factories import category_of, save_playbook

pytestmark = pytest.mark.django_db
H, D = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def fulfilment(db) -> Team:  # type: ignore[no-untyped-def]
    return Team.objects.create(name="Fulfilment")


def due(case) -> tuple[timedelta, timedelta]:  # type: ignore[no-untyped-def]
    case.refresh_from_db()
    return case.first_response_due_at - case.created_at, case.resolution_due_at - case.created_at


# Routing and targets at intake


def test_a_new_case_is_routed_to_the_owning_team_of_its_categorys_playbook(manager, fulfilment):
    category = category_of(open_case().case)
    save_playbook(manager=manager, category=category, team=fulfilment)
    case = open_case(email="second@example.com").case
    case.refresh_from_db()
    assert case.team == fulfilment
    routed = case.events.get(kind=CaseEvent.Kind.ROUTED)
    assert routed.data == {"playbook": category.slug, "routed_to": "Fulfilment"} and not routed.public


def test_a_case_whose_category_has_no_playbook_team_stays_unrouted(manager):
    category = category_of(open_case().case)
    save_playbook(manager=manager, category=category, steps=["Check the order"])
    case = open_case(email="second@example.com").case
    case.refresh_from_db()
    assert case.team is None
    assert not case.events.filter(kind=CaseEvent.Kind.ROUTED).exists()


def test_intake_takes_the_targets_of_the_categorys_playbook(manager):
    category = category_of(open_case().case)
    save_playbook(manager=manager, category=category, targets={Priority.NORMAL: (2 * H, 2 * D)})
    assert due(open_case(email="b@example.com", priority=Priority.NORMAL).case) == (2 * H, 2 * D)
    # A priority the playbook leaves empty takes the company's default.
    assert due(open_case(email="c@example.com", priority=Priority.LOW).case) == lifecycle.TARGETS[Priority.LOW]


def test_intake_takes_the_company_defaults_a_manager_set(manager):
    default_targets_save(
        actor=manager,
        targets={
            Priority.URGENT: (H, 6 * H),
            Priority.HIGH: (2 * H, D),
            Priority.NORMAL: (5 * H, 2 * D),
            4: (D, 4 * D),
        },
    )
    assert due(open_case(priority=Priority.NORMAL).case) == (5 * H, 2 * D)


def test_the_company_defaults_are_seeded_from_the_factory_targets_and_stand_in_when_lost():
    seeded = {t.priority: (t.first_response, t.resolution) for t in ResponseTarget.objects.filter(playbook=None)}
    assert seeded == {int(p): pair for p, pair in lifecycle.TARGETS.items()}
    ResponseTarget.objects.filter(playbook=None).delete()
    playbooks_forget()
    assert due(open_case(priority=Priority.HIGH).case) == lifecycle.TARGETS[Priority.HIGH]


def test_intake_reads_no_playbook_while_the_cache_is_fresh(manager, fulfilment):
    category = category_of(open_case().case)
    save_playbook(manager=manager, category=category, team=fulfilment, targets={Priority.NORMAL: (H, D)})
    open_case(email="warm@example.com")
    with CaptureQueriesContext(connection) as queries:
        case = open_case(email="third@example.com", priority=Priority.NORMAL).case
    assert not [q["sql"] for q in queries.captured_queries if "playbooks_" in q["sql"]]
    assert due(case) == (H, D) and case.team == fulfilment


def test_an_edit_is_seen_by_the_next_intake_in_the_same_process(manager, fulfilment):
    category = category_of(open_case().case)
    save_playbook(manager=manager, category=category, targets={Priority.NORMAL: (H, D)})
    open_case(email="warm@example.com")
    save_playbook(manager=manager, category=category, team=fulfilment, targets={Priority.NORMAL: (3 * H, 3 * D)})
    case = open_case(email="after@example.com", priority=Priority.NORMAL).case
    assert due(case) == (3 * H, 3 * D) and case.team == fulfilment


# Priority and category changes


def test_a_priority_change_takes_the_targets_of_the_categorys_playbook(manager, agent):
    case = open_case(priority=Priority.NORMAL).case
    save_playbook(
        manager=manager, category=category_of(case), targets={Priority.URGENT: (30 * timedelta(minutes=1), 4 * H)}
    )
    case_set_priority(case=case, actor=agent, priority=Priority.URGENT)
    assert due(case) == (timedelta(minutes=30), 4 * H)
    case_set_priority(case=case, actor=agent, priority=Priority.LOW)
    assert due(case) == lifecycle.TARGETS[Priority.LOW]


def test_correcting_the_category_applies_the_new_playbook(manager, agent, fulfilment):
    case = open_case(priority=Priority.NORMAL).case
    other = Category.objects.filter(is_active=True).exclude(pk=category_of(case).pk).first()
    save_playbook(manager=manager, category=other, team=fulfilment, targets={Priority.NORMAL: (2 * H, 2 * D)})
    triage_correct(case_id=case.pk, text=case.description, category_slug=other.slug, actor=agent)
    assert case_playbook_apply(case=case, actor=agent)
    case.refresh_from_db()
    assert case.team == fulfilment and due(case) == (2 * H, 2 * D)
    event = case.events.get(kind=CaseEvent.Kind.PLAYBOOK_APPLIED)
    assert event.data["routed_to"] == "Fulfilment" and event.data["playbook"] == other.slug and event.actor == agent
    assert not case_playbook_apply(case=case, actor=agent)  # nothing left to change: no second event
    assert case.events.filter(kind=CaseEvent.Kind.PLAYBOOK_APPLIED).count() == 1


def test_a_case_someone_has_picked_up_keeps_its_team_when_the_category_is_corrected(manager, agent, fulfilment):
    case = open_case().case
    care = Team.objects.create(name="Customer Care")
    case_assign(case=case, actor=agent, team=care, assignee=agent)
    other = Category.objects.filter(is_active=True).exclude(pk=category_of(case).pk).first()
    save_playbook(manager=manager, category=other, team=fulfilment)
    triage_correct(case_id=case.pk, text=case.description, category_slug=other.slug, actor=agent)
    case_playbook_apply(case=case, actor=agent)
    case.refresh_from_db()
    assert case.team == care


# The checklist


@pytest.fixture
def with_steps(manager):  # type: ignore[no-untyped-def]
    case = open_case().case
    playbook = save_playbook(
        manager=manager, category=category_of(case), steps=["Check the order", "Send the right size", "Call back"]
    )
    return case, list(playbook.steps.all())


def test_ticking_a_step_records_who_and_when_and_leaves_an_event(with_steps, agent):
    case, steps = with_steps
    item = checklist_step_tick(case=case, step_id=steps[1].public_id, actor=agent)
    assert item is not None and item.done_by == agent and item.text == "Send the right size"
    event = case.events.get(kind=CaseEvent.Kind.CHECKLIST_STEP_DONE)
    assert event.actor == agent and event.data["text"] == "Send the right size" and not event.public
    checklist = case_checklist(actor=agent, case=case)
    assert [(i.text, i.done, i.done_by) for i in checklist.items] == [
        ("Check the order", False, ""),
        ("Send the right size", True, "Ana"),
        ("Call back", False, ""),
    ]
    assert checklist.items[1].done_at == item.done_at


def test_ticking_a_step_done_already_keeps_the_first_record(with_steps, agent, manager):
    case, steps = with_steps
    checklist_step_tick(case=case, step_id=steps[0].public_id, actor=agent)
    assert checklist_step_tick(case=case, step_id=steps[0].public_id, actor=manager) is None
    assert CaseChecklistItem.objects.get(case=case).done_by == agent
    assert case.events.filter(kind=CaseEvent.Kind.CHECKLIST_STEP_DONE).count() == 1


def test_unticking_removes_the_record_and_leaves_an_event(with_steps, agent, manager):
    case, steps = with_steps
    checklist_step_tick(case=case, step_id=steps[0].public_id, actor=agent)
    assert checklist_step_untick(case=case, step_id=steps[0].public_id, actor=manager)
    assert not CaseChecklistItem.objects.filter(case=case).exists()
    event = case.events.get(kind=CaseEvent.Kind.CHECKLIST_STEP_UNDONE)
    assert event.actor == manager and event.data["done_by"] == "Ana"
    assert not checklist_step_untick(case=case, step_id=steps[0].public_id, actor=manager)
    assert case.events.filter(kind=CaseEvent.Kind.CHECKLIST_STEP_UNDONE).count() == 1


def test_a_step_of_another_categorys_playbook_cannot_be_ticked(with_steps, manager, agent):
    case, _steps = with_steps
    other = Category.objects.filter(is_active=True).exclude(pk=category_of(case).pk).first()
    foreign = save_playbook(manager=manager, category=other, steps=["Elsewhere"]).steps.get()
    with pytest.raises(ValidationError):
        checklist_step_tick(case=case, step_id=foreign.public_id, actor=agent)
    assert not CaseChecklistItem.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.CHECKLIST_STEP_DONE).exists()


def test_editing_the_steps_later_keeps_what_cases_have_done(with_steps, manager, agent):
    case, (check, send, call) = with_steps
    checklist_step_tick(case=case, step_id=send.public_id, actor=agent)
    checklist_step_tick(case=case, step_id=call.public_id, actor=agent)
    # The manager rewords a done step, removes another done one, reorders and adds a step.
    save_playbook(
        manager=manager,
        category=category_of(case),
        steps=[
            StepInput(id=send.public_id, text="Send the right size by courier"),
            StepInput(id=check.public_id, text="Check the order"),
            "Offer a discount code",
        ],
    )
    checklist = case_checklist(actor=agent, case=case)
    assert [(i.text, i.done) for i in checklist.items] == [
        ("Send the right size", True),  # done under its old words, and still the same step
        ("Check the order", False),
        ("Offer a discount code", False),
    ]
    assert [(i.text, i.done_by, i.step_id) for i in checklist.earlier] == [("Call back", "Ana", None)]
    assert PlaybookStep.objects.get(public_id=send.public_id).position == 1


def test_a_new_case_sees_the_reworded_step(with_steps, manager, agent):
    case, (check, *_rest) = with_steps
    save_playbook(
        manager=manager,
        category=category_of(case),
        steps=[StepInput(id=check.public_id, text="Check the order and the warehouse")],
    )
    assert [i.text for i in case_checklist(actor=agent, case=case).items] == ["Check the order and the warehouse"]


def test_a_case_without_a_category_has_no_checklist(agent):
    case = open_case().case
    case.triage.delete()
    case.refresh_from_db()
    assert case_checklist(actor=agent, case=case) is None


# What a manager may save


def test_a_playbook_keeps_its_team_remedies_template_and_targets(manager, fulfilment):
    category = category_of(open_case().case)
    template = ReplyTemplate.objects.filter(category__isnull=True).first()
    playbook = save_playbook(
        manager=manager,
        category=category,
        team=fulfilment,
        targets={Priority.HIGH: (2 * H, D)},
        remedy_kinds=[RemedyKind.REPLACEMENT, RemedyKind.DISCOUNT_CODE, RemedyKind.REPLACEMENT],
        reply_template=template,
    )
    playbook.refresh_from_db()
    assert playbook.team == fulfilment and playbook.reply_template == template and playbook.updated_by == manager
    assert playbook.remedy_kinds == ["replacement", "discount_code"]
    assert [(t.priority, t.first_response, t.resolution) for t in playbook.targets.all()] == [(2, 2 * H, D)]
    # Leaving a priority empty again hands it back to the company's default.
    save_playbook(manager=manager, category=category)
    assert not playbook.targets.exists()


@pytest.mark.parametrize(
    ("targets", "field", "words"),
    [
        ({Priority.URGENT: (2 * D, D)}, "response_1", "cannot be longer than the resolution target (1 d)"),
        ({Priority.HIGH: (timedelta(0), D)}, "response_2", "must be more than zero"),
        ({Priority.NORMAL: (H, -D)}, "resolution_3", "must be more than zero"),
        ({Priority.LOW: (H, 91 * D)}, "resolution_4", "at most 90 days"),
        ({Priority.LOW: (H, None)}, "response_4", "leave both empty"),
    ],
)
def test_it_refuses_targets_that_make_no_sense_and_saves_nothing(manager, fulfilment, targets, field, words):
    category = category_of(open_case().case)
    with pytest.raises(ValidationError) as refused:
        save_playbook(manager=manager, category=category, team=fulfilment, targets=targets, steps=["A step"])
    assert any(words in m for m in refused.value.message_dict[field])
    assert not category.__class__.objects.filter(playbook__isnull=False).exists()
    assert not PlaybookStep.objects.exists()


def test_it_refuses_empty_or_overlong_steps_and_unknown_remedies(manager):
    category = category_of(open_case().case)
    with pytest.raises(ValidationError) as refused:
        save_playbook(manager=manager, category=category, steps=["Fine", "  ", "x" * 301], remedy_kinds=["cash"])
    errors = refused.value.message_dict
    assert any("Step 2 has no words" in m for m in errors["steps"])
    assert any("Step 3 is too long" in m for m in errors["steps"])
    assert any("'cash' is not a kind of remedy" in m for m in errors["remedy_kinds"])


def test_it_refuses_a_step_of_another_playbook(manager):
    case = open_case().case
    other = Category.objects.filter(is_active=True).exclude(pk=category_of(case).pk).first()
    foreign = save_playbook(manager=manager, category=other, steps=["Elsewhere"]).steps.get()
    with pytest.raises(ValidationError, match="changed meanwhile"):
        save_playbook(manager=manager, category=category_of(case), steps=[StepInput(id=foreign.public_id, text="Mine")])
    assert PlaybookStep.objects.get(pk=foreign.pk).text == "Elsewhere"


def test_it_refuses_another_categorys_reply_template(manager):
    case = open_case().case
    category = category_of(case)
    other = Category.objects.filter(is_active=True).exclude(pk=category.pk).first()
    template = ReplyTemplate.objects.filter(category__isnull=True).first()
    foreign = ReplyTemplate.objects.create(
        purpose=template.purpose,
        language=template.language,
        category=other,
        subject="s",
        body="b",
        updated_at=template.updated_at,
    )
    with pytest.raises(ValidationError) as refused:
        save_playbook(manager=manager, category=category, reply_template=foreign)
    assert "reply_template" in refused.value.message_dict


def test_an_agent_cannot_change_a_playbook_or_the_defaults(agent):
    category = category_of(open_case().case)
    with pytest.raises(PermissionDenied):
        save_playbook(manager=agent, category=category, steps=["Mine"])
    with pytest.raises(PermissionDenied):
        default_targets_save(actor=agent, targets={p: (H, D) for p in (1, 2, 3, 4)})


def test_the_company_defaults_need_every_target(manager):
    before = list(ResponseTarget.objects.filter(playbook=None).values_list("priority", "first_response", "resolution"))
    with pytest.raises(ValidationError) as refused:
        default_targets_save(actor=manager, targets={1: (H, D), 2: (H, D), 3: (H, D), 4: (None, None)})
    assert "response_4" in refused.value.message_dict
    after = list(ResponseTarget.objects.filter(playbook=None).values_list("priority", "first_response", "resolution"))
    assert after == before


def test_the_database_refuses_a_response_target_after_the_resolution_target(manager):
    playbook = save_playbook(manager=manager, category=category_of(open_case().case))
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponseTarget.objects.create(playbook=playbook, priority=1, first_response=D, resolution=H)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponseTarget.objects.create(playbook=playbook, priority=1, first_response=timedelta(0), resolution=H)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponseTarget.objects.create(playbook=None, priority=1, first_response=H, resolution=D)


def test_a_removed_user_leaves_the_record_of_what_they_did(with_steps):
    case, steps = with_steps
    temp = user_create(username="temp", password="temp-password-1", first_name="Tem")
    checklist_step_tick(case=case, step_id=steps[0].public_id, actor=temp)
    temp.delete()
    assert case_checklist(actor=user_create(username="x", password="x-password-1"), case=case).items[0].done_by == "Tem"
