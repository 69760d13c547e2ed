"""The team's calendar in a real headless Chromium: an agent adds a weekday series and removes a free slot."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.models import Team, User
from amends.accounts.services import user_create
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401  (a fixture)
from amends.remedies.models import AppointmentSlot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_an_agent_keeps_the_teams_calendar(browser, live_server):  # type: ignore[no-untyped-def]  # noqa: F811
    team = Team.objects.create(name="Care")
    agent = user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    agent.team = team
    agent.save(update_fields=["team"])
    page = browser.new_context(locale="sk-SK").new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/console/calendar/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "agent-password-1")
    page.click("button[type=submit]")
    series = page.locator("[data-testid=series-add]")
    expect(series).to_be_visible()
    first = timezone.localdate() + timedelta(days=1)
    series.locator("input[name=first]").fill(first.isoformat())
    series.locator("input[name=last]").fill((first + timedelta(days=13)).isoformat())
    series.locator("input[name=day_start]").fill("10:00")
    series.locator("input[name=day_end]").fill("12:00")
    series.locator("input[name=minutes]").fill("30")
    series.locator("button[type=submit]").click()
    weekdays = sum(1 for d in range(14) if (first + timedelta(days=d)).weekday() < 5)
    expect(page.locator("[data-testid=calendar-slot]")).to_have_count(weekdays * 4)
    shot(page, "calendar-1-series-added")
    page.locator("[data-testid=slot-remove]").first.click()
    expect(page.locator("[data-testid=calendar-slot]")).to_have_count(weekdays * 4 - 1)
    assert AppointmentSlot.objects.filter(team=team).count() == weekdays * 4 - 1
    assert not violations, violations
