from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amends.cases.lifecycle import IllegalTransition, Priority, Status
from amends.cases.models import ActorKind, Case, CaseEvent, Message
from amends.cases.services import (
    case_add_customer_message,
    case_add_note,
    case_customer_verdict,
    case_reply,
    case_set_priority,
    case_transition,
    cases_flag_breaches,
)
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_an_illegal_transition_is_refused_and_changes_nothing(opened):
    case = opened.case
    events_before = case.events.count()
    with pytest.raises(IllegalTransition):
        case_transition(case=case, to=Status.CLOSED, actor_kind=ActorKind.SYSTEM)
    case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED
    assert case.events.count() == events_before


def test_a_reply_goes_out_under_the_brand_and_counts_as_first_response(opened, agent):
    case = opened.case
    message = case_reply(case=case, actor=agent, body="Простите нас, это наша ошибка. Отправили нужный размер.")
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert case.status == Status.IN_PROGRESS
    assert message.brand == case.brand and message.author == agent
    mail = OutboxMessage.objects.filter(case=case).exclude(dedupe_key__startswith="ack:").get()
    assert mail.sender.endswith(f"<{case.brand.sender_email}>")
    assert agent.username not in mail.sender and "Ana" not in mail.sender
    assert mail.headers["Message-ID"] == message.email_message_id
    assert case.reference in mail.subject
    assert case.next_due_at == case.resolution_due_at


def test_a_reply_can_set_the_status_and_refuses_an_illegal_one(opened, agent):
    case = opened.case
    case_reply(case=case, actor=agent, body="Sorry, fixed.", status_after=Status.RESOLVED)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.resolved_at is not None
    with pytest.raises(IllegalTransition):
        case_reply(case=case, actor=agent, body="Again", status_after=Status.WAITING)
    assert Message.objects.filter(case=case, body="Again").count() == 0


def test_a_customer_writing_to_a_waiting_case_puts_it_back_in_progress(opened, agent):
    case = opened.case
    case_reply(case=case, actor=agent, body="Which size do you need?", status_after=Status.WAITING)
    case_add_customer_message(case=case, body="43, please", channel="form")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.next_due_at is not None


def test_the_customer_rejecting_a_resolution_keeps_the_case_open(opened, agent):
    case = opened.case
    case_reply(case=case, actor=agent, body="Refunded.", status_after=Status.RESOLVED)
    case_customer_verdict(case=case, accepted=False)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.resolved_at is None
    assert case.events.filter(kind=CaseEvent.Kind.RESOLUTION_REJECTED, public=True).exists()


def test_the_customer_accepting_closes_the_case(opened, agent):
    case = opened.case
    case_reply(case=case, actor=agent, body="Refunded.", status_after=Status.RESOLVED)
    case_customer_verdict(case=case, accepted=True)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None


def test_a_verdict_on_an_unresolved_case_is_refused(opened):
    with pytest.raises(IllegalTransition):
        case_customer_verdict(case=opened.case, accepted=True)


def test_a_closed_case_reopens_when_the_customer_writes(opened, agent):
    case = opened.case
    case_reply(case=case, actor=agent, body="Done.", status_after=Status.RESOLVED)
    case_transition(case=case, to=Status.CLOSED, actor_kind=ActorKind.AGENT, actor=agent)
    case_add_customer_message(case=case, body="It broke again", channel="email")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_notes_are_internal_and_empty_notes_refused(opened, agent):
    note = case_add_note(case=opened.case, actor=agent, body="Warehouse picked the wrong box")
    assert note.direction == Message.Direction.NOTE and not note.is_public
    with pytest.raises(ValidationError):
        case_add_note(case=opened.case, actor=agent, body="  ")


def test_breached_cases_are_flagged_once_with_an_event():
    case = open_case().case
    later = timezone.now() + timedelta(hours=9)
    assert cases_flag_breaches(now=later) == 1
    assert cases_flag_breaches(now=later) == 0
    case.refresh_from_db()
    assert case.breached
    event = case.events.get(kind=CaseEvent.Kind.TARGET_BREACHED)
    assert event.data == {"target": "first_response"}


def test_the_inbox_raises_breached_cases_above_others(agent):
    from amends.cases.selectors import InboxFilters, inbox

    calm = open_case(email="calm@example.com", priority=Priority.URGENT).case
    late = open_case(email="late@example.com", priority=Priority.LOW).case
    Case.objects.filter(pk=late.pk).update(next_due_at=timezone.now() - timedelta(minutes=1))
    cases_flag_breaches()
    order = list(inbox(actor=agent, filters=InboxFilters()).values_list("reference", flat=True))
    assert order.index(late.reference) < order.index(calm.reference)


def test_raising_priority_moves_the_deadlines(opened, agent):
    case = opened.case
    case_set_priority(case=case, actor=agent, priority=Priority.URGENT)
    case.refresh_from_db()
    assert case.first_response_due_at == case.created_at + timedelta(hours=1)
    assert case.events.filter(kind=CaseEvent.Kind.PRIORITY_CHANGED).exists()


def test_a_reply_whose_transition_fails_leaves_no_outbox_rows_message_or_event(opened, agent, settings):
    from amends.webhooks.services import webhook_endpoint_create

    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    webhook_endpoint_create(url="http://127.0.0.1:9/amends", events=["case.replied"])
    case = opened.case
    outbox_before = set(OutboxMessage.objects.values_list("pk", flat=True))
    events_before = case.events.count()
    with pytest.raises(IllegalTransition):
        # The reply's e-mail and its case.replied webhook are written to the outbox before the transition
        # (acknowledged → closed) is refused: the transaction takes them back with the message and its event.
        case_reply(case=case, actor=agent, body="Sorry, sent today.", status_after=Status.CLOSED)
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == outbox_before
    assert not Message.objects.filter(case=case, direction=Message.Direction.OUT).exists()
    assert case.events.count() == events_before
    case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED and case.first_responded_at is None
    # The same reply with a legal status does write both rows: the refusal above is what took them back.
    case_reply(case=case, actor=agent, body="Sorry, sent today.", status_after=Status.WAITING)
    kinds = set(OutboxMessage.objects.exclude(pk__in=outbox_before).values_list("kind", flat=True))
    assert kinds == {OutboxMessage.Kind.EMAIL, OutboxMessage.Kind.WEBHOOK}
