"""The inbox pages through its cases; a page number out of range is clamped, never an error (SQLite cannot take
an offset past 2**63)."""

import re

import pytest

from amends.conftest import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cases(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("amends.cases.views.PAGE", 2)
    return [open_case(email=f"c{n}@example.com").case for n in range(3)]


def rows(response) -> int:  # type: ignore[no-untyped-def]
    return response.content.decode().count('data-testid="inbox-row"')


def links(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r"page=(\d+)\">", response.content.decode())


def test_the_inbox_pages_through_the_cases(agent_client, three_cases):
    first, second = agent_client.get("/console/"), agent_client.get("/console/?page=2")
    assert (rows(first), links(first)) == (2, ["2"])
    assert (rows(second), links(second)) == (1, ["1"])


@pytest.mark.parametrize("page", ["9999999999999999999999999", "3", str(2**63), "9" * 5000])
def test_a_page_past_the_end_shows_the_last_page(agent_client, three_cases, page):
    response = agent_client.get("/console/", {"page": page})
    assert response.status_code == 200 and rows(response) == 1 and links(response) == ["1"]


@pytest.mark.parametrize("page", ["-1", "0", "abc", "", "1.5", "-99999999999999999999999999", "9" * 5000 + "x"])
def test_a_page_number_that_is_not_one_shows_the_first_page(agent_client, three_cases, page):
    response = agent_client.get("/console/", {"page": page})
    assert response.status_code == 200 and rows(response) == 2 and links(response) == ["2"]


def test_htmx_paging_is_clamped_too(agent_client, three_cases):
    response = agent_client.get("/console/?page=9999999999999999999999999", headers={"HX-Request": "true"})
    assert response.status_code == 200 and rows(response) == 1
