"""The inbox and the case page in a real Chromium: keyboard shortcuts, bulk actions, saved views, a phone."""

import pytest

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.cases.models import Case, SavedView
from amends.cases.tests import test_browser as shared
from amends.cases.tests.test_browser import CHROMIUM, expect, shot
from amends.conftest import open_case

browser = shared.browser  # the module's Chromium, shared with the other browser tests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def sign_in(browser, live_server, path="/console/", **context):  # type: ignore[no-untyped-def]
    user_create(username="ana", password="agent-password-1", first_name="Ana", last_name="Agent", role=User.Role.AGENT)
    page = browser.new_context(locale="en-GB", **context).new_page()
    page.goto(live_server.url + path)
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "agent-password-1")
    page.click("button[type=submit]")
    return page


def three_cases() -> list[Case]:
    stories = ["Wrong size delivered to me.", "Parcel never arrived at all.", "Charged twice for one order."]
    return [
        open_case(email=f"c{i}@example.com", name=f"Customer {i}", language="en", description=story).case
        for i, story in enumerate(stories)
    ]


def test_keyboard_shortcuts_move_open_search_and_help_but_never_while_typing(browser, live_server):  # type: ignore[no-untyped-def]
    three_cases()
    page = sign_in(browser, live_server)
    rows = page.locator("[data-testid=inbox-row]")
    expect(rows).to_have_count(3)
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("current")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # past the last row: stays on it
    expect(rows.nth(2)).to_have_class("current")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class("current")
    expect(rows.nth(2)).not_to_have_class("current")
    page.keyboard.press("x")  # ticks the case the keys are on, for a bulk action
    expect(rows.nth(1).locator("input[name=case]")).to_be_checked()
    expect(rows.nth(0).locator("input[name=case]")).not_to_be_checked()
    help_box = page.locator("[data-testid=shortcuts-help]")
    expect(help_box).to_be_hidden()
    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    shot(page, "inbox-shortcuts-help")
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()

    # "/" goes to the search box without typing itself; there, "j" and "k" and "?" are letters, not shortcuts.
    page.keyboard.press("/")
    search = page.locator("input[name=q]")
    expect(search).to_be_focused()
    page.keyboard.type("jk?")
    expect(search).to_have_value("jk?")
    expect(help_box).to_be_hidden()
    assert page.url.startswith(live_server.url + "/console/")
    # Nor in a select: the keys pick options there.
    page.locator("select[name=status]").first.focus()
    page.keyboard.press("j")
    expect(help_box).to_be_hidden()

    search.fill("")
    page.locator("h1").click()  # away from the boxes
    expect(rows).to_have_count(3)
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = rows.nth(1).get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + second)

    # On the case page the reply box takes "j" as a letter.
    reply = page.locator("#id_body")
    reply.click()
    page.keyboard.type("j")
    expect(reply).to_have_value("j")
    assert page.url == live_server.url + second


def test_bulk_actions_change_the_ticked_cases_and_say_which_were_refused(browser, live_server):  # type: ignore[no-untyped-def]
    cases = three_cases()
    page = sign_in(browser, live_server)
    page.check(f"input[name=case][value='{cases[0].public_id}']")
    page.locator("[data-testid=inbox-row]").nth(0).click(position={"x": 200, "y": 5})  # a click on a row does nothing
    page.check(f"input[name=case][value='{cases[2].public_id}']")
    bulk = page.locator("[data-testid=bulk-form]")
    bulk.locator("select[name=priority]").select_option("1")
    bulk.locator("select[name=assignee]").select_option(label="Ana Agent")
    bulk.locator("button[type=submit]").click()
    page.wait_for_selector("text=2 cases changed")
    shot(page, "inbox-bulk-done")
    for case in cases:
        case.refresh_from_db()
    assert [(c.priority, c.assignee.username if c.assignee else None) for c in cases] == [
        (1, "ana"),
        (3, None),
        (1, "ana"),
    ]
    # A status the lifecycle does not allow from where a case is: refused, by reference, and nothing changed.
    page.check(f"input[name=case][value='{cases[1].public_id}']")
    bulk.locator("select[name=status]").select_option("closed")
    bulk.locator("select[name=priority]").select_option("2")
    bulk.locator("button[type=submit]").click()
    page.wait_for_selector(f"text={cases[1].reference} not changed")
    cases[1].refresh_from_db()
    assert (cases[1].status, cases[1].priority) == ("acknowledged", 3)


def test_saved_views_are_saved_opened_and_deleted(browser, live_server):  # type: ignore[no-untyped-def]
    three_cases()
    open_case(email="ru@example.com", language="ru", description="Кроссовки не пришли.")
    page = sign_in(browser, live_server)
    page.select_option("form.filters select[name=language]", "ru")
    expect(page.locator("[data-testid=inbox-row]")).to_have_count(1)
    page.fill("#view-name", "Russian customers")
    page.click("text=Save view")
    page.wait_for_selector("text=View “Russian customers” saved.")
    assert SavedView.objects.get().query == "status=open&language=ru"
    page.goto(live_server.url + "/console/")
    expect(page.locator("[data-testid=inbox-row]")).to_have_count(4)
    page.click("[data-testid=saved-views] >> text=Russian customers")
    expect(page.locator("[data-testid=inbox-row]")).to_have_count(1)
    page.click("[data-testid=saved-views] button[aria-label^='Delete the view']")
    page.wait_for_selector("text=View deleted.")
    assert not SavedView.objects.exists()


def test_the_inbox_and_the_case_page_fit_a_390_pixel_phone(browser, live_server):  # type: ignore[no-untyped-def]
    cases = three_cases()
    long_word = "Unbelievably" * 12
    case = open_case(
        email="a.very.long.address.of.a.customer@example-with-a-long-domain.com",
        name="",
        language="en",
        description=f"The parcel never came. {long_word} https://example.com/{'x' * 120}",
    ).case
    page = sign_in(browser, live_server, viewport={"width": 390, "height": 844}, device_scale_factor=1)
    expect(page.locator("[data-testid=inbox-row]")).to_have_count(len(cases) + 1)
    shot(page, "phone-inbox")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + f"/console/cases/{case.public_id}/")
    expect(page.locator("[data-testid=case-form]")).to_be_visible()
    shot(page, "phone-case")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_set_up_pages_wait_in_a_menu_that_opens_closes_and_marks_where_the_agent_is(browser, live_server):  # type: ignore[no-untyped-def]
    page = sign_in(browser, live_server)
    menu = page.locator("nav details.menu", has_text="Set-up")
    templates = menu.locator("a", has_text="Templates")
    expect(templates).to_be_hidden()
    menu.locator("summary").click()
    expect(templates).to_be_visible()
    shot(page, "console-menu-open")
    page.locator("main h1").click()  # a click elsewhere closes it
    expect(templates).to_be_hidden()
    menu.locator("summary").click()
    page.keyboard.press("Escape")
    expect(templates).to_be_hidden()
    menu.locator("summary").click()
    templates.click()
    expect(page).to_have_url(f"{live_server.url}/console/templates/")
    expect(menu.locator("summary")).to_have_class("active")  # the menu says which page the agent is on
    # An agent sees no manager's page in it.
    expect(menu.locator("a", has_text="Budgets")).to_have_count(0)
