"""A manager edits the remedy policy in a real headless Chromium (Debian's, driven by Playwright): a mistake is
shown with its line and reason and activates nothing; fixed, the draft is previewed over the recent cases and
activated as a new version."""

from pathlib import Path

import pytest

from amends.accounts.models import Team, User
from amends.accounts.services import user_create
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401 (the fixture)
from amends.conftest import open_case
from amends.remedies.models import RemedyPolicy

from .conftest import SIMPLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_a_manager_fixes_a_mistake_previews_and_activates(browser, live_server, default_policy):  # type: ignore[no-untyped-def]  # noqa: F811
    team = Team.objects.create(name="Shoes")
    user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER, team=team)
    open_case(order_value="60", order_currency="EUR", language="en", description="The shoes are the wrong size.")
    open_case(email="petra@example.com", order_value="20", order_currency="EUR", language="en")
    page = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1400}).new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/console/remedies/policy/")
    page.fill("input[name=username]", "milan")
    page.fill("input[name=password]", "manager-password-1")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=active-policy]")).to_contain_text("Active: version 1")

    good = SIMPLE.replace("{auto}", "false")
    broken = good.replace("fixed = 30", "fixed = 30\ncolour = 3")
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "colour" in text)
    page.fill("[data-testid=source]", broken)
    page.click("[data-testid=activate]")
    problem = page.locator("[data-testid=problem]").first
    expect(problem).to_contain_text(f"Line {line}")
    expect(problem).to_contain_text("colour")
    shot(page, "policy-1-a-mistake-with-its-line")
    assert RemedyPolicy.objects.get(is_active=True).version == 1

    page.fill("[data-testid=source]", good)
    page.click("[data-testid=preview-button]")
    preview = page.locator("[data-testid=preview]")
    expect(preview).to_contain_text("last 2 cases")
    expect(page.locator("[data-testid=preview-rule]").first).to_contain_text("Every case")
    expect(page.locator("[data-testid=preview-change]")).to_have_count(2)
    shot(page, "policy-2-preview")

    page.fill("input[name=note]", "One rule for every case")
    page.click("[data-testid=activate]")
    expect(page.locator("[data-testid=active-policy]")).to_contain_text("Active: version 2")
    expect(page.locator("body")).to_contain_text("Version 2 is active")
    shot(page, "policy-3-activated")
    active = RemedyPolicy.objects.get(is_active=True)
    assert (active.version, active.note) == (2, "One rule for every case")

    page.click("nav >> text=Set-up")  # the menu opens, then the page in it
    page.click("nav >> text=Rates")
    page.fill("[data-testid=rate-currency]", "usd")
    page.fill("[data-testid=rate-rate]", "-0.9")
    page.click("[data-testid=rate-add]")
    expect(page.locator(".error")).to_contain_text("positive number")
    page.fill("[data-testid=rate-rate]", "0.9")
    page.click("[data-testid=rate-add]")
    expect(page.locator("[data-testid=rate-row]")).to_contain_text("USD")
    shot(page, "policy-4-rates")
    page.click("nav >> text=Set-up")
    page.click("nav >> text=Budgets")
    page.fill("[data-testid=budget-amount]", "1000")
    page.click("text=Save >> nth=0")
    expect(page.locator("[data-testid=budget-row]")).to_contain_text("1000")
    shot(page, "policy-5-budgets")
    assert not violations, violations
