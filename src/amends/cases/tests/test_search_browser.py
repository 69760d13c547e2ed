"""The inbox search in a real Chromium: typed in the box, the results come ranked with the found words marked."""

import pytest

from amends.cases.tests import test_browser as shared
from amends.cases.tests.test_browser import CHROMIUM, expect, shot
from amends.cases.tests.test_inbox_browser import sign_in
from amends.conftest import open_case

browser = shared.browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_a_search_typed_in_the_inbox_marks_what_it_found_and_explains_a_bad_one(browser, live_server):  # type: ignore[no-untyped-def]
    open_case(
        email="petar@example.rs",
        name="Petar Marković",
        language="sr",
        description="Величина није добра. Молим вас за замену до петка.",
    )
    open_case(
        email="anna@example.de",
        name="Anna Keller",
        language="en",
        description="The parcel came <b>open</b>. Half of the order is missing.",
    )
    page = sign_in(browser, live_server)
    page.fill("input[name=q]", "markovic velicina")
    page.press("input[name=q]", "Enter")
    rows = page.locator("[data-testid=inbox-row]")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("mark")).to_have_text(["Marković", "Величина", "Величина"])
    shot(page, "inbox-search-marked")
    page.fill("input[name=q]", "the")
    page.press("input[name=q]", "Enter")
    expect(page.locator("[data-testid=search-notice]")).to_contain_text("common words")
    page.fill("input[name=q]", "parcel")
    page.press("input[name=q]", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("[data-testid=search-snippet]")).to_contain_text("<b>open</b>")
