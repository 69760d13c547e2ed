"""An appointment in a real headless Chromium: the customer picks a time on their status page; a second customer
who wanted the same (last) place is told it is gone and picks one of the times left."""

from urllib.parse import urlsplit

import pytest

from amends.accounts.models import Team
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401  (a fixture)
from amends.conftest import open_case
from amends.remedies.models import AppointmentSlot, Remedy, SlotBooking

from .conftest import policy_activate
from .test_slots import APPOINTMENT, day_at, make_slots

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_the_customer_picks_a_time_on_the_status_page(browser, live_server):  # type: ignore[no-untyped-def]  # noqa: F811
    policy_activate(APPOINTMENT)
    team = Team.objects.create(name="Care")
    first, second, third = make_slots(team, day_at(2, 10), day_at(2, 10, 30), day_at(3, 14))
    opened = open_case()  # Russian
    rival = open_case(email="rival@example.com")
    page = browser.new_context(locale="ru-RU").new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + urlsplit(opened.status_url).path)
    appointment = page.locator("[data-testid=remedy-option]").filter(has=page.locator("[data-testid=slot-picker]"))
    expect(appointment).to_have_count(1)
    assert "Личная встреча" in appointment.inner_text()
    expect(appointment.locator("[data-testid=slot]")).to_have_count(3)
    shot(page, "appointment-1-times-on-the-status-page")

    # Someone else takes the second time just before our customer clicks.
    from amends.remedies.links import choice_token
    from amends.remedies.services import remedy_choose

    rival_remedy = Remedy.objects.get(case=rival.case, kind="appointment")
    remedy_choose(token=choice_token(rival_remedy), slot=str(second.public_id))

    appointment.locator(f"input[value='{second.public_id}']").check()
    appointment.locator("[data-testid=choose]").click()
    expect(page.locator("[data-testid=choice-error]")).to_be_visible()
    assert "только что заняли" in page.locator("[data-testid=choice-error]").inner_text()
    expect(page.locator("[data-testid=slot]")).to_have_count(2)  # the times left
    shot(page, "appointment-2-taken-pick-another")

    page.locator(f"input[value='{third.public_id}']").check()
    page.locator("[data-testid=confirm-choice]").click()
    expect(page.locator("[data-testid=remedy-chosen]")).to_be_visible()
    assert "Личная встреча" in page.locator("[data-testid=remedy-chosen]").inner_text()
    shot(page, "appointment-3-booked")
    mine = Remedy.objects.get(case=opened.case, kind="appointment")
    assert mine.state in ("granted", "fulfilled") and SlotBooking.objects.get(remedy=mine).slot_id == third.pk
    booked = dict(AppointmentSlot.objects.values_list("pk", "booked"))
    assert booked == {first.pk: 0, second.pk: 1, third.pk: 1}
    assert not violations, violations
