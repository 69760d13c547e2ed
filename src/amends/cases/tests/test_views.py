import pytest
from django.test import Client

from amends.accounts.models import Team
from amends.cases.models import Case, CaseEvent, Message
from amends.cases.services import case_add_note
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_console_needs_a_sign_in(db):
    response = Client().get("/console/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_lists_open_cases_and_filters_them(agent_client):
    ru = open_case(email="a@example.com", language="ru", description="Кроссовки не пришли").case
    sk = open_case(email="b@example.com", language="sk", description="Topánky neprišli").case
    html = agent_client.get("/console/").content.decode()
    assert ru.reference in html and sk.reference in html
    filtered = agent_client.get("/console/?language=sk").content.decode()
    assert sk.reference in filtered and ru.reference not in filtered


def test_the_inbox_answers_htmx_with_only_the_rows(agent_client):
    case = open_case().case
    body = agent_client.get("/console/?status=open", headers={"HX-Request": "true"}).content.decode()
    assert "<table" in body and "<html" not in body
    assert body.count('data-testid="inbox-row"') == 1 and case.reference in body


# "AM-" is a reference cut short: not a reference search, and no customer wrote a word starting with "am".
@pytest.mark.parametrize(("query", "expected"), [("кроссовк", ["ru"]), ("topanky", ["sk"]), ("AM-", [])])
def test_full_text_search_finds_words_in_any_language(agent_client, query, expected):
    cases = {
        "ru": open_case(email="a@example.com", description="Кроссовки порвались").case,
        "sk": open_case(email="b@example.com", description="Topánky sa roztrhli").case,
    }
    response = agent_client.get(f"/console/?q={query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert [language for language, case in cases.items() if case.reference in html] == expected
    assert html.count('data-testid="inbox-row"') == len(expected)


def test_search_by_reference_and_by_email(agent_client):
    case = open_case(email="find.me@example.com").case
    open_case(email="other@example.com")
    assert case.reference in agent_client.get(f"/console/?q={case.reference.lower()}").content.decode()
    html = agent_client.get("/console/?q=find.me@example.com").content.decode()
    assert case.reference in html and html.count('data-testid="inbox-row"') == 1


def test_the_case_page_shows_timeline_notes_and_history(agent_client, agent):
    first = open_case(description="Первая жалоба").case
    case = open_case(description="Вторая жалоба").case
    case_add_note(case=case, actor=agent, body="Проверить склад")
    html = agent_client.get(f"/console/cases/{case.public_id}/").content.decode()
    assert "Вторая жалоба" in html and "Проверить склад" in html and first.reference in html


def test_an_unknown_case_is_a_404(agent_client):
    assert agent_client.get("/console/cases/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_replying_from_the_console_sends_under_the_brand(agent_client, agent):
    case = open_case().case
    response = agent_client.post(
        f"/console/cases/{case.public_id}/reply/", {"body": "Простите нас!", "status_after": "waiting"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "waiting"
    assert Message.objects.get(case=case, direction="out").author == agent
    assert OutboxMessage.objects.filter(case=case).count() == 2


def test_an_empty_reply_is_refused_on_the_page(agent_client):
    case = open_case().case
    response = agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": "   "})
    assert response.status_code == 400
    assert not Message.objects.filter(case=case, direction="out").exists()


def _case_form(case: Case, **changes: object) -> dict[str, object]:
    """The case page's one form as the page shows it, with `changes` made by the agent."""
    shown = {
        "status": case.status,
        "priority": case.priority,
        "team": case.team_id or "",
        "assignee": case.assignee_id or "",
    }
    return {**shown, **{f"shown_{k}": v for k, v in shown.items()}, **changes}


def test_an_illegal_status_change_is_refused_with_a_message(agent_client):
    case = open_case().case
    response = agent_client.post(f"/console/cases/{case.public_id}/update/", _case_form(case, status="closed"))
    assert response.status_code == 400
    assert "A case cannot go from Acknowledged to Closed. Nothing was changed." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "acknowledged"


def test_assignment_and_priority_are_recorded_on_the_timeline(agent_client, agent):
    team = Team.objects.create(name="Fulfilment")
    case = open_case().case
    agent_client.post(
        f"/console/cases/{case.public_id}/update/", _case_form(case, team=team.pk, assignee=agent.pk, priority=1)
    )
    refused = agent_client.post(f"/console/cases/{case.public_id}/update/", _case_form(case, priority=99))
    assert refused.status_code == 400
    case.refresh_from_db()
    assert case.team == team and case.assignee == agent and case.priority == 1
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count(CaseEvent.Kind.ASSIGNED) == 1 and kinds.count(CaseEvent.Kind.PRIORITY_CHANGED) == 1


def test_only_managers_see_the_outbox(agent_client, manager):
    assert agent_client.get("/console/outbox/").status_code == 403
    client = Client()
    client.force_login(manager)
    open_case()
    OutboxMessage.objects.update(state="failed", last_error="550 mailbox unavailable")
    html = client.get("/console/outbox/").content.decode()
    assert "550 mailbox unavailable" in html
    row = OutboxMessage.objects.get()
    client.post(f"/console/outbox/{row.public_id}/retry/")
    assert OutboxMessage.objects.get().state == "pending"


def test_attachments_download_only_for_agents(agent_client):
    from amends.cases.intake import Upload

    case = open_case(uploads=[Upload(name="bon.pdf", content=b"%PDF-1.4\n%%EOF\n")]).case
    attachment = case.attachments.get()
    assert Client().get(f"/console/attachments/{attachment.public_id}/").status_code == 302
    response = agent_client.get(f"/console/attachments/{attachment.public_id}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert Case.objects.count() == 1
