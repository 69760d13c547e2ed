from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amends.aftercare import links
from amends.aftercare.models import Survey
from amends.aftercare.surveys import (
    SurveyRefused,
    survey_answer,
    survey_by_token,
    survey_details,
    survey_text_save,
    surveys_remind_due,
    surveys_send_due,
)
from amends.cases.lifecycle import Priority, Status
from amends.cases.models import ActorKind, CaseEvent
from amends.cases.services import case_transition
from amends.outbox.models import OutboxMessage
from amends.outbox.suppression import suppression_add

from .conftest import resolve


def _sent(case) -> Survey:  # type: ignore[no-untyped-def]
    survey = Survey.objects.get(case=case)
    surveys_send_due(now=survey.due_at + timedelta(minutes=1))
    survey.refresh_from_db()
    return survey


def _token(survey: Survey, score: int) -> str:
    return links.survey_token(survey_id=survey.public_id, nonce=survey.nonce, score=score)


def test_resolving_schedules_a_survey_sent_after_the_delay_in_the_customers_language(resolved):
    survey = Survey.objects.get(case=resolved)
    assert survey.state == "scheduled" and survey.due_at == resolved.resolved_at + timedelta(hours=72)
    assert surveys_send_due(now=survey.due_at - timedelta(minutes=1)) == 0
    assert surveys_send_due(now=survey.due_at) == 1
    mail = OutboxMessage.objects.get(dedupe_key=f"survey:{survey.pk}")
    assert resolved.reference in mail.subject
    assert "Спасибо" in mail.body  # the customer wrote in Russian
    assert mail.body.count("/survey/") == 5  # one link per score
    assert surveys_send_due(now=survey.due_at + timedelta(days=1)) == 0  # never twice


def test_one_click_records_the_score_and_a_second_answer_is_told_the_first_stands(resolved):
    survey = _sent(resolved)
    found, score = survey_by_token(_token(survey, 4))
    survey_answer(survey=found, satisfaction=score, via="email")
    survey.refresh_from_db()
    assert (survey.state, survey.satisfaction) == ("answered", 4)
    again, score = survey_by_token(_token(survey, 1))
    with pytest.raises(SurveyRefused) as caught:
        survey_answer(survey=again, satisfaction=score, via="email")
    assert caught.value.code == "answered" and "first answer stands" in caught.value.message
    survey.refresh_from_db()
    assert survey.satisfaction == 4


def test_a_forged_or_altered_link_is_refused(resolved):
    survey = _sent(resolved)
    token = _token(survey, 5)
    for bad in (token[:-2] + "xx", token.replace(".5", ".1", 1), "nonsense", "a" * 500):
        with pytest.raises(SurveyRefused) as caught:
            survey_by_token(bad)
        assert caught.value.code == "invalid"
    forged = links.survey_token(survey_id=survey.public_id, nonce="0" * 16, score=5)
    with pytest.raises(SurveyRefused):
        survey_by_token(forged)


def test_an_expired_link_is_refused(resolved):
    survey = _sent(resolved)
    found, score = survey_by_token(_token(survey, 5))
    with pytest.raises(SurveyRefused) as caught:
        survey_answer(survey=found, satisfaction=score, via="email", now=survey.expires_at + timedelta(seconds=1))
    assert caught.value.code == "expired" and caught.value.status == 410


def test_a_link_for_a_case_reopened_since_is_refused(resolved):
    survey = _sent(resolved)
    token = _token(survey, 5)
    case_transition(case=resolved, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT)
    with pytest.raises(SurveyRefused) as caught:
        survey_by_token(token)
    assert caught.value.code == "reopened"
    # Resolved again: a new survey with links of its own; the old ones stay dead.
    resolve(resolved)
    assert Survey.objects.filter(case=resolved).count() == 2
    with pytest.raises(SurveyRefused):
        survey_by_token(token)


def test_a_score_out_of_range_is_refused(resolved):
    survey = _sent(resolved)
    for bad in (0, 6, -1, "5", 4.5, True, None):
        with pytest.raises(ValidationError) as caught:
            survey_answer(survey=survey, satisfaction=bad, via="api")
        assert "satisfaction" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        survey_answer(survey=survey, satisfaction=5, recommend=11, via="api")
    assert "recommend" in caught.value.message_dict
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_dissatisfied_score_reopens_raises_priority_and_tells_the_assignee(resolved, agent, followups):
    resolved.assignee = agent
    resolved.save(update_fields=["assignee"])
    agent.email = "ana@example.com"
    agent.save(update_fields=["email"])
    survey = _sent(resolved)
    with followups() as queued:
        result = survey_answer(survey=survey, satisfaction=2, via="email")
        assert result.reopened
        resolved.refresh_from_db()
        assert resolved.status == Status.RESOLVED  # the follow-up waits for the commit, then runs as a task
    assert len(queued) == 1
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS and resolved.priority == Priority.HIGH
    kinds = list(CaseEvent.objects.filter(case=resolved).values_list("kind", flat=True))
    assert {"survey_answered", "reopened", "priority_changed"} <= set(kinds)
    assert OutboxMessage.objects.filter(
        recipient="ana@example.com", dedupe_key__startswith="survey-dissatisfied"
    ).exists()


def test_a_detractor_with_negative_words_reopens_but_a_kind_one_does_not(db, followups):
    from amends.conftest import open_case

    kind = resolve(open_case(email="k@example.com", language="en", description="Late parcel, order 12345").case)
    survey = _sent(kind)
    with followups():
        survey_answer(survey=survey, satisfaction=3, via="email")
        survey_details(survey=survey, recommend=5, comment="It was fine, thank you")
    kind.refresh_from_db()
    assert kind.status == Status.RESOLVED
    angry = resolve(open_case(email="n@example.com", language="en", description="Late parcel, order 12346").case)
    survey = _sent(angry)
    with followups():
        survey_answer(survey=survey, satisfaction=3, via="email")
        result = survey_details(survey=survey, recommend=4, comment="Terrible, the worst service, unacceptable")
    assert result.reopened
    angry.refresh_from_db()
    assert angry.status == Status.IN_PROGRESS


def test_details_are_given_once(resolved):
    survey = _sent(resolved)
    survey_answer(survey=survey, satisfaction=5, via="email")
    survey_details(survey=survey, remedy_worth="yes", recommend=10, comment="Спасибо, отлично!")
    with pytest.raises(SurveyRefused) as caught:
        survey_details(survey=survey, remedy_worth="no", recommend=0, comment="changed my mind")
    assert caught.value.code == "answered"
    survey.refresh_from_db()
    assert (survey.remedy_worth, survey.recommend) == ("yes", 10)


def test_one_reminder_at_most_and_never_to_a_suppressed_address(resolved, db):
    survey = _sent(resolved)
    later = survey.sent_at + timedelta(hours=97)
    assert surveys_remind_due(now=later) == 1
    assert surveys_remind_due(now=later + timedelta(days=2)) == 0
    assert OutboxMessage.objects.filter(dedupe_key__startswith="survey-reminder:").count() == 1

    from amends.conftest import open_case

    quiet = resolve(open_case(email="quiet@example.com").case)
    suppression_add(address="Quiet@example.com", reason="unsubscribed")
    survey = Survey.objects.get(case=quiet)
    surveys_send_due(now=survey.due_at)
    survey.refresh_from_db()
    assert survey.state == "suppressed"
    assert not OutboxMessage.objects.filter(recipient="quiet@example.com", dedupe_key__startswith="survey").exists()


def test_managers_texts_are_used_and_checked(resolved, manager):
    with pytest.raises(ValidationError) as caught:
        survey_text_save(purpose="survey", language="ru", subject="Как мы?", body="Без ссылок {unknown}", actor=manager)
    assert "body" in caught.value.message_dict
    survey_text_save(
        purpose="survey",
        language="ru",
        subject="Как мы справились, {customer_name}?",
        body="Оцените нас:\n{score_links}\nСпасибо за доверие.",
        actor=manager,
    )
    survey = _sent(resolved)
    mail = OutboxMessage.objects.get(dedupe_key=f"survey:{survey.pk}")
    assert mail.subject == "Как мы справились, Ольга?" and "Оцените нас" in mail.body


def test_surveys_wait_for_the_companys_delay(db, manager):
    from amends.aftercare.surveys import aftercare_settings_save
    from amends.conftest import open_case

    aftercare_settings_save(
        survey_enabled=True, survey_delay_hours=1, reminder_after_hours=24, link_valid_days=7, actor=manager
    )
    case = resolve(open_case().case)
    survey = Survey.objects.get(case=case)
    assert survey.due_at == case.resolved_at + timedelta(hours=1)
    with pytest.raises(ValidationError):
        aftercare_settings_save(
            survey_enabled=True, survey_delay_hours=1, reminder_after_hours=24 * 8, link_valid_days=7, actor=manager
        )
    assert timezone.now()


def test_a_customer_known_only_by_a_public_handle_gets_no_survey_mail(db):
    from amends.conftest import open_case

    case = resolve(open_case(email="", channel="public_thread").case)
    assert case.customer.email is None
    survey = Survey.objects.get(case=case)
    assert surveys_send_due(now=survey.due_at) == 0
    survey.refresh_from_db()
    assert survey.state == "suppressed"
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="survey").exists()
