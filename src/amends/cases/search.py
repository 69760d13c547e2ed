"""Full-text search over the customer's words, in every language, on both databases.

No stemming, so one index serves every language; words match as prefixes, and Latin diacritics are folded
("stastny" finds "šťastný"). PostgreSQL: a GIN index over to_tsvector('simple', translate(…)). SQLite: an FTS5
table kept in step by triggers. Both are created by migration 0002, whose expression the query here repeats.
"""

import re

from django.db import connection

from amends.core.text import FOLD_FROM, FOLD_TO, fold

MAX_HITS = 5000
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, translate(coalesce(subject, '') || ' ' || coalesce(description, ''), "
    f"'{FOLD_FROM}', '{FOLD_TO}'))"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def case_search_ids(query: str) -> list[int]:
    words = [fold(w) for w in _WORD.findall(query)[:12]]
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{w}:*" for w in words)
            cursor.execute(
                f"SELECT id FROM cases_case WHERE {PG_DOCUMENT} @@ to_tsquery('simple', %s) ORDER BY id DESC LIMIT %s",  # noqa: S608
                [tsquery, MAX_HITS],
            )
        else:
            # Quoting every word keeps FTS5 operators typed by a user from being obeyed.
            match = " AND ".join(f'"{w}"*' for w in words)
            cursor.execute(
                "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
                [match, MAX_HITS],
            )
        return [row[0] for row in cursor.fetchall()]
