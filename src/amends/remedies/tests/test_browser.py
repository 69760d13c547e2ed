"""Remedies end to end in a real headless Chromium (Debian's, driven by Playwright): the customer picks an option
offered with the acknowledgement and the shop's webhook receives the grant; an agent above their limit asks, a
manager approves."""

import json
import re

import pytest

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.models import Case
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401  (a fixture)
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due
from amends.remedies.models import ApprovalRequest, Remedy
from amends.webhooks.services import webhook_endpoint_create
from amends.webhooks.tests.test_webhooks import receiver, verify  # noqa: F401  (a fixture and a helper)

from .conftest import limits

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_the_customer_picks_an_option_on_the_status_page_and_the_shop_hears_of_it(  # type: ignore[no-untyped-def]
    browser,  # noqa: F811
    live_server,
    receiver,  # noqa: F811
    offering_policy,
):
    endpoint = webhook_endpoint_create(url=receiver.url, events=["remedy.granted"])
    customer = browser.new_context(locale="sk-SK")
    page = customer.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/")
    page.fill("textarea[name=description]", "Prišli mi topánky o dve čísla menšie, potrebujem ich do soboty.")
    page.fill("input[name=email]", "jana@example.sk")
    page.fill("input[name=name]", "Jana")
    page.fill("input[name=order_value]", "60")
    page.fill("input[name=order_currency]", "EUR")
    page.click("button[type=submit]")
    reference = page.locator("[data-testid=reference]").inner_text()
    case = Case.objects.get(reference=reference)
    # The options went out with the acknowledgement, a link each, before any agent looked.
    ack = OutboxMessage.objects.get(case=case, dedupe_key=f"ack:{case.pk}")
    assert len(re.findall(r"/r/[^/\s]+/", ack.body)) == 2

    page.click("a.button")
    options = page.locator("[data-testid=remedy-option]")
    expect(options).to_have_count(2)
    assert "Poukážka na 30,00" in options.nth(0).inner_text()
    shot(page, "remedy-1-options-on-the-status-page")
    options.nth(0).locator("[data-testid=choose]").click()
    expect(page.locator("[data-testid=remedy-chosen]")).to_be_visible()
    shot(page, "remedy-2-chosen")
    credit = Remedy.objects.get(case=case, kind="store_credit")
    assert credit.state == "granted"
    assert Remedy.objects.get(case=case, kind="refund").state == "declined"

    page.goto(live_server.url + f"/status/{case.public_id}/")
    expect(page.locator("[data-testid=choose]")).to_have_count(0)
    assert not violations, violations

    assert outbox_deliver_due() >= 1
    hooks = [(headers, body) for headers, body in receiver.requests if json.loads(body)["type"] == "remedy.granted"]
    assert len(hooks) == 1
    headers, body = hooks[0]
    assert verify(endpoint.secret, headers, body)
    assert json.loads(body)["data"]["remedy"]["id"] == str(credit.public_id)


def test_a_link_from_the_mail_asks_first_and_then_works_once(browser, live_server, offering_policy):  # type: ignore[no-untyped-def]  # noqa: F811
    case = open_case(order_value="60", order_currency="EUR").case
    ack = OutboxMessage.objects.get(case=case, dedupe_key=f"ack:{case.pk}")
    first, second = re.findall(r"https?://\S+/r/[^/\s]+/", ack.body)
    page = browser.new_context(locale="ru-RU").new_page()
    page.goto(live_server.url + first[first.index("/r/") :])
    expect(page.locator("[data-testid=remedy-text]")).to_be_visible()
    assert Remedy.objects.get(case=case, kind="store_credit").state == "offered"  # opening it chose nothing
    page.click("[data-testid=confirm-choice]")
    expect(page.locator("[data-testid=remedy-chosen]")).to_be_visible()
    page.goto(live_server.url + second[second.index("/r/") :])
    expect(page.locator("[data-testid=choice-refused]")).to_be_visible()
    shot(page, "remedy-3-second-link-refused")


def test_an_agent_above_their_limit_asks_and_a_manager_approves(browser, live_server, proposing_policy):  # type: ignore[no-untyped-def]  # noqa: F811
    limits(per_case="20")
    user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)
    case = open_case(order_value="60", order_currency="EUR", language="en", description="Wrong size again.").case

    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(live_server.url + f"/console/cases/{case.public_id}/")
    agent.fill("input[name=username]", "ana")
    agent.fill("input[name=password]", "agent-password-1")
    agent.click("button[type=submit]")
    credit = agent.locator("[data-testid=remedy]", has_text="Store credit")
    expect(credit.locator(".badge.above")).to_be_visible()
    credit.locator("[data-testid=grant]").click()
    expect(agent.locator(".flash")).to_contain_text("a manager has been asked to approve it")
    shot(agent, "remedy-4-agent-above-limit")
    assert ApprovalRequest.objects.filter(decision="").count() == 1

    manager = browser.new_context(locale="en-GB").new_page()
    manager.goto(live_server.url + "/console/approvals/")
    manager.fill("input[name=username]", "milan")
    manager.fill("input[name=password]", "manager-password-1")
    manager.click("button[type=submit]")
    approval = manager.locator("[data-testid=approval]")
    expect(approval).to_have_count(1)
    approval.locator("input[name=reason]").fill("A loyal customer")
    approval.locator("[data-testid=approve]").click()
    expect(manager.locator(".flash")).to_contain_text("Approved and granted")
    shot(manager, "remedy-5-manager-approved")
    assert Remedy.objects.get(case=case, kind="store_credit").state == "granted"

    agent.reload()
    expect(
        agent.locator("[data-testid=remedy]", has_text="Store credit").locator("[data-testid=remedy-state]")
    ).to_have_text("Granted")
