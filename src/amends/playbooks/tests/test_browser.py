"""An agent works through a case's checklist in a real headless Chromium (Debian's, driven by Playwright)."""

from pathlib import Path

import pytest

from amends.accounts.models import Team, User
from amends.accounts.services import user_create
from amends.cases.tests.test_browser import CHROMIUM, browser  # noqa: F401 (the fixture)
from amends.conftest import open_case
from amends.playbooks.models import CaseChecklistItem
from amends.triage.models import Category
from amends.triage.services import triage_correct

from .factories import save_playbook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
SHOTS = Path("/tmp")  # noqa: S108 (screenshots to look at, not data)


def sign_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_an_agent_ticks_a_checklist_step_and_sees_who_did_it(browser, live_server, migration_seeds):  # type: ignore[no-untyped-def]  # noqa: F811
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    manager = user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)
    category = Category.objects.get(slug="wrong_item")
    save_playbook(
        manager=manager,
        category=category,
        team=Team.objects.create(name="Fulfilment"),
        steps=["Check the order and the warehouse", "Send the right size by courier", "Call the customer back"],
        remedy_kinds=["replacement", "discount_code"],
    )
    case = open_case(name="Olga", language="en", description="The shoes arrived in the wrong size.").case
    triage_correct(case_id=case.pk, text=case.description, category_slug="wrong_item", actor=manager)

    agent = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(agent, live_server.url + f"/console/cases/{case.public_id}/", "ana", "agent-password-1")
    checklist = agent.locator("[data-testid=checklist]")
    assert "0 of 3 steps done" in checklist.inner_text()
    agent.get_by_label("Send the right size by courier").check()  # htmx posts the change and swaps the panel
    agent.wait_for_selector("[data-testid=checklist-done-by]")
    panel = agent.locator("[data-testid=checklist]").inner_text()
    assert "1 of 3 steps done" in panel and "done by Ana" in panel
    item = CaseChecklistItem.objects.get(case=case)
    assert item.text == "Send the right size by courier" and item.done_by.username == "ana"
    agent.screenshot(path=str(SHOTS / "playbooks-case.png"), full_page=True)
    agent.reload()  # the record is the server's, not the browser's
    assert agent.get_by_label("Send the right size by courier").is_checked()
    assert "Checklist step done" in agent.locator("#timeline").inner_text()

    editor = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, live_server.url + "/console/playbooks/wrong_item/", "milan", "manager-password-1")
    editor.wait_for_selector("[data-testid=playbook-form]")
    editor.screenshot(path=str(SHOTS / "playbooks-edit.png"), full_page=True)
    editor.fill("#id_response_1", "2")
    editor.select_option("#id_response_1_unit", "days")
    editor.fill("#id_resolution_1", "8")
    editor.click("text=Save playbook")
    editor.wait_for_selector("text=The playbook was not saved")
    assert "Urgent: the response target (2 d) cannot be longer than the resolution target (8 h)." in editor.content()
    editor.screenshot(path=str(SHOTS / "playbooks-edit-refused.png"), full_page=True)
    editor.goto(live_server.url + "/console/playbooks/")
    editor.screenshot(path=str(SHOTS / "playbooks-list.png"), full_page=True)
