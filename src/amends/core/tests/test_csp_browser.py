"""Under the strict Content-Security-Policy the pages still work in a real Chromium, and it reports no violation:
the language switch, the complaint form, the status page, sign-in, the inbox search and the coach (htmx), a
template dropped into the reply box (htmx), the templates filter and the API docs (Swagger UI from our own files).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.tests.test_browser import CHROMIUM, browser, expect  # noqa: F401 - the module's browser fixture
from amends.conftest import open_case
from amends.replies.models import ReplyTemplate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/test installs it)"
    ),
]

WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} on ${location.pathname}`);
});
"""


@pytest.fixture
def watched(browser) -> Iterator[tuple[object, list[str]]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A browser context that collects every CSP violation its pages report, as events and as console errors."""
    context = browser.new_context(locale="en-GB")
    violations: list[str] = []
    context.expose_binding("reportViolation", lambda _source, text: violations.append(text))
    context.add_init_script(WATCH)
    context.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield context, violations
    context.close()


def test_the_customer_pages_work_under_the_policy(watched, live_server):  # type: ignore[no-untyped-def]
    context, violations = watched
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.select_option("#language-switch", "sk")  # sent by amends.js, not an inline handler
    page.wait_for_selector("text=Povedzte nám, čo sa pokazilo")
    page.fill("textarea[name=description]", "Balík prišiel rozbitý.")
    page.fill("input[name=email]", "jana@example.com")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=reference]")
    page.click("a.button")
    page.wait_for_selector("[data-testid=case-status]")
    assert violations == []


def test_the_console_works_under_the_policy(watched, live_server):  # type: ignore[no-untyped-def]
    context, violations = watched
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.MANAGER)
    case = open_case(name="Olga", language="en", description="The shoes arrived in the wrong size.").case
    open_case(email="petr@example.com", name="Petr", language="en", description="Nobody answered my e-mail.")
    ReplyTemplate.objects.create(
        purpose="apology",
        language="en",
        subject="Sorry",
        body="Dear {customer_name}, we are sorry.",
        updated_at=timezone.now(),
    )
    page = context.new_page()
    page.goto(live_server.url + "/console/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "agent-password-1")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=inbox-row]")
    page.locator("input[name=q]").press_sequentially("shoes")  # htmx swaps the rows as the agent types
    expect(page.locator("[data-testid=inbox-row]")).to_have_count(1)  # expect(), as eval is refused here too
    page.click(f"text={case.reference}")
    page.click("text=Apology with remedy options")  # htmx drops the template into the reply box
    expect(page.locator("#id_body")).to_have_value("Dear Olga, we are sorry.")
    page.locator("#id_body").press_sequentially(" It was our mistake.")  # the coach answers as the agent types
    page.wait_for_selector("#coach [data-testid=coach]")
    page.goto(live_server.url + "/console/templates/")
    page.select_option("select[name=language]", "en")  # the filter sends itself (amends.js)
    page.wait_for_url("**/console/templates/?language=en")
    for path in (
        "/console/clusters/",
        "/console/taxonomy/",
        "/console/brands/",
        "/console/outbox/",
        "/console/sign-ins/",
    ):
        page.goto(live_server.url + path)
    assert violations == []


def test_the_api_docs_render_under_the_policy(watched, live_server):  # type: ignore[no-untyped-def]
    context, violations = watched
    page = context.new_page()
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector("#swagger-ui .info .title")
    assert violations == []
