"""The dashboard in a real Chromium: the charts drawn, the switch, a bar that opens its cases, a bad period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.models import Case
from amends.cases.tests import test_browser as shared
from amends.cases.tests.test_browser import CHROMIUM, expect, shot
from amends.conftest import open_case
from amends.insights.services import rollups_rebuild

browser = shared.browser  # the module's Chromium, shared with the other browser tests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

STORIES = [
    ("ru", "Прислали кроссовки не того размера, а нужны к субботе."),
    ("en", "My parcel never arrived and nobody answers the phone."),
    ("bg", "Таксуваха ме два пъти за една поръчка."),
    ("sk", "Balík prišiel poškodený a reklamácia nefunguje."),
    ("en", "The app crashes every time I try to pay."),
    ("sr", "Porudžbina kasni već dve nedelje."),
]


def test_a_manager_reads_the_dashboard_and_opens_the_cases_behind_a_bar(browser, live_server):  # type: ignore[no-untyped-def]
    for i, (language, story) in enumerate(STORIES * 2):
        case = open_case(email=f"c{i}@example.com", name=f"Customer {i}", language=language, description=story).case
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(days=i * 2))
    rollups_rebuild()
    user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/console/insights/")
    page.fill("input[name=username]", "milan")
    page.fill("input[name=password]", "manager-password-1")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=chart-volume]")).to_be_visible()
    expect(page.locator("[data-testid=chart-offer]")).to_be_visible()
    shot(page, "insights-dashboard")

    page.click("nav.switch >> text=Language")
    expect(page).to_have_url(__import__("re").compile(r"by=language"))
    expect(page.locator("ul.legend")).to_contain_text("Russian")

    page.locator("[data-testid=chart-volume] a").first.click()
    expect(page).to_have_url(__import__("re").compile(r"/console/\?status=all&opened_from="))
    expect(page.locator("[data-testid=inbox-row]").first).to_be_visible()

    page.goto(live_server.url + "/console/insights/report/")
    page.emulate_media(media="print")
    expect(page.locator("[data-testid=report]")).to_contain_text("ISO 10002")
    expect(page.locator("header.top")).to_be_hidden()  # the console's navigation stays off the paper
    shot(page, "insights-report-print")
    page.emulate_media(media="screen")

    page.goto(live_server.url + "/console/insights/?from=2010-01-01&to=2026-01-01")
    expect(page.locator("[data-testid=period-error]")).to_contain_text("longer than two years")
    shot(page, "insights-bad-period")
