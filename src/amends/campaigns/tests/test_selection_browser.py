"""The campaign page's order selection in a real headless Chromium: htmx counts the customers in the window as the
manager changes it, and adding them says how many in words."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.campaigns.models import AffectedCustomer
from amends.customers.models import Customer, Order

from .factories import make_incident
from .test_browser import CHROMIUM, browser  # noqa: F401 - the browser fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_the_window_is_counted_as_it_changes_and_adding_says_how_many(browser, live_server):  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)
    incident = make_incident()
    for i, at in enumerate([incident.started_at + timedelta(minutes=5), incident.started_at - timedelta(days=3)]):
        customer = Customer.objects.create(public_id=uuid.uuid4(), email=f"c{i}@example.com", name=f"C {i}")
        Order.objects.create(
            customer=customer,
            external_id=f"ORD-{i}",
            placed_at=at,
            value=Decimal("10"),
            currency="EUR",
            created_at=timezone.now(),
        )
    page = browser.new_context(locale="en-GB", timezone_id="UTC").new_page()
    page.goto(f"{live_server.url}/console/incidents/{incident.public_id}/campaign/")
    page.fill("input[name=username]", "milan")
    page.fill("input[name=password]", "manager-password-1")
    page.click("button[type=submit]")
    count = page.locator("[data-testid=orders-count]")
    expect(count).to_contain_text("1 customer ordered between")  # the incident's own window, asked on load
    start = timezone.localtime(incident.started_at - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#orders-start", start)
    page.locator("#orders-start").dispatch_event("change")
    expect(count).to_contain_text("2 customers ordered between")
    page.click("[data-testid=add-orders]")
    expect(page.locator(".flash, .messages, [role=status]").first).to_contain_text("2 customers who ordered between")
    assert AffectedCustomer.objects.filter(incident=incident, source="orders").count() == 2
