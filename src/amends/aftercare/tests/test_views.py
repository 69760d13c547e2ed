from datetime import timedelta

from django.test import Client
from django.utils import timezone

from amends.aftercare import links
from amends.aftercare.models import AdvocateAction, CorrectiveAction, RootCause, Survey
from amends.aftercare.surveys import surveys_send_due
from amends.cases.lifecycle import Status
from amends.outbox.models import OutboxMessage


def _link(survey: Survey, score: int) -> str:
    token = links.survey_token(survey_id=survey.public_id, nonce=survey.nonce, score=score)
    return f"/survey/{token}/"


def _sent(case) -> Survey:  # type: ignore[no-untyped-def]
    survey = Survey.objects.get(case=case)
    surveys_send_due(now=survey.due_at)
    survey.refresh_from_db()
    return survey


def test_the_case_page_records_a_root_cause_in_place(agent_client, resolved, team):
    page = agent_client.get(f"/console/cases/{resolved.public_id}/")
    assert page.status_code == 200 and b'data-testid="root-cause-form"' in page.content
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = agent_client.post(
        f"/console/cases/{resolved.public_id}/root-cause/",
        {
            "category": "supplier",
            "text": "The supplier shipped the wrong batch.",
            "action_what": "Audit supplier",
            "action_team": team.pk,
            "action_due": due,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "wrong batch" in response.content.decode()
    assert RootCause.objects.get().actions.get().what == "Audit supplier"


def test_the_panel_tells_why_nothing_was_stored(agent_client, resolved, team):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = agent_client.post(
        f"/console/cases/{resolved.public_id}/root-cause/",
        {
            "category": "supplier",
            "text": "Wrong batch",
            "action_what": "Audit",
            "action_team": team.pk,
            "action_due": past,
        },
        headers={"HX-Request": "true"},
    )
    assert "in the past" in response.content.decode()
    assert not RootCause.objects.exists()


def test_an_open_case_has_no_root_cause_form(agent_client, opened):
    page = agent_client.get(f"/console/cases/{opened.case.public_id}/")
    assert b'data-testid="root-cause-form"' not in page.content


def test_managers_list_overdue_actions_first_and_verify(manager, resolved, team):
    from amends.aftercare.services import ActionSpec, root_cause_record

    client = Client()
    client.force_login(manager)
    root = root_cause_record(
        category="process",
        text="Slow",
        actor=manager,
        case=resolved,
        actions=[
            ActionSpec(what="Later one", team_id=team.pk, due_date=timezone.localdate() + timedelta(days=9)),
            ActionSpec(what="Soon one", team_id=team.pk, due_date=timezone.localdate()),
        ],
    )
    CorrectiveAction.objects.filter(what="Later one").update(due_date=timezone.localdate() - timedelta(days=2))
    page = client.get("/console/actions/").content.decode()
    assert page.index("Later one") < page.index("Soon one") and "overdue" in page
    action = root.actions.get(what="Soon one")
    client.post(f"/console/actions/{action.public_id}/advance/", {"to": "done"})
    client.post(f"/console/actions/{action.public_id}/advance/", {"to": "verified"})
    action.refresh_from_db()
    assert action.status == "verified"


def test_agents_may_not_see_the_managers_pages(agent_client):
    for url in ("/console/actions/", "/console/advocates/", "/console/aftercare/"):
        assert agent_client.get(url).status_code == 403


def test_one_click_answer_then_the_rest_then_reuse(client, resolved):
    survey = _sent(resolved)
    page = client.get(_link(survey, 5))
    assert page.status_code == 200 and "5" in page.content.decode()
    survey.refresh_from_db()
    assert survey.satisfaction == 5 and survey.answered_via == "email"
    done = client.post(_link(survey, 5), {"remedy_worth": "yes", "recommend": "10", "comment": "Спасибо!"})
    assert done.status_code == 200 and b'data-testid="survey-thanks"' in done.content
    reused = client.get(_link(survey, 1))
    assert reused.status_code == 409
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.recommend) == (5, 10)


def test_forged_expired_and_reopened_links_are_pages_not_errors(client, resolved):
    survey = _sent(resolved)
    assert client.get("/survey/forged-token/").status_code == 404
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(_link(survey, 4)).status_code == 410
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() + timedelta(days=1))
    from amends.cases.models import ActorKind
    from amends.cases.services import case_transition

    case_transition(case=resolved, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT)
    page = client.get(_link(survey, 4))
    assert page.status_code == 409 and b"reopened" in page.content


def test_the_status_page_asks_and_takes_the_answer(client, resolved):
    from amends.portal.services import status_link_create

    _sent(resolved)
    _link_row, url = status_link_create(case=resolved)
    client.get(url.replace("http://127.0.0.1:8000", ""))
    page = client.get(f"/status/{resolved.public_id}/")
    assert b'data-testid="status-survey"' in page.content
    client.post(f"/status/{resolved.public_id}/survey/", {"satisfaction": "7"})
    assert Survey.objects.get(case=resolved).answered_at is None  # out of range: told, nothing stored
    client.post(f"/status/{resolved.public_id}/survey/", {"satisfaction": "4", "recommend": "9"})
    survey = Survey.objects.get(case=resolved)
    assert (survey.satisfaction, survey.recommend, survey.answered_via) == (4, 9, "portal")


def test_a_manager_thanks_and_rewards_an_advocate(manager, resolved):
    manager.email = "m@example.com"
    manager.save(update_fields=["email"])
    survey = _sent(resolved)
    from amends.aftercare.surveys import survey_answer

    survey_answer(survey=survey, satisfaction=5, recommend=10, comment="Отлично, спасибо", via="email")
    client = Client()
    client.force_login(manager)
    page = client.get("/console/advocates/")
    assert b'data-testid="advocate"' in page.content
    url = f"/console/advocates/{resolved.customer.public_id}/act/"
    client.post(url, {"kind": "thank", "case": str(resolved.public_id)})
    client.post(url, {"kind": "reward", "amount": "10", "currency": "EUR", "case": str(resolved.public_id)})
    client.post(url, {"kind": "invite_review", "case": str(resolved.public_id)})  # no link: refused
    kinds = list(AdvocateAction.objects.values_list("kind", flat=True).order_by("id"))
    assert kinds == ["thank", "reward"]
    reward = AdvocateAction.objects.get(kind="reward")
    assert reward.code is not None and reward.outbox is not None
    assert OutboxMessage.objects.filter(recipient=resolved.customer.email, subject__isnull=False).count() >= 3
