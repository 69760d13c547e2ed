"""Full-text search over the customer's words, in every language, on both databases.

PostgreSQL: a GIN index over to_tsvector('simple', …) (no stemming: one index serves all languages).
SQLite: an FTS5 table kept in step by triggers, with diacritics folded so "stastny" finds "šťastný".
Both are created by migration 0002.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection

from .models import Case

MAX_HITS = 5000
_WORD = re.compile(r"\w+", re.UNICODE)

PG_VECTOR = "to_tsvector('simple'::regconfig, coalesce(subject, '') || ' ' || coalesce(description, ''))"


def case_search_ids(query: str) -> list[int]:
    words = _WORD.findall(query)[:12]
    if not words:
        return []
    if connection.vendor == "postgresql":
        search = SearchQuery(" ".join(words), config="simple", search_type="plain")
        vector = SearchVector("subject", "description", config="simple")
        return list(
            Case.objects.annotate(document=vector).filter(document=search).order_by("-id").values_list("id", flat=True)[:MAX_HITS]
        )
    # Every word must match as a prefix; quoting keeps FTS5 operators typed by a user from being obeyed.
    match = " AND ".join('"' + w.replace('"', "") + '"*' for w in words)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s ORDER BY rowid DESC LIMIT %s", [match, MAX_HITS])
        return [row[0] for row in cursor.fetchall()]
