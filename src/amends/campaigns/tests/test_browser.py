"""The campaign page in a real headless Chromium: the progress bar moves without a reload while messages go out."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.campaigns.models import CampaignMessage
from amends.campaigns.services import campaign_start

from .factories import csv_bytes, import_csv, make_campaign, make_incident, people

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_the_progress_bar_updates_without_a_reload(browser, live_server):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)
    incident = make_incident()
    import_csv(incident, csv_bytes(people(10)))
    campaign_start(campaign=make_campaign(incident, rate=5))
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{live_server.url}/console/incidents/{incident.public_id}/campaign/")
    page.fill("input[name=username]", "milan")
    page.fill("input[name=password]", "manager-password-1")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=sent]")).to_have_text("0")
    ids = list(CampaignMessage.objects.order_by("id").values_list("id", flat=True)[:4])
    CampaignMessage.objects.filter(id__in=ids).update(state="sent", sent_at=timezone.now())
    # No reload: htmx asks for the progress every two seconds and swaps it in.
    expect(page.locator("[data-testid=sent]")).to_have_text("4", timeout=10_000)
    expect(page.locator("[data-testid=percent]")).to_have_text("40 %")
    folder = Path(settings.DATA_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "campaign-progress.png"), full_page=True)
