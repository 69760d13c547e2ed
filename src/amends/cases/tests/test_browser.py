"""The customer and the agent, end to end, in a real headless Chromium (Debian's, driven by Playwright)."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.models import Case
from amends.conftest import open_case

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/test installs it)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def expect(locator):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = Path(settings.DATA_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_customer_complains_and_an_agent_answers(browser, live_server, migration_seeds):  # type: ignore[no-untyped-def]
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    customer = browser.new_context(locale="ru-RU")
    page = customer.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Расскажите, что пошло не так"
    page.fill("textarea[name=description]", "Прислали кроссовки 40 размера вместо 42. <script>alert(1)</script>")
    page.fill("input[name=email]", "olga@example.com")
    page.fill("input[name=name]", "Ольга")
    page.click("button[type=submit]")
    reference = page.locator("[data-testid=reference]").inner_text()
    assert re.fullmatch(r"AM-\d{4}-\d{6,}", reference)
    shot(page, "1-customer-thanks")
    page.click("a.button")
    assert page.locator("[data-testid=case-status]").inner_text() == "Получено"

    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(live_server.url + "/console/")
    agent.fill("input[name=username]", "ana")
    agent.fill("input[name=password]", "agent-password-1")
    agent.click("button[type=submit]")
    agent.fill("input[name=q]", "кроссовки")  # htmx swaps the rows as the agent types
    # Waiting with expect(), not wait_for_function: the page's Content-Security-Policy forbids the eval that needs.
    expect(agent.locator("[data-testid=inbox-row]")).to_have_count(1)
    shot(agent, "2-agent-inbox")
    agent.click(f"text={reference}")
    assert "<script>alert(1)</script>" in agent.locator("[data-testid=message-in]").inner_text()
    triage_panel = agent.locator("[data-testid=triage]").inner_text()
    assert re.search(r"Category\s+Wrong item or size\s", triage_panel), triage_panel
    assert re.search(r"Language\s+Russian\s", triage_panel), triage_panel
    # The signals are behind "Why?", in words: closed at first, opened by a click.
    why = agent.locator("[data-testid=triage-why]")
    expect(why.locator("li").first).to_be_hidden()
    why.locator("summary").click()
    expect(why).to_contain_text("How sure")
    agent.fill("textarea[name=body] >> nth=0", "Ольга, простите нас: это наша ошибка. Правильная пара уже в пути.")
    agent.select_option("select[name=status_after]", "resolved")
    agent.click("text=Send reply")
    assert agent.locator("[data-testid=case-status]").inner_text() == "Resolved"
    shot(agent, "3-agent-case")

    page.reload()
    assert "Правильная пара уже в пути" in page.locator(".timeline").inner_text()
    page.click("button[value=no]")
    assert page.locator("[data-testid=case-status]").inner_text() == "В работе"
    shot(page, "4-customer-status")
    assert Case.objects.get(reference=reference).status == "in_progress"


def test_the_form_shows_errors_in_the_language_the_customer_picks(browser, live_server):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="en-US").new_page()
    page.goto(live_server.url + "/")
    page.select_option("#language-switch", "sk")
    page.wait_for_selector("text=Povedzte nám, čo sa pokazilo")
    page.fill("input[name=email]", "not an address")
    page.click("button[type=submit]")
    assert "Prosím, povedzte nám, čo sa stalo" in page.content()
    assert "Zadajte platnú e-mailovú adresu." in page.content()
    assert not Case.objects.exists()


def test_the_coach_speaks_as_the_agent_types_and_holds_the_authority_limit(browser, live_server, migration_seeds):  # type: ignore[no-untyped-def]
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    case = open_case(name="Olga", language="en", description="The shoes arrived in the wrong size.").case
    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(live_server.url + f"/console/cases/{case.public_id}/")
    agent.fill("input[name=username]", "ana")
    agent.fill("input[name=password]", "agent-password-1")
    agent.click("button[type=submit]")
    # Typing, not filling: the coach listens to keystrokes (htmx, debounced).
    agent.locator("#id_body").press_sequentially(
        "Olga, thank you, and sorry: our mistake. We will refund €120 today or resend."
    )
    agent.wait_for_selector("[data-testid=coach] li[data-rule=authority]")
    shot(agent, "5-coach-authority")
    agent.click("text=Send reply")
    assert "must be fixed, or overridden on purpose" in agent.content()
    assert not case.messages.filter(direction="out").exists()
    agent.check("input[name=override]")
    agent.click("text=Send reply")
    agent.wait_for_selector("text=Reply sent")
    assert case.messages.filter(direction="out").count() == 1
    assert case.events.filter(kind="coach_override").exists()
