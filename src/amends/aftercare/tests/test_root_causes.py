from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amends.aftercare.models import CorrectiveAction, Recurrence, RootCause
from amends.aftercare.services import (
    ActionRefused,
    ActionSpec,
    corrective_action_advance,
    root_cause_record,
)
from amends.cases.models import CaseEvent
from amends.conftest import open_case
from amends.incidents.models import Incident
from amends.outbox.models import OutboxMessage

from .conftest import resolve


def test_it_records_a_root_cause_with_actions_and_an_event(resolved, agent, team, tomorrow):
    root = root_cause_record(
        category="logistics",
        text="The courier lost parcels at the Novi Sad depot.",
        actor=agent,
        case=resolved,
        actions=[ActionSpec(what="Switch courier", team_id=team.pk, due_date=tomorrow)],
    )
    assert root.category.slug == "logistics"
    assert root.actions.get().status == CorrectiveAction.Status.OPEN
    event = CaseEvent.objects.get(case=resolved, kind="root_cause_recorded")
    assert event.data == {"category": "logistics", "actions": 1}


def test_it_rejects_a_root_cause_on_an_open_case(opened, agent):
    with pytest.raises(ValidationError) as caught:
        root_cause_record(category="process", text="Slow packing.", actor=agent, case=opened.case)
    assert "still open" in caught.value.message_dict["case"][0]
    assert not RootCause.objects.exists()


def test_it_rejects_a_root_cause_on_an_open_incident(db, agent):
    from amends.brands.selectors import brand_default

    now = timezone.now()
    incident = Incident.objects.create(
        public_id=__import__("uuid").uuid4(),
        slug="outage",
        title="Site down",
        summary="Down 3 hours",
        started_at=now,
        brand=brand_default(),
        created_at=now,
        updated_at=now,
    )
    with pytest.raises(ValidationError) as caught:
        root_cause_record(category="it-outage", text="Disk full.", actor=agent, incident=incident)
    assert "incident" in caught.value.message_dict
    Incident.objects.filter(pk=incident.pk).update(state="resolved")
    incident.refresh_from_db()
    assert (
        root_cause_record(category="it-outage", text="Disk full.", actor=agent, incident=incident).incident == incident
    )


def test_a_bad_action_stores_nothing_past_date_and_unknown_team(resolved, agent, team):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        root_cause_record(
            category="process",
            text="Slow packing.",
            actor=agent,
            case=resolved,
            actions=[
                ActionSpec(what="Hire", team_id=team.pk, due_date=yesterday),
                ActionSpec(what="Train", team_id=999999, due_date=timezone.localdate()),
            ],
        )
    errors = caught.value.message_dict
    assert "in the past" in errors["actions.0.due_date"][0]
    assert "no such team" in errors["actions.1.team"][0]
    assert not RootCause.objects.exists() and not CorrectiveAction.objects.exists()


def test_it_rejects_an_unknown_category_and_an_empty_sentence(resolved, agent):
    with pytest.raises(ValidationError) as caught:
        root_cause_record(category="gremlins", text="  ", actor=agent, case=resolved)
    assert set(caught.value.message_dict) == {"category", "text"}


def _action(resolved, agent, team, tomorrow) -> CorrectiveAction:  # type: ignore[no-untyped-def]
    root = root_cause_record(
        category="process",
        text="Packing slow.",
        actor=agent,
        case=resolved,
        actions=[ActionSpec(what="Second packing line", team_id=team.pk, due_date=tomorrow)],
    )
    return root.actions.get()


def test_actions_move_forward_only_and_a_manager_verifies(resolved, agent, manager, team, tomorrow):
    action = _action(resolved, agent, team, tomorrow)
    corrective_action_advance(action=action, to="in_progress", actor=agent)
    with pytest.raises(ActionRefused) as caught:
        corrective_action_advance(action=action, to="open", actor=agent)
    assert "forward only" in caught.value.message
    with pytest.raises(ActionRefused) as not_done:
        corrective_action_advance(action=action, to="verified", actor=manager)
    assert "done" in not_done.value.message
    corrective_action_advance(action=action, to="done", actor=agent)
    with pytest.raises(ActionRefused) as refused:
        corrective_action_advance(action=action, to="verified", actor=agent)
    assert refused.value.status == 403
    done = corrective_action_advance(action=action, to="verified", actor=manager)
    assert done.status == "verified" and done.done_at and done.verified_by == manager


def test_a_new_complaint_after_the_fix_is_a_recurrence_and_managers_are_told(db, agent, manager, team, tomorrow):
    manager.email = "milan@example.com"
    manager.save(update_fields=["email"])
    story = "Error 503 on checkout at shop.example.com again, I could not pay."
    first = resolve(open_case(email="a@example.com", description=story, language="en").case)
    root = root_cause_record(
        category="it-outage",
        text="Payment gateway timeout.",
        actor=agent,
        case=first,
        actions=[ActionSpec(what="Raise gateway timeout", team_id=team.pk, due_date=tomorrow)],
    )
    assert "error:503" in root.entities
    # Not fixed yet: a new complaint is no recurrence.
    open_case(email="b@example.com", description=story, language="en")
    assert not Recurrence.objects.exists()
    corrective_action_advance(action=root.actions.get(), to="done", actor=agent)
    again = open_case(email="c@example.com", description="Checkout shows error 503 at shop.example.com", language="en")
    recurrence = Recurrence.objects.get(case=again.case)
    assert recurrence.root_cause == root and recurrence.alerted
    assert CaseEvent.objects.filter(case=again.case, kind="recurrence").exists()
    mail = OutboxMessage.objects.get(recipient=manager.email, dedupe_key__startswith="recurrence:")
    assert again.case.reference in mail.subject and "again after the fix" in mail.body
