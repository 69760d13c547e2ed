"""The customer's links in a real headless Chromium: an apology's status link, and the private link of a public
reply that the first browser to go on with it keeps."""

import json
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from amends.accounts.services import user_create
from amends.campaigns import letters
from amends.campaigns.models import CampaignMessage
from amends.campaigns.services import campaign_start
from amends.campaigns.tests.factories import csv_bytes, import_csv, make_campaign, make_incident
from amends.campaigns.tests.test_browser import CHROMIUM, browser  # noqa: F401 - the browser fixture
from amends.cases.intake import IntakeRequest, case_open
from amends.cases.public_threads import PublicPost
from amends.cases.services import case_reply
from amends.incidents.models import IncidentEvent
from amends.outbox.models import OutboxMessage
from amends.remedies import codes
from amends.webhooks.services import webhook_endpoint_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_the_apology_link_opens_the_customers_own_page_in_their_language(browser, live_server):  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    incident = make_incident()
    IncidentEvent.objects.create(
        incident=incident, kind="update", body="Оплата снова работает.", public=True, created_at=timezone.now()
    )
    import_csv(incident, csv_bytes(["olga@example.com,Ольга,ru,ORD-1"]))
    campaign_start(campaign=make_campaign(incident))
    CampaignMessage.objects.update(state="sent", sent_at=timezone.now())
    message = CampaignMessage.objects.get()
    page = browser.new_context().new_page()
    page.goto(live_server.url + urlsplit(letters.status_url(message.public_id)).path)
    expect(page.locator("[data-testid=apology-status]")).to_contain_text(incident.title)
    expect(page.locator("[data-testid=code]")).to_have_text(codes.group(message.code or ""))
    expect(page.locator("[data-testid=apology-code]")).to_contain_text("Ваш личный код")
    expect(page.locator("[data-testid=apology-updates]")).to_contain_text("Оплата снова работает.")
    assert "/status/apology/" in page.url  # the signed link is gone from the address bar


def test_the_first_browser_to_go_on_keeps_the_private_link(browser, live_server, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    settings.WEBHOOK_ALLOWED_HOSTS = ["connector.test"]
    webhook_endpoint_create(url="http://connector.test/hooks", events=["public_reply.requested"])
    agent = user_create(username="ana", password="agent-password-1", first_name="Ana", role="agent")
    case = case_open(
        request=IntakeRequest(
            email="",
            name="Anna",
            language="en",
            channel="public_thread",
            description="Your shop assistant made me wait outside in minus thirty. Never again!",
            public=PublicPost(platform="instagram", handle="@AnnaK", post_url="https://www.instagram.com/p/Cx1/"),
        )
    ).case
    case_reply(
        case=case,
        actor=agent,
        body="Anna, we are so sorry: keeping you outside in the cold was our mistake. Thank you for telling us. "
        "Please write to us privately and we will make it right today.",
    )
    hook = OutboxMessage.objects.get(case=case, kind="webhook")
    path = urlsplit(json.loads(hook.body)["data"]["public_reply"]["continue_url"]).path
    customer = browser.new_context(locale="en-GB").new_page()
    customer.goto(live_server.url + path)
    expect(customer.locator("[data-testid=link-claim]")).to_contain_text("This link is for @AnnaK")
    customer.click("[data-testid=claim]")
    expect(customer.locator("h1")).to_contain_text(case.reference)
    customer.goto(live_server.url + path)  # the same browser again
    expect(customer.locator("h1")).to_contain_text(case.reference)
    onlooker = browser.new_context(locale="en-GB").new_page()
    onlooker.goto(live_server.url + path)
    expect(onlooker.locator("[data-testid=link-used]")).to_contain_text("This link was used already")
    expect(onlooker.locator("[data-testid=link-used]")).to_contain_text("we will send you a new link")
