"""The console pages through the test client, with CSRF enforced as in a browser."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from amends.accounts.models import Team, User
from amends.cases.lifecycle import Priority
from amends.cases.models import CaseEvent
from amends.conftest import open_case
from amends.playbooks.models import CaseChecklistItem, Playbook, PlaybookStep, ResponseTarget
from amends.triage.models import Category

from .factories import category_of, save_playbook

pytestmark = pytest.mark.django_db
H, D = timedelta(hours=1), timedelta(days=1)


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def form_data(**overrides: object) -> dict[str, object]:
    """A complete playbook form as the browser sends it: targets empty, no steps, three empty new rows."""
    data: dict[str, object] = {"team": "", "reply_template": "", "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0"}
    for priority in (1, 2, 3, 4):
        for name in ("response", "resolution"):
            data[f"{name}_{priority}"] = ""
            data[f"{name}_{priority}_unit"] = "hours"
    for n in range(3):
        data[f"steps-{n}-step"], data[f"steps-{n}-text"], data[f"steps-{n}-ORDER"] = "", "", ""
    data.update(overrides)
    return data


@pytest.fixture
def category(db):  # type: ignore[no-untyped-def]
    return category_of(open_case().case)


def test_the_console_links_to_the_playbooks(agent):
    html = signed_in(agent).get("/console/").content.decode()
    assert 'href="/console/playbooks/"' in html


def test_the_list_shows_every_category_and_its_playbook(manager, category):
    team = Team.objects.create(name="Fulfilment")
    save_playbook(manager=manager, category=category, team=team, steps=["One", "Two"], remedy_kinds=["refund"])
    html = signed_in(manager).get("/console/playbooks/").content.decode()
    assert html.count('data-testid="playbook-row"') == 12
    assert category.name in html and "Fulfilment" in html and "Refund" in html


def test_a_manager_edits_a_playbook(manager, category):
    team = Team.objects.create(name="Fulfilment")
    client = signed_in(manager)
    url = f"/console/playbooks/{category.slug}/"
    data = form_data(
        csrfmiddlewaretoken=token(client, url),
        team=str(team.pk),
        response_1="30",
        response_1_unit="minutes",
        resolution_1="4",
        resolution_1_unit="hours",
        remedy_kinds=["replacement", "apology"],
        **{"steps-0-text": "Check the order", "steps-1-text": "Call the customer", "steps-1-ORDER": "1"},
    )
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    playbook = Playbook.objects.get(category=category)
    assert playbook.team == team and playbook.remedy_kinds == ["replacement", "apology"]
    assert [s.text for s in playbook.steps.all()] == ["Call the customer", "Check the order"]
    assert [(t.priority, t.first_response, t.resolution) for t in playbook.targets.all()] == [
        (1, timedelta(minutes=30), 4 * H)
    ]
    page = client.get(url).content.decode()
    assert "is saved" in page and 'value="Call the customer"' in page and 'value="30"' in page


def test_a_manager_removes_and_reorders_steps(manager, category):
    playbook = save_playbook(manager=manager, category=category, steps=["One", "Two", "Three"])
    one, two, three = playbook.steps.all()
    client = signed_in(manager)
    url = f"/console/playbooks/{category.slug}/"
    rows = {"steps-TOTAL_FORMS": "4", "steps-INITIAL_FORMS": "3"}
    for n, (step, order) in enumerate([(one, "2"), (two, "1"), (three, "3")]):
        rows |= {f"steps-{n}-step": str(step.public_id), f"steps-{n}-text": step.text, f"steps-{n}-ORDER": order}
    rows |= {"steps-2-DELETE": "on", "steps-3-step": "", "steps-3-text": "Four", "steps-3-ORDER": ""}
    response = client.post(url, form_data(csrfmiddlewaretoken=token(client, url), **rows))
    assert response.status_code == 302
    assert [(s.public_id, s.text) for s in PlaybookStep.objects.filter(playbook=playbook)] == [
        (two.public_id, "Two"),
        (one.public_id, "One"),
        (PlaybookStep.objects.get(text="Four").public_id, "Four"),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"response_1": "2", "response_1_unit": "days", "resolution_1": "8"}, "cannot be longer than the resolution"),
        ({"response_2": "0", "resolution_2": "8"}, "must be more than zero"),
        ({"response_3": "-4", "resolution_3": "8"}, "must be more than zero"),
        ({"response_3": "4", "resolution_3": "100", "resolution_3_unit": "days"}, "at most 90 days"),
        ({"response_4": "4"}, "leave both empty"),
        ({"response_4": "four", "resolution_4": "8"}, "Enter a whole number"),
        ({"response_4": "4", "response_4_unit": "weeks", "resolution_4": "8"}, "Select a valid choice"),
        ({"steps-0-text": "x" * 301}, "at most 300 characters"),
        ({"remedy_kinds": ["cash"]}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(manager, category, fields, message):
    client = signed_in(manager)
    url = f"/console/playbooks/{category.slug}/"
    response = client.post(
        url, form_data(csrfmiddlewaretoken=token(client, url), **{"steps-1-text": "Kept?"}, **fields)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and "The playbook was not saved" in html
    assert not Playbook.objects.exists() and not PlaybookStep.objects.exists()


def test_errors_come_in_the_managers_language(manager, category):
    client = signed_in(manager)
    url = f"/console/playbooks/{category.slug}/"
    data = form_data(csrfmiddlewaretoken=token(client, url), response_1="2", response_1_unit="days", resolution_1="8")
    html = client.post(url, data, headers={"Accept-Language": "sk"}).content.decode()
    assert "Urgentná: lehota na prvú odpoveď (2 d) nemôže byť dlhšia ako lehota na vyriešenie (8 h)." in html


def test_an_agent_reads_a_playbook_but_cannot_change_it(agent, manager, category):
    save_playbook(manager=manager, category=category, steps=["Check the order"])
    client = signed_in(agent)
    url = f"/console/playbooks/{category.slug}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Check the order" in html
    assert 'data-testid="playbook-form"' not in html and "<input" not in html.split("<main>")[1]
    # The read-only page has no form: the token comes from another console page.
    response = client.post(url, form_data(csrfmiddlewaretoken=token(client, "/console/"), **{"steps-0-text": "Mine"}))
    assert response.status_code == 403
    assert [s.text for s in PlaybookStep.objects.all()] == ["Check the order"]


def test_a_post_without_the_csrf_token_is_refused(manager, category):
    response = signed_in(manager).post(f"/console/playbooks/{category.slug}/", form_data(**{"steps-0-text": "x"}))
    assert response.status_code == 403 and not Playbook.objects.exists()


def test_an_unknown_or_removed_category_is_a_404(manager, category):
    client = signed_in(manager)
    assert client.get("/console/playbooks/no_such_category/").status_code == 404
    category.is_active = False
    category.save()
    assert client.get(f"/console/playbooks/{category.slug}/").status_code == 404


def test_a_manager_sets_the_company_defaults(manager):
    client = signed_in(manager)
    data = {"csrfmiddlewaretoken": token(client, "/console/playbooks/")}
    for priority, (first, resolution) in {1: ("1", "6"), 2: ("2", "12"), 3: ("4", "24"), 4: ("8", "48")}.items():
        data |= {f"response_{priority}": first, f"response_{priority}_unit": "hours"}
        data |= {f"resolution_{priority}": resolution, f"resolution_{priority}_unit": "hours"}
    response = client.post("/console/playbooks/", data)
    assert response.status_code == 302
    assert ResponseTarget.objects.get(playbook=None, priority=Priority.URGENT).resolution == 6 * H
    data |= {"resolution_2": "1", "resolution_2_unit": "hours"}
    refused = client.post("/console/playbooks/", data)
    assert refused.status_code == 400 and "cannot be longer than the resolution" in refused.content.decode()
    assert ResponseTarget.objects.get(playbook=None, priority=Priority.HIGH).resolution == 12 * H


def test_an_agent_cannot_set_the_company_defaults(agent):
    client = signed_in(agent)
    html = client.get("/console/playbooks/").content.decode()
    assert "Save default targets" not in html
    response = client.post(
        "/console/playbooks/", {"csrfmiddlewaretoken": token(client, "/console/"), "response_1": "1"}
    )
    assert response.status_code == 403


def test_the_case_page_shows_the_checklist_and_an_agent_ticks_a_step(agent, manager):
    case = open_case().case
    save_playbook(manager=manager, category=category_of(case), steps=["Check the order", "Send the right size"])
    step = PlaybookStep.objects.get(text="Send the right size")
    client = signed_in(agent)
    page = f"/console/cases/{case.public_id}/"
    html = client.get(page).content.decode()
    assert 'data-testid="checklist"' in html and "Send the right size" in html and "0 of 2 steps done" in html
    url = f"/console/cases/{case.public_id}/checklist/{step.public_id}/"
    panel = client.post(url, {"csrfmiddlewaretoken": token(client, page), "done": "1"}, headers={"HX-Request": "true"})
    body = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in body
    assert "1 of 2 steps done" in body and "done by Ana" in body
    assert CaseChecklistItem.objects.get(case=case, step=step).done_by == agent
    # Unticking: the checkbox is simply not sent. A plain form (no htmx) goes back to the case page.
    response = client.post(url, {"csrfmiddlewaretoken": token(client, page)})
    assert response.status_code == 302 and response["Location"] == page
    assert not CaseChecklistItem.objects.exists()
    assert case.events.filter(kind=CaseEvent.Kind.CHECKLIST_STEP_UNDONE).exists()
    timeline = client.get(page).content.decode()
    assert "Checklist step done" in timeline and "Checklist step undone" in timeline


def test_ticking_a_step_that_is_gone_says_so(agent, manager):
    case = open_case().case
    save_playbook(manager=manager, category=category_of(case), steps=["Check the order"])
    step = PlaybookStep.objects.get()
    client = signed_in(agent)
    page = f"/console/cases/{case.public_id}/"
    csrf = token(client, page)
    step.delete()
    url = f"/console/cases/{case.public_id}/checklist/{step.public_id}/"
    panel = client.post(url, {"csrfmiddlewaretoken": csrf, "done": "1"}, headers={"HX-Request": "true"})
    assert "not in this case&#x27;s playbook any more" in panel.content.decode()
    assert not CaseChecklistItem.objects.exists()


def test_the_checklist_needs_a_sign_in_and_csrf(agent, manager):
    case = open_case().case
    save_playbook(manager=manager, category=category_of(case), steps=["Check the order"])
    step = PlaybookStep.objects.get()
    url = f"/console/cases/{case.public_id}/checklist/{step.public_id}/"
    assert Client().post(url, {"done": "1"}).status_code == 302  # to the sign-in page
    assert signed_in(agent).post(url, {"done": "1"}).status_code == 403
    assert not CaseChecklistItem.objects.exists()


def test_correcting_the_category_on_the_case_page_applies_the_new_playbook(agent, manager):
    case = open_case(priority=Priority.NORMAL).case
    other = Category.objects.filter(is_active=True).exclude(pk=category_of(case).pk).first()
    team = Team.objects.create(name="Web & App")
    save_playbook(manager=manager, category=other, team=team, targets={Priority.NORMAL: (H, 6 * H)}, steps=["Look"])
    client = signed_in(agent)
    page = f"/console/cases/{case.public_id}/"
    response = client.post(f"{page}category/", {"csrfmiddlewaretoken": token(client, page), "category": other.slug})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.team == team and case.resolution_due_at - case.created_at == 6 * H
    html = client.get(page).content.decode()
    assert "Playbook applied: team Web &amp; App, new targets" in html and "Look" in html


# The same pattern as the Content-Security-Policy test: a <script> without src, a <style>, a style= or on*= attribute.
INLINE = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>|<style\b|\sstyle=|\son[a-z]+=', re.I)


def test_the_pages_have_no_inline_script_or_style(agent, manager):
    case = open_case().case
    category = category_of(case)
    step = save_playbook(manager=manager, category=category, steps=["Check the order"]).steps.get()
    staff, reader = signed_in(manager), signed_in(agent)
    page = f"/console/cases/{case.public_id}/"
    panel = reader.post(
        f"{page}checklist/{step.public_id}/",
        {"csrfmiddlewaretoken": token(reader, page), "done": "1"},
        headers={"HX-Request": "true"},
    )
    bodies = [
        staff.get("/console/playbooks/").content.decode(),
        staff.get(f"/console/playbooks/{category.slug}/").content.decode(),
        reader.get(f"/console/playbooks/{category.slug}/").content.decode(),
        panel.content.decode(),
    ]
    # The case page's own markup is the cases app's; the checklist panel within it is checked as the partial above.
    for html in bodies:
        assert not INLINE.findall(html.split("<main>")[-1]), INLINE.findall(html)
