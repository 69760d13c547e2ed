"""References past a million: AM-2026-1000000 and longer work wherever a reference is read (the inbox search,
mail threading by subject, the API), and a reference of another length or year is still read as one."""

from collections.abc import Iterator

import pytest
from django.db import connection

from amends.cases.models import Case, ReferenceCounter
from amends.cases.references import IN_TEXT, parse_reference
from amends.cases.search import case_search
from amends.cases.subjects import clean_subject, mail_subject
from amends.conftest import open_case
from amends.intake.tests.helpers import mail, receive

pytestmark = pytest.mark.django_db


def _counter() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT last_value FROM cases_case_reference_seq")
            return int(cursor.fetchone()[0])
        return ReferenceCounter.objects.get(name="case").value


def _set_counter(value: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval('cases_case_reference_seq', %s)", [value])
        else:
            ReferenceCounter.objects.update_or_create(name="case", defaults={"value": value})


@pytest.fixture
def past_a_million(db) -> Iterator[None]:  # type: ignore[no-untyped-def]
    # A PostgreSQL sequence ignores the test's rollback: put it back for the tests after this one.
    before = _counter()
    _set_counter(999_998)  # the last number given out: the next case is 999999, the one after 1000000
    yield
    _set_counter(max(before, 1))


def test_the_millionth_case_gets_a_seven_digit_reference_that_search_finds(past_a_million):
    last_six = open_case(description="Treća reklamacija ovog meseca.").case
    first_seven = open_case(email="ivan@example.com", name="Ivan", description="Zakasnela isporuka.").case
    assert last_six.reference.endswith("-999999") and first_seven.reference.endswith("-1000000")
    everything = Case.objects.all()
    assert case_search(first_seven.reference, cases=everything).ids == [first_seven.pk]
    assert case_search("1000000", cases=everything).ids == [first_seven.pk]
    assert case_search("999999", cases=everything).ids == [last_six.pk]


def test_a_reply_by_mail_past_a_million_threads_into_its_own_case_not_a_six_digit_one(past_a_million):
    _set_counter(99_999)
    six = receive(mail(subject="Prva")).reference  # AM-YYYY-100000
    _set_counter(999_999)
    first = receive(mail(message_id="<m2@example.sk>", subject="Druga"))
    assert first.reference.endswith("-1000000") and six.endswith("-100000")
    again = receive(mail("Još nešto", message_id="<m3@example.sk>", subject=f"Re: [{first.reference}] Druga"))
    assert again.pk == first.pk


@pytest.mark.parametrize("digits", [6, 7, 8, 12])
def test_a_reference_of_any_length_is_read_and_its_tag_stripped(digits):
    reference = f"AM-2026-{'1' * digits}"
    assert parse_reference(f" {reference.lower()} ") == reference
    assert IN_TEXT.findall(f"Re: [{reference}] Wrong size") == [reference]
    assert clean_subject(f"Re: [{reference}] Re: Wrong size") == "Wrong size"
    assert mail_subject(reference=reference, subject=f"AW: [{reference}] Wrong size", fallback="") == (
        f"[{reference}] Wrong size"
    )


@pytest.mark.parametrize(
    "text", ["AM-2026-12345", "AM-26-000119", "AM-2026-000119x", "XAM-2026-000119", "AM2026000119"]
)
def test_what_is_not_a_reference_is_not_read_as_one(text):
    assert parse_reference(text) is None
    assert IN_TEXT.findall(f"[{text}]") == []


def test_the_api_gets_a_case_by_reference_or_id(api, opened):
    case = opened.case
    for key in (case.reference, case.reference.lower(), str(case.public_id), case.public_id.hex):
        response = api.get(f"/api/v1/cases/{key}")
        assert response.status_code == 200, key
        assert response.json()["reference"] == case.reference


@pytest.mark.parametrize(
    "key", ["AM-2026-1000000", "AM-2026-10000000", "AM-2026-100000000000", "AM-1999-000001", "AM-2026-99999999999999"]
)
def test_the_api_answers_404_for_a_well_formed_reference_no_case_has(api, opened, key):
    response = api.get(f"/api/v1/cases/{key}")
    assert response.status_code == 404
    assert "reference" in response.json()["detail"]


@pytest.mark.parametrize("key", ["AM-2026-12345", "not-a-case", "AM-2026-000119%00", "'; DROP TABLE x"])
def test_the_api_refuses_a_key_that_is_neither_an_id_nor_a_reference(api, opened, key):
    assert api.get(f"/api/v1/cases/{key}").status_code == 422


def test_the_api_finds_a_case_past_a_million_by_its_reference(api, past_a_million):
    case = open_case().case
    assert api.get(f"/api/v1/cases/{case.reference}").json()["id"] == str(case.public_id)


@pytest.mark.parametrize(
    "query",
    ["%", "_", '"', "*", "OR", "&", "!", ":*", "x" * 1000, "the of and", "AM-2026-12345678", "AM-2026-99999999999"],
)
def test_the_inbox_answers_every_bad_search_with_a_page_not_an_error(agent_client, opened, query):
    response = agent_client.get("/console/", {"q": query, "status": "all"})
    assert response.status_code == 200
    assert b"No cases match" in response.content or b"search-notice" in response.content


@pytest.mark.parametrize("raw", ["q=", "q=%ED%A0%80", "q=%00", "q=%FF%FE"])
def test_the_inbox_takes_a_search_that_is_not_text(agent_client, opened, raw):
    response = agent_client.get("/console/", QUERY_STRING=f"{raw}&status=all")
    assert response.status_code == 200


def test_the_inbox_finds_a_case_quoted_with_the_wrong_year_by_its_number(agent_client, opened):
    number = opened.case.reference.rsplit("-", 1)[1]
    response = agent_client.get("/console/", {"q": f"AM-1999-{number}", "status": "all"})
    assert opened.case.reference in response.content.decode()


def test_the_inbox_search_marks_the_words_it_found(agent_client, opened):
    response = agent_client.get("/console/", {"q": "кроссовки", "status": "all"})
    assert response.status_code == 200
    assert "<mark>кроссовки</mark>" in response.content.decode()
    assert opened.case.reference in response.content.decode()
