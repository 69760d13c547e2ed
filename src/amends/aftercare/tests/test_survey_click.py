"""The one click from the survey e-mail (surveys.survey_click), and the follow-up of a dissatisfied answer that
runs as a task once the answer is committed (surveys.survey_followup_run, tasks.survey_followup)."""

from datetime import timedelta

import pytest
from django.test import Client

from amends.aftercare import links, surveys
from amends.aftercare.models import Survey
from amends.aftercare.surveys import (
    SurveyAnswered,
    SurveyRefused,
    survey_click,
    survey_followup_run,
    surveys_followups_due,
    surveys_send_due,
)
from amends.aftercare.tasks import survey_followup
from amends.cases.lifecycle import Priority, Status
from amends.cases.models import ActorKind, CaseEvent
from amends.cases.services import case_transition
from amends.outbox.models import OutboxMessage


def _sent(case) -> Survey:  # type: ignore[no-untyped-def]
    survey = Survey.objects.get(case=case)
    surveys_send_due(now=survey.due_at)
    survey.refresh_from_db()
    return survey


def _token(survey: Survey, score: int) -> str:
    return links.survey_token(survey_id=survey.public_id, nonce=survey.nonce, score=score)


def _kinds(case) -> list[str]:  # type: ignore[no-untyped-def]
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_a_click_records_the_score_and_the_event_and_a_second_click_is_told_the_first_stands(resolved):
    survey = _sent(resolved)
    click = survey_click(token=_token(survey, 4))
    assert (click.satisfaction, click.dissatisfied, click.language, click.details_open) == (4, False, "ru", True)
    survey.refresh_from_db()
    assert (survey.state, survey.satisfaction, survey.answered_via) == ("answered", 4, "email")
    assert _kinds(resolved).count("survey_answered") == 1
    with pytest.raises(SurveyAnswered) as caught:
        survey_click(token=_token(survey, 1))
    assert caught.value.status == 409 and "first answer stands" in caught.value.message
    assert caught.value.click.satisfaction == 4  # the page shows the answer that stands
    with pytest.raises(SurveyAnswered):
        survey_click(token=_token(survey, 4))  # the same link again
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.dissatisfied) == (4, False)
    assert _kinds(resolved).count("survey_answered") == 1


def test_single_use_is_the_databases_a_click_that_read_before_the_first_answer_is_still_refused(resolved, monkeypatch):
    """Two clicks at once: both read an open survey, one UPDATE claims it, the other claims nothing."""
    survey = _sent(resolved)
    stale = surveys._click_row(survey.public_id)
    survey_click(token=_token(survey, 5))
    reads = iter([stale])
    real = surveys._click_row
    monkeypatch.setattr(surveys, "_click_row", lambda public_id: next(reads, None) or real(public_id))
    with pytest.raises(SurveyAnswered):
        survey_click(token=_token(survey, 1))
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.dissatisfied) == (5, False)
    assert _kinds(resolved).count("survey_answered") == 1


def test_forged_expired_reopened_and_out_of_range_clicks_are_refused_and_store_nothing(resolved):
    survey = _sent(resolved)
    token = _token(survey, 5)
    for bad in (token[:-2] + "xx", token.replace(".5", ".1", 1), "nonsense", "a" * 500, ""):
        with pytest.raises(SurveyRefused) as caught:
            survey_click(token=bad)
        assert (caught.value.code, caught.value.status) == ("invalid", 404)
    forged = links.survey_token(survey_id=survey.public_id, nonce="0" * 16, score=5)
    with pytest.raises(SurveyRefused) as caught:
        survey_click(token=forged)
    assert caught.value.code == "invalid"
    for score in (0, 6, -1):  # signed by us, yet no score of the survey: refused, not a database error
        with pytest.raises(SurveyRefused) as caught:
            survey_click(token=_token(survey, score))
        assert (caught.value.code, caught.value.status) == ("range", 422)
    with pytest.raises(SurveyRefused) as caught:
        survey_click(token=token, now=survey.expires_at + timedelta(seconds=1))
    assert (caught.value.code, caught.value.status) == ("expired", 410)
    case_transition(case=resolved, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT)
    with pytest.raises(SurveyRefused) as caught:
        survey_click(token=token)
    assert (caught.value.code, caught.value.status) == ("reopened", 409)
    survey.refresh_from_db()
    assert survey.answered_at is None and survey.satisfaction is None
    assert "survey_answered" not in _kinds(resolved)


def test_a_dissatisfied_click_reopens_raises_priority_and_tells_the_assignee_through_the_task(
    resolved, agent, followups
):
    resolved.assignee = agent
    resolved.save(update_fields=["assignee"])
    agent.email = "ana@example.com"
    agent.save(update_fields=["email"])
    survey = _sent(resolved)
    with followups() as queued:
        click = survey_click(token=_token(survey, 1))
        assert click.dissatisfied
        resolved.refresh_from_db()
        assert resolved.status == Status.RESOLVED  # nothing of the follow-up inside the answer's transaction
    assert len(queued) == 1
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS and resolved.priority == Priority.HIGH
    assert {"survey_answered", "reopened", "priority_changed"} <= set(_kinds(resolved))
    mails = OutboxMessage.objects.filter(recipient="ana@example.com", dedupe_key__startswith="survey-dissatisfied")
    assert mails.count() == 1
    # A retry (or a second worker) does nothing: the case is no longer resolved as the survey asked about.
    events = len(_kinds(resolved))
    assert survey_followup.call(survey_id=survey.pk, reason="score") is False
    assert len(_kinds(resolved)) == events and mails.count() == 1


def test_a_lost_follow_up_is_run_by_the_minutely_sweep_once(resolved, manager):
    manager.email = "m@example.com"
    manager.save(update_fields=["email"])
    survey = _sent(resolved)
    survey_click(token=_token(survey, 2))  # the test's transaction never commits: the task is never enqueued
    survey.refresh_from_db()
    resolved.refresh_from_db()
    assert survey.dissatisfied and resolved.status == Status.RESOLVED
    assert surveys_followups_due(now=survey.answered_at + timedelta(minutes=1)) == 0  # its task may still come
    assert surveys_followups_due(now=survey.answered_at + timedelta(minutes=3)) == 1
    assert surveys_followups_due(now=survey.answered_at + timedelta(minutes=4)) == 0
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS
    # No assignee: the managers are told.
    assert (
        OutboxMessage.objects.filter(recipient="m@example.com", dedupe_key__startswith="survey-dissatisfied").count()
        == 1
    )


def test_a_follow_up_for_a_case_an_agent_reopened_meanwhile_changes_nothing(resolved):
    survey = _sent(resolved)
    survey_click(token=_token(survey, 1))
    case_transition(case=resolved, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT)
    resolved.refresh_from_db()
    priority = resolved.priority
    assert survey_followup_run(survey_id=survey.pk, reason="score") is False
    resolved.refresh_from_db()
    assert resolved.priority == priority and "priority_changed" not in _kinds(resolved)


def test_a_head_request_from_a_mail_scanner_records_nothing(resolved):
    survey = _sent(resolved)
    client = Client()
    token = _token(survey, 1)
    assert client.head(f"/survey/{token}/").status_code == 200
    assert client.head("/survey/forged/").status_code == 404
    survey.refresh_from_db()
    assert survey.answered_at is None
    assert client.put(f"/survey/{token}/").status_code == 405


def test_the_page_after_a_click_speaks_the_emails_language_and_says_the_case_reopens(resolved):
    survey = _sent(resolved)
    page = Client().get(f"/survey/{_token(survey, 2)}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'lang="ru"' in text
    assert page["Referrer-Policy"] == "same-origin" and "no-cache" in page["Cache-Control"]
    assert 'data-testid="survey-score"' in text and "2" in text and 'data-testid="survey-reopening"' in text
    reused = Client().get(f"/survey/{_token(survey, 5)}/")
    assert reused.status_code == 200 and b'data-testid="survey-errors"' in reused.content  # the rest may follow


def test_the_rest_of_the_survey_posts_back_from_the_page_with_csrf_enforced(resolved):
    import re

    survey = _sent(resolved)
    client = Client(enforce_csrf_checks=True)
    link = f"/survey/{_token(survey, 4)}/"
    page = client.get(link)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert page.status_code == 200 and token is not None and "csrftoken" in page.cookies
    assert client.post(link, {"recommend": "9"}).status_code == 403  # no token: refused
    done = client.post(link, {"recommend": "9", "csrfmiddlewaretoken": token.group(1).decode()})
    assert done.status_code == 200 and b'data-testid="survey-thanks"' in done.content
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.recommend) == (4, 9)
