"""The search keys: one spelling for every script and diacritic, stems in every language served, queries that
can never be read as index syntax. Pure Python: no database."""

import pytest

from amends.cases.search_text import (
    MAX_QUERY,
    QueryRefused,
    document_keys,
    marked,
    parse_query,
)


def finds(query: str, text: str) -> bool:
    """What the indexes do, in Python: every term of the query has a key among the document's keys (the last
    term also as a prefix)."""
    keys = set(document_keys(text).split())
    parsed = parse_query(query)
    return all(
        term & keys or (parsed.prefix and i == len(parsed.terms) - 1 and any(k.startswith(parsed.prefix) for k in keys))
        for i, term in enumerate(parsed.terms)
    )


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("velicina", "Не та величина, прошу заменить."),
        ("величина", "Pogrešna veličina cipela."),
        ("Marković", "Petar Markovic"),
        ("markovic", "Петар Марковић"),
        ("Маркович", "Petar Marković"),
        ("Olga", "Ольга Петрова"),
        ("Ольга", "olga@example.com"),
        ("Đorđević", "Jovan Djordjevic"),
        ("djordjevic", "Јован Ђорђевић"),
        ("refunded", "I want a refund"),
        ("refund", "They refunded the wrong amount"),
        ("заказы", "мой заказ не пришёл"),
        ("stastny", "Nie som šťastný"),
        ("000119", "AM-2026-119"),
        ("119", "AM-2026-000119"),
        ("refu", "refunded"),  # the word being typed
        ("Keller", "Anna Keller"),
    ],
)
def test_a_query_finds_the_word_in_any_script_spelling_or_form(query, text):
    assert finds(query, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [("refund", "the parcel never came"), ("119", "AM-2026-001190"), ("1190", "AM-2026-000119"), ("olga", "Olena")],
)
def test_a_query_does_not_find_what_is_not_there(query, text):
    assert not finds(query, text)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("%", "empty"),
        ("_", "empty"),
        ('"', "empty"),
        ("*", "empty"),
        ("&", "empty"),
        ("!", "empty"),
        (":*", "empty"),
        ("OR", "only_common"),
        ("the and of", "only_common"),
        ("и не на", "only_common"),
        ("x" * 1000, "too_long"),
        ("a\ud800b", "not_text"),
        ("a\x00b", "not_text"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(query, reason):
    with pytest.raises(QueryRefused) as refused:
        parse_query(query)
    assert refused.value.reason == reason


def test_the_longest_query_allowed_still_runs():
    assert parse_query("x" * MAX_QUERY).terms


@pytest.mark.parametrize("query", ['a"b', "OR refund", "refund*", "NOT x:*", "a & b | !c", "(x) NEAR y", "{a}:b"])
def test_operators_typed_by_a_person_are_never_syntax(query):
    parsed = parse_query(query)
    for text in (parsed.tsquery(), parsed.tsquery(weight="A"), parsed.fts5(), parsed.fts5(column="identity")):
        # Only our own operators, parentheses, quotes around keys and the prefix marks are left.
        stripped = text.replace(" | ", " ").replace(" & ", " ").replace(" OR ", " ").replace(" AND ", " ")
        assert set(stripped) <= set('abcdefghijklmnopqrstuvwxyz0123456789 ()":*A{}')
        assert "!" not in text and "NOT" not in text and "NEAR" not in text


def test_the_words_a_query_found_are_marked_in_the_original_text():
    parsed = parse_query("величина marković")
    pieces = marked("Velicina je pogrešna, kaže Marković.", parsed)
    assert [piece for piece, hit in pieces if hit] == ["Velicina", "Marković"]


def test_a_document_leaves_out_stop_words_and_keeps_numbers_with_and_without_zeros():
    keys = document_keys("the order AM-2026-000119").split()
    assert "the" not in keys and "am" not in keys
    assert {"order", "2026", "000119", "119"} <= set(keys)
