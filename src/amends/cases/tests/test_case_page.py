"""The case page and the inbox as an agent uses them, through the whole request stack (Django's test client)."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.lifecycle import Status
from amends.cases.models import ActorKind, Case, SavedView
from amends.cases.services import CaseConflict, case_transition
from amends.conftest import open_case
from amends.remedies.models import Remedy
from amends.replies.models import ReplyTemplate

pytestmark = pytest.mark.django_db
REPLY = "Простите нас, это наша ошибка. Правильная пара уже в пути."


def page(client: Client, case: Case) -> str:
    return client.get(f"/console/cases/{case.public_id}/").content.decode()


def shown(case: Case, **changes: object) -> dict[str, object]:
    values = {
        "status": case.status,
        "priority": case.priority,
        "team": case.team_id or "",
        "assignee": case.assignee_id or "",
    }
    return {**values, **{f"shown_{k}": v for k, v in values.items()}, **changes}


def test_the_customer_panel_lists_earlier_cases_with_status_and_remedy(agent_client, agent):
    earlier = [open_case(description=f"Проблема номер {i}: не тот размер.").case for i in range(8)]
    case_transition(case=earlier[0], to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    now = timezone.now()
    Remedy.objects.create(
        public_id=uuid.uuid4(), case=earlier[0], kind="refund", state="granted", created_at=now, updated_at=now
    )
    Remedy.objects.create(  # only offered, never taken: not "the" remedy of that case
        public_id=uuid.uuid4(), case=earlier[1], kind="gift", state="offered", created_at=now, updated_at=now
    )
    case = open_case().case
    html = page(agent_client, case)
    history = html[html.index('data-testid="customer-history"') :]
    history = history[: history.index("</ul>")]
    assert all(other.reference in history for other in earlier) and case.reference not in history
    assert history.count("<li>") == 8
    assert "Resolved" in history and "Refund · Granted" in history and "Gift" not in history


def test_the_heading_is_the_subject_not_the_complaint(agent_client):
    case = open_case(subject="Re: [AM-2026-000001] Wrong size", description="I ordered 43 and got 41. " * 10).case
    assert '<span data-testid="case-heading">Wrong size</span>' in page(agent_client, case)
    untitled = open_case(email="b@example.com", description="The sole came off. After two weeks!").case
    assert '<span data-testid="case-heading">The sole came off.</span>' in page(agent_client, untitled)


def test_status_priority_team_and_assignee_are_one_form_with_one_button(agent_client):
    html = page(agent_client, open_case().case)
    form = html[html.index('data-testid="case-form"') :]
    form = form[: form.index("</form>")]
    for name in ("status", "priority", "team", "assignee"):
        assert f'name="{name}"' in form
    assert form.count("<button") == 1
    assert "/status/" not in html and "/priority/" not in html and "/assign/" not in html


def test_the_assignee_list_shows_names_not_usernames(agent_client):
    user_create(username="bpetrov", password="agent-password-2", first_name="Boris", last_name="Petrov")
    html = page(agent_client, open_case().case)
    form = html[html.index('name="assignee"') :]
    form = form[: form.index("</select>")]
    assert "Boris Petrov" in form and "bpetrov" not in form


def test_the_form_changes_only_what_the_agent_changed(agent_client, manager):
    case = open_case().case
    form = shown(case, priority=1)  # the page as loaded
    case_transition(case=case, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT, actor=manager)  # a colleague
    response = agent_client.post(f"/console/cases/{case.public_id}/update/", form, follow=True)
    assert "Case updated." in response.content.decode()
    case.refresh_from_db()
    assert (case.priority, case.status) == (1, Status.IN_PROGRESS)  # the colleague's change stays


@pytest.mark.parametrize("bad", [{"status": "lost"}, {"priority": "x"}, {"assignee": "999999"}, {"team": "abc"}])
def test_the_form_refuses_bad_input_and_changes_nothing(agent_client, bad):
    case = open_case().case
    before = case.events.count()
    response = agent_client.post(f"/console/cases/{case.public_id}/update/", shown(case, **{"priority": 1, **bad}))
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    case.refresh_from_db()
    assert case.priority == 3 and case.events.count() == before  # the valid priority was not saved either


def test_a_reply_that_meets_a_changed_case_says_so_instead_of_failing(agent_client, monkeypatch):
    case = open_case().case

    def conflict(**_kwargs: object) -> None:
        raise CaseConflict(case.reference)

    monkeypatch.setattr("amends.cases.views.case_reply", conflict)
    response = agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": REPLY})
    assert response.status_code == 400
    assert "the case changed while you wrote" in response.content.decode()


def test_replying_on_the_page_assigns_the_case_to_the_agent(agent_client, agent):
    case = open_case().case
    agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": REPLY})
    case.refresh_from_db()
    assert case.assignee == agent


def test_overdue_is_only_what_has_really_missed_its_deadline(agent_client):
    late = open_case(email="late@example.com").case
    fresh = open_case(email="fresh@example.com").case
    Case.objects.filter(pk=late.pk).update(next_due_at=timezone.now() - timedelta(minutes=5))  # not yet flagged
    Case.objects.filter(pk=fresh.pk).update(breached=True)  # a stale flag on a deadline still ahead
    html = agent_client.get("/console/").content.decode()
    rows = {ref: html[html.index(ref) :][:1500] for ref in (late.reference, fresh.reference)}
    assert 'data-testid="overdue"' in rows[late.reference].split("</tr>")[0]
    assert 'data-testid="overdue"' not in rows[fresh.reference].split("</tr>")[0]
    assert 'data-testid="overdue"' not in page(agent_client, fresh)
    assert 'data-testid="overdue"' in page(agent_client, late)


def test_agents_read_templates_without_an_edit_box_managers_edit_them(agent_client, manager):
    template = ReplyTemplate.objects.filter(language="en").first()
    html = agent_client.get(f"/console/templates/{template.pk}/").content.decode()
    assert "<textarea" not in html and 'name="subject"' not in html and 'data-testid="template-body"' in html
    client = Client()
    client.force_login(manager)
    html = client.get(f"/console/templates/{template.pk}/").content.decode()
    assert "<textarea" in html and 'value="save"' in html


# --- the inbox: bulk actions and saved views -------------------------------------------------------------------


def test_bulk_actions_report_each_case_changed_or_refused(agent_client, agent):
    cases = [open_case(email=f"c{i}@example.com").case for i in range(3)]
    case_transition(case=cases[2], to=Status.RESOLVED, actor_kind=ActorKind.AGENT, actor=agent)
    case_transition(case=cases[2], to=Status.CLOSED, actor_kind=ActorKind.AGENT, actor=agent)
    response = agent_client.post(
        "/console/bulk/",
        {"case": [str(c.public_id) for c in cases], "status": "waiting", "priority": "", "assignee": str(agent.pk)},
        follow=True,
    )
    html = response.content.decode()
    assert f"2 cases changed: {cases[0].reference}, {cases[1].reference}." in html
    assert f"{cases[2].reference} not changed: it cannot go from Closed to Waiting for customer." in html
    assert Case.objects.filter(status="waiting", assignee=agent).count() == 2
    cases[2].refresh_from_db()
    assert cases[2].assignee is None  # refused whole, not half


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "waiting"}, "Tick the cases to change first."),
        ({"case": "x", "status": "gone"}, "Choose the change from the lists."),
        ({"case": "x"}, "Choose what to change."),
        ({"case": str(uuid.uuid4()), "priority": "2"}, "1 case was not found."),
    ],
)
def test_bulk_actions_refuse_bad_input_clearly(agent_client, data, message):
    response = agent_client.post("/console/bulk/", data, follow=True)
    assert response.status_code == 200 and message in response.content.decode()


def test_an_agent_saves_lists_opens_and_deletes_views(agent_client, agent, manager):
    response = agent_client.post("/console/views/", {"name": "Russian", "query": "language=ru&page=2"}, follow=True)
    assert response.redirect_chain[-1][0] == "/console/?language=ru"
    view = SavedView.objects.get(owner=agent)
    other = SavedView.objects.create(owner=manager, name="Managers' own", query="status=all", created_at=timezone.now())
    html = agent_client.get("/console/").content.decode()
    assert 'href="/console/?language=ru"' in html and "Russian" in html and "Managers&#x27; own" not in html
    assert agent_client.post(f"/console/views/{other.pk}/delete/", follow=True).status_code == 200
    assert SavedView.objects.filter(pk=other.pk).exists()
    agent_client.post(f"/console/views/{view.pk}/delete/")
    assert not SavedView.objects.filter(owner=agent).exists()


def test_a_view_without_a_name_is_refused_with_a_message(agent_client):
    response = agent_client.post("/console/views/", {"name": "  ", "query": "status=all"}, follow=True)
    assert (
        "This field is required." in response.content.decode() or "Give the view a name." in response.content.decode()
    )
    assert not SavedView.objects.exists()


def test_only_signed_in_staff_reach_bulk_and_views(db):
    assert Client().post("/console/bulk/", {"case": "x", "priority": "1"}).status_code == 302
    assert Client().post("/console/views/", {"name": "x"}).status_code == 302
    assert User.objects.count() == 0
