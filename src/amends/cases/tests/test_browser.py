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


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = Path(settings.DATA_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_customer_complains_and_an_agent_answers(browser, live_server):  # type: ignore[no-untyped-def]
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
    assert re.fullmatch(r"AM-\d{4}-\d{6}", reference)
    shot(page, "1-customer-thanks")
    page.click("a.button")
    assert page.locator("[data-testid=case-status]").inner_text() == "Получено"

    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(live_server.url + "/console/")
    agent.fill("input[name=username]", "ana")
    agent.fill("input[name=password]", "agent-password-1")
    agent.click("button[type=submit]")
    agent.fill("input[name=q]", "кроссовки")  # htmx swaps the rows as the agent types
    agent.wait_for_function("document.querySelectorAll('[data-testid=inbox-row]').length === 1")
    shot(agent, "2-agent-inbox")
    agent.click(f"text={reference}")
    assert "<script>alert(1)</script>" in agent.locator("[data-testid=message-in]").inner_text()
    triage_panel = agent.locator("[data-testid=triage]").inner_text()
    assert "wrong_item" in triage_panel or "Wrong item" in triage_panel
    assert "ru" in triage_panel
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
