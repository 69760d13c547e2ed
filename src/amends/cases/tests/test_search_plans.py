"""PostgreSQL's two plans for a word search (cases/search.py, _pg_candidates): the GIN index for a rare word, the
walk of the newest cases for a common one. Whichever is chosen, the search finds the same cases in the same
order; and the choice follows the column's statistics, not the words' order or a guess."""

import pytest
from django.db import connection

from amends.cases import search as search_module
from amends.cases.models import Case
from amends.cases.search import case_search
from amends.conftest import open_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans"),
]

QUERIES = [
    "parcel",
    "broken",
    "zeppelin",
    "parcel broken",
    "parc",
    "Keller",
    "keller parcel",
    "customer3@example.com",
    "nowhere",
]


@pytest.fixture
def corpus(db):  # type: ignore[no-untyped-def]
    """40 cases: every one about a parcel, every second one broken, one zeppelin; some closed, two languages."""
    made = []
    for i in range(40):
        ending = ", carried by a zeppelin." if i == 17 else "."
        story = f"The parcel {i} came {'broken' if i % 2 else 'late'}{ending}"
        case = open_case(
            email=f"customer{i % 7}@example.com",
            name="Anna Keller" if i % 7 == 3 else f"Customer {i % 7}",
            language="en" if i % 3 else "sk",
            description=story,
        ).case
        made.append(case)
    Case.objects.filter(pk__in=[c.pk for c in made[::5]]).update(status="closed")
    return made


def _force(monkeypatch, plan: str) -> None:  # type: ignore[no-untyped-def]
    """Make the estimate say "rare" (the index) or "common" (the walk), whatever the statistics hold."""
    matches = 0.0 if plan == "index" else 1e12
    monkeypatch.setattr(search_module, "_pg_estimates", lambda groups: ([matches] * (1 + len(groups)), 1.0))


def _spy_on_the_walk(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The tsquery of every search that took the walk."""
    walked: list[str] = []
    walk = search_module._pg_walk

    def spied(tsquery: str, cases, **options):  # type: ignore[no-untyped-def]
        walked.append(tsquery)
        return walk(tsquery, cases, **options)

    monkeypatch.setattr(search_module, "_pg_walk", spied)
    return walked


def _results(cases) -> dict:  # type: ignore[no-untyped-def]
    found = {}
    for query in QUERIES:
        outcome = case_search(query, cases=cases)
        found[query] = (outcome.ids, outcome.capped)
    return found


@pytest.mark.parametrize("cap", [500, 3])
@pytest.mark.parametrize(
    "filtered",
    [
        lambda: Case.objects.all(),
        lambda: Case.objects.exclude(status="closed"),
        lambda: Case.objects.filter(language="sk"),
    ],
    ids=["all", "open", "language"],
)
def test_the_index_and_the_walk_find_the_same_cases_in_the_same_order(corpus, monkeypatch, cap, filtered):
    monkeypatch.setattr(search_module, "MAX_HITS", cap)
    _force(monkeypatch, "index")
    by_index = _results(filtered())
    _force(monkeypatch, "walk")
    by_walk = _results(filtered())
    assert by_index == by_walk
    zeppelin = corpus[17]
    assert by_index["zeppelin"] == ([zeppelin.pk] if filtered().filter(pk=zeppelin.pk).exists() else [], False)
    assert by_index["nowhere"] == ([], False)
    if cap == 3:
        assert len(by_index["parcel"][0]) == 3 and by_index["parcel"][1]


def test_an_estimate_that_was_too_low_falls_back_to_the_walk_and_finds_the_same(corpus, monkeypatch):
    _force(monkeypatch, "walk")
    expected = _results(Case.objects.all())
    _force(monkeypatch, "index")  # "rare", but the index returns as many matches as the probe allows
    monkeypatch.setattr(search_module, "PROBE", 4)
    walked = _spy_on_the_walk(monkeypatch)
    assert _results(Case.objects.all()) == expected
    assert any("parcel" in tsquery for tsquery in walked)
    assert not any("zeppelin" in tsquery for tsquery in walked)


def test_the_statistics_send_a_common_word_to_the_walk_and_a_rare_one_to_the_index(corpus, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_searchdocument")
    monkeypatch.setattr(search_module, "MAX_HITS", 2)  # the walk pays off above √(3 × 40) ≈ 11 matches
    walked = _spy_on_the_walk(monkeypatch)
    for query in ("parcel", "zeppelin", "broken"):
        case_search(query, cases=Case.objects.all())
    assert [next(w for w in ("parcel", "zeppelin", "broken") if w in tsquery) for tsquery in walked] == [
        "parcel",
        "broken",
    ]
    [matches, _group], documents = search_module._pg_estimates(["(parcel | parcel:*)"])
    assert documents == pytest.approx(40, abs=1) and matches == pytest.approx(40, abs=4)
    [both, rare, common], _documents = search_module._pg_estimates(["(zeppelin)", "(parcel)"])
    assert both < 3 and rare < 3 and common == pytest.approx(40, abs=4)


def test_a_walk_that_finds_too_few_among_the_newest_takes_the_rest_from_the_index(corpus, monkeypatch):
    _force(monkeypatch, "index")
    expected = _results(Case.objects.all())
    _force(monkeypatch, "walk")  # "common", but the walk may read only the newest 5 documents
    monkeypatch.setattr(search_module, "WALK_MIN", 5)
    assert _results(Case.objects.all()) == expected
    assert expected["zeppelin"][0] == [corpus[17].pk]  # the 23rd newest: found by the index below the walk
