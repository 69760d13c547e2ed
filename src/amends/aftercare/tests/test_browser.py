"""Aftercare in a real headless Chromium: an agent records a resolved case's root cause in the case page's panel
(htmx, in place), and the customer answers the survey in one click from the e-mail, then the rest."""

import re

import pytest

from amends.accounts.models import Team, User
from amends.accounts.services import user_create
from amends.aftercare.models import RootCause, Survey
from amends.aftercare.surveys import surveys_send_due
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401  (a fixture)
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage

from .conftest import resolve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_root_cause_in_the_panel_and_the_one_click_survey(browser, live_server):  # type: ignore[no-untyped-def]  # noqa: F811
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    Team.objects.create(name="Fulfilment")
    case = resolve(open_case().case)

    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(live_server.url + "/console/")
    agent.fill("input[name=username]", "ana")
    agent.fill("input[name=password]", "agent-password-1")
    agent.click("button[type=submit]")
    agent.goto(f"{live_server.url}/console/cases/{case.public_id}/")
    form = agent.locator("[data-testid=root-cause-form]")
    form.locator("select[name=category]").select_option("logistics")
    form.locator("textarea[name=text]").fill("The courier mixed up two parcels at the depot.")
    form.locator("input[name=action_what]").fill("Scan labels at the depot")
    form.locator("select[name=action_team]").select_option(label="Fulfilment")
    form.locator("input[name=action_due]").fill("2099-01-31")
    form.locator("[data-testid=record-root-cause]").click()
    expect(agent.locator("[data-testid=root-cause]")).to_contain_text("mixed up two parcels")
    assert RootCause.objects.get().actions.count() == 1
    shot(agent, "aftercare-1-root-cause-panel")

    survey = Survey.objects.get(case=case)
    surveys_send_due(now=survey.due_at)
    mail = OutboxMessage.objects.get(dedupe_key=f"survey:{survey.pk}")
    five = re.search(r"^5 – .*\n\s+(\S+)", mail.body, re.M)
    assert five, mail.body
    customer = browser.new_context(locale="ru-RU").new_page()
    customer.goto(five.group(1).replace("http://127.0.0.1:8000", live_server.url))
    expect(customer.locator("[data-testid=survey-score]")).to_contain_text("5")
    shot(customer, "aftercare-2-survey-one-click")
    customer.check("input[name=remedy_worth][value=yes]")
    customer.select_option("select[name=recommend]", "10")
    customer.fill("textarea[name=comment]", "Спасибо, всё отлично!")
    customer.click("[data-testid=survey-send]")
    expect(customer.locator("[data-testid=survey-thanks]")).to_be_visible()
    shot(customer, "aftercare-3-survey-thanks")
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.remedy_worth, survey.recommend) == (5, "yes", 10)
