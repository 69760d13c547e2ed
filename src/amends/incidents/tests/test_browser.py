"""A manager promotes a flagged cluster, publishes at the recommended rung; an agent answers from the banner; a
visitor reads the public page in their language. In a real headless Chromium (Debian's, driven by Playwright)."""

from pathlib import Path

import pytest

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401 (the fixture)
from amends.incidents.models import Incident, IncidentStatement
from amends.remedies.tests.conftest import default_policy  # noqa: F401 (the fixture: the apology lists its options)

from .factories import flagged_cluster

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def sign_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_an_incident_from_cluster_to_public_page(browser, live_server, default_policy):  # type: ignore[no-untyped-def]  # noqa: F811
    # default_policy brings the migration-seeded rows back (categories; the reply templates the banner's button
    # fills the reply box from) after a transactional test's flush.
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)
    flagged_cluster()

    manager = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(manager, live_server.url + "/console/clusters/", "milan", "manager-password-1")
    manager.click("[data-testid=promote]")
    expect(manager.locator("[data-testid=incident-title]")).to_be_visible()
    incident = Incident.objects.get()
    assert "5 complaints" in manager.locator("[data-testid=incident-cases]").inner_text()
    expect(manager.locator("[data-testid=ladder-reasons]")).not_to_be_empty()
    manager.get_by_role("link", name="Blog post for everyone affected").click()
    expect(manager.locator("[data-testid=statement-en]")).to_contain_text("Coach")
    shot(manager, "incident-detail")
    manager.fill("#id_body", "We found the cause: a failed payment server. Fixed within the hour.")
    manager.check("#id_public")
    manager.get_by_role("button", name="Add update").click()
    expect(manager.locator("[data-testid=incident-timeline]")).to_contain_text("failed payment server")
    manager.get_by_role("link", name="Blog post for everyone affected").click()
    manager.click("[data-testid=publish]")
    # The promoted summary quotes a customer's words; the coach holds the Russian statement back until it is fixed.
    expect(manager.locator(".flash")).to_contain_text("must be fixed in the statement in ru")
    assert Incident.objects.get().published_at is None
    russian_text = manager.locator("[data-testid=statement-ru]")
    russian_text.locator("summary").click()
    russian_text.locator("textarea").fill(
        "Нам очень жаль: сайт не работал, и оплата не проходила. Это наша ошибка. Сейчас всё исправлено, и сегодня "
        "мы напишем каждому, кого это коснулось. Спасибо за терпение."
    )
    russian_text.get_by_role("button", name="Save this text").click()
    expect(manager.locator(".flash")).to_contain_text("Statement saved")
    manager.click("[data-testid=publish]")
    expect(manager.locator("[data-testid=published]")).to_be_visible()
    assert Incident.objects.get().public_level == "blog_post"

    agent = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    case = incident.links.first().case
    sign_in(agent, live_server.url + f"/console/cases/{case.public_id}/", "ana", "agent-password-1")
    expect(agent.locator("[data-testid=incident-banner]")).to_contain_text(incident.title)
    agent.click("[data-testid=incident-template]")
    expect(agent.locator("#id_body")).not_to_have_value("")
    shot(agent, "incident-case-banner")

    visitor = browser.new_context(locale="ru-RU", viewport={"width": 1000, "height": 900}).new_page()
    visitor.goto(live_server.url + f"/incidents/{incident.slug}")
    russian = IncidentStatement.objects.get(incident=incident, language="ru", level="blog_post")
    expect(visitor.locator("h1")).to_have_text(russian.title)
    expect(visitor.locator("[data-testid=public-updates]")).to_contain_text("failed payment server")
    expect(visitor.locator("[data-testid=statement]")).to_contain_text("Это наша ошибка")
    shot(visitor, "incident-public-ru")
    response = visitor.request.get(live_server.url + f"/incidents/{incident.slug}/feed.atom")
    assert response.ok and "failed payment server" in response.text()
