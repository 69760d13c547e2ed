"""The inbox pages by cursor (keyset.py): every case once, in the inbox order, forwards and back, on every filter,
with ties on every column; a cursor this server did not give out, or an old page number, opens the first page."""

import re
import uuid
from dataclasses import replace
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from amends.cases import keyset
from amends.cases.lifecycle import Status
from amends.cases.models import Case
from amends.cases.search_documents import search_documents_build
from amends.cases.selectors import InboxFilters, inbox, inbox_page
from amends.conftest import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(agent):  # type: ignore[no-untyped-def]
    """40 cases that tie on every column of the order in turn: breached, priority, due (and no due), created_at."""
    model = open_case(email="many@example.com").case
    now = timezone.now().replace(microsecond=0)
    statuses = [Status.NEW, Status.IN_PROGRESS, Status.WAITING, Status.CLOSED]
    copies = []
    for n in range(39):
        due = None if n % 5 == 0 else now + timedelta(hours=n % 3)  # three due values, and none
        copies.append(
            Case(
                public_id=uuid.uuid4(),
                reference=f"AM-2026-9{n:05d}",
                customer=model.customer,
                brand=model.brand,
                channel=model.channel,
                description="copy",
                language="ru" if n % 2 else "bg",
                status=statuses[n % 4],
                priority=1 + n % 2 * 2,  # urgent and normal only: the other priorities' slices are empty
                breached=n % 7 == 0,
                assignee=agent if n % 3 == 0 else None,
                next_due_at=due,
                first_response_due_at=now,
                resolution_due_at=now,
                created_at=now - timedelta(minutes=n % 4),  # four created_at values: ties within a due
                updated_at=now,
            )
        )
    Case.objects.bulk_create(copies)
    search_documents_build()  # bulk_create skips the services that keep the search documents
    return Case.objects.count()


def walk(agent, filters: InboxFilters, size: int) -> tuple[list[str], list[list[str]]]:  # type: ignore[no-untyped-def]
    """Every page forwards, then every page backwards from the last: references in the order shown."""
    pages, cursor = [], None
    while True:
        page = inbox_page(actor=agent, filters=filters, cursor=cursor, size=size)
        pages.append([c.reference for c in page.rows])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    back, cursor = [pages[-1]], page.previous_cursor
    while cursor is not None:
        page = inbox_page(actor=agent, filters=filters, cursor=cursor, size=size)
        back.insert(0, [c.reference for c in page.rows])
        cursor = page.previous_cursor
    return [ref for refs in pages for ref in refs], back if len(back) == len(pages) else [*back, ["mismatch"]]


@pytest.mark.parametrize(
    "filters",
    [
        InboxFilters(),
        InboxFilters(status="all"),
        InboxFilters(status="closed"),
        InboxFilters(status="waiting"),
        InboxFilters(assignee="me"),
        InboxFilters(assignee="none", language="ru"),
        InboxFilters(status="all", q="many@example.com"),  # a bounded set: read whole, ordered in Python
        InboxFilters(status="all", q="copy"),  # a search's hits: the same
    ],
    ids=["open", "all", "closed", "waiting", "mine", "unassigned-ru", "customer", "search"],
)
@pytest.mark.parametrize("size", [2, 7])
def test_paging_shows_every_case_once_in_the_inbox_order_both_ways(agent, many, filters, size):
    found = set(inbox(actor=agent, filters=filters).values_list("reference", flat=True))
    # In the inbox's order (a search's own page ranks its hits; paged by cursor they keep the inbox order).
    order = inbox(actor=agent, filters=replace(filters, q="")).values_list("reference", flat=True)
    expected = [reference for reference in order if reference in found]
    assert expected  # the filter matches something, or the test proves nothing
    forwards, backwards_pages = walk(agent, filters, size)
    assert forwards == expected
    forward_pages = [expected[i : i + size] for i in range(0, len(expected), size)]
    # Going back from the last page shows the same pages (the first one whole, as the first page does).
    assert backwards_pages[1:] == forward_pages[1:]
    assert backwards_pages[0] == forward_pages[0]


def test_the_order_puts_breached_then_priority_then_the_nearest_due_then_no_due(agent, many):
    rows = [keyset.Position.of(c) for c in inbox(actor=agent, filters=InboxFilters(status="all"))]
    keys = [r.sort_key() for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert rows[0].breached and not rows[-1].breached and rows[-1].next_due_at is None


def test_a_page_costs_a_few_queries_wherever_it_is(agent, many, django_assert_max_num_queries):
    page = inbox_page(actor=agent, filters=InboxFilters(status="all"), cursor=None, size=5)
    for _ in range(4):
        page = inbox_page(actor=agent, filters=InboxFilters(status="all"), cursor=page.next_cursor, size=5)
    # The slices of one page: at most the three seeks in the cursor's group and the 16 groups after it.
    with django_assert_max_num_queries(19):
        inbox_page(actor=agent, filters=InboxFilters(status="all"), cursor=page.next_cursor, size=5)


def rows(response) -> int:  # type: ignore[no-untyped-def]
    return response.content.decode().count('data-testid="inbox-row"')


def link(response, rel: str) -> str | None:  # type: ignore[no-untyped-def]
    found = re.search(rf'<a href="\?([^"]*)" rel="{rel}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def small_pages(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("amends.cases.views.PAGE", 2)


def test_the_inbox_pages_through_the_cases_with_next_and_previous(agent_client, many, small_pages):
    first = agent_client.get("/console/", {"status": "all", "language": "ru"})
    assert rows(first) == 2 and link(first, "prev") is None
    following = link(first, "next")
    assert following is not None and "status=all" in following and "language=ru" in following
    second = agent_client.get(f"/console/?{following}")
    assert rows(second) == 2 and link(second, "prev") is not None
    again = agent_client.get(f"/console/?{link(second, 'prev')}")
    assert again.content.decode().count("AM-") == first.content.decode().count("AM-")
    assert re.findall(r"AM-\d{4}-\d+", again.content.decode()) == re.findall(r"AM-\d{4}-\d+", first.content.decode())


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "",
        "Zm9v",
        "a" * 5000,
        "WzEsMCwxLDEsbnVsbCwiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsMV0:1:forged",  # a real payload, a made-up signature
        "%00%ED%A0%80",  # a NUL and a lone surrogate, as bytes on the wire
    ],
)
@pytest.mark.parametrize("key", ["after", "before"])
def test_a_forged_cursor_shows_the_first_page_and_says_so(agent_client, many, small_pages, cursor, key):
    response = agent_client.get(f"/console/?{key}={cursor}" if "%" in cursor else f"/console/?{key}={quote(cursor)}")
    assert response.status_code == 200 and rows(response) == 2
    assert ('data-testid="inbox-notice"' in response.content.decode()) == bool(cursor)


def test_a_cursor_signed_for_something_else_or_another_version_is_refused(agent):
    from django.core import signing

    position = keyset.Position(True, 1, None, timezone.now(), 5)
    assert keyset.decode(keyset.encode(position)) == (position, False)
    with pytest.raises(keyset.BadCursor):
        keyset.decode(signing.dumps([1, 0, 1, 1, None, timezone.now().isoformat(), 5], salt="elsewhere"))
    with pytest.raises(keyset.BadCursor):
        keyset.decode(signing.dumps([2, 0, 1, 1, None, timezone.now().isoformat(), 5], salt=keyset.SALT))
    with pytest.raises(keyset.BadCursor):  # a naive time, a priority that is none, an id out of range
        keyset.decode(signing.dumps([1, 0, 1, 1, None, "2026-01-01T00:00:00", 5], salt=keyset.SALT))
    with pytest.raises(keyset.BadCursor):
        keyset.decode(signing.dumps([1, 0, 1, 9, None, timezone.now().isoformat(), 5], salt=keyset.SALT))
    with pytest.raises(keyset.BadCursor):
        keyset.decode(signing.dumps([1, 0, 1, 1, None, timezone.now().isoformat(), 2**63], salt=keyset.SALT))


def test_a_stale_cursor_past_the_end_shows_no_rows_and_the_way_back(agent_client, many, small_pages):
    """The last case a page ended at was closed meanwhile: the cursor still names a place in the order."""
    position = keyset.Position(False, 4, None, timezone.now() - timedelta(days=3650), 1)
    response = agent_client.get("/console/", {"after": keyset.encode(position)})
    assert response.status_code == 200 and rows(response) == 0 and "No cases match." in response.content.decode()
    back = link(response, "prev")
    assert back is not None and rows(agent_client.get(f"/console/?{back}")) == 2


@pytest.mark.parametrize("page", ["2", "9999999999999999999999999", str(2**63), "9" * 5000, "-1", "abc"])
def test_an_old_page_number_opens_the_first_page_and_says_so(agent_client, many, small_pages, page):
    response = agent_client.get("/console/", {"page": page})
    assert response.status_code == 200 and rows(response) == 2
    assert 'data-testid="inbox-notice"' in response.content.decode()
    assert link(response, "next") is not None and "page=" not in link(response, "next")


def test_htmx_paging_answers_with_the_rows_and_the_notice(agent_client, many, small_pages):
    response = agent_client.get("/console/?after=forged", headers={"HX-Request": "true"})
    assert response.status_code == 200 and rows(response) == 2
    assert 'data-testid="inbox-notice"' in response.content.decode()
