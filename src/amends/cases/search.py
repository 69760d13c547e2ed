"""Case search: by the customer's name or e-mail, the reference (whole, or its number with or without leading
zeros), the order reference and the words of the complaint and its messages, in either script, with or
without diacritics, stemmed (see search_text.py for the keys, search_documents.py for the stored documents).

Both databases read the stored documents through their own index (migration 0010): PostgreSQL a GIN index on a
stored tsvector, SQLite an FTS5 table. The work is bounded, so that a common word costs what a rare one does:

1. candidates: the newest MAX_HITS matching cases that pass the caller's filters, by id from the index (the
   planner walks the newest cases for a common word and the index for a rare one; no row is recomputed);
2. ranking: ts_rank (PostgreSQL) or bm25 (SQLite) of those candidates only, the identity (reference, name,
   e-mail, order) weighing above the words, then the newest first among equals.
When more than MAX_HITS cases match, the result says so: the best among the newest MAX_HITS.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import BooleanField, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Case, Message
from .references import parse_reference, reference_number
from .search_text import MAX_QUERY, QueryRefused, SearchQuery, marked, parse_query

MAX_HITS = 500
PROBE = 1000  # PostgreSQL: matches a word may have and still count as rare (see _pg_candidates)
FTS_CHUNK = MAX_HITS + 1  # SQLite: matches read from FTS5 at first, newest first, before the filters; then 4×
SNIPPET = 160  # characters of context shown around the first match
IDENTITY_WEIGHT = 10.0  # SQLite bm25 column weights: identity against words (PostgreSQL: weight A against D)


@dataclass
class SearchOutcome:
    """Case ids, best first; or why nothing was searched (`refusal`, a sentence for people)."""

    ids: list[int] = field(default_factory=list)
    query: SearchQuery | None = None
    refusal: str = ""
    capped: bool = False

    @property
    def notice(self) -> str:
        if self.refusal:
            return self.refusal
        if self.capped:
            return _(
                "More than %(max)s cases match: these are the best of the newest %(max)s. Add a word to narrow "
                "the search."
            ) % {"max": MAX_HITS}
        return ""


def _refusal(reason: str) -> str:
    return {
        "empty": _("Type a word, a name, an e-mail or a case reference to search for."),
        "too_long": _("A search has at most %(max)s characters.") % {"max": MAX_QUERY},
        "not_text": _("The search contains a character that is not text."),
        "only_common": _("Only very common words: add a word that says more."),
    }[reason]


def case_search(text: str, *, cases: QuerySet[Case]) -> SearchOutcome:
    """The cases among `cases` (the caller's visibility and filters) that `text` finds, best first."""
    try:
        query = parse_query(text)
    except QueryRefused as refused:
        return SearchOutcome(refusal=_refusal(refused.reason))
    reference = parse_reference(text)
    if reference is not None:
        exact = list(cases.filter(reference=reference).values_list("id", flat=True)[:1])
        if exact:
            return SearchOutcome(ids=exact, query=query)
        # The number is unique across years: a reference quoted with the wrong year finds its case by number.
        by_number = parse_query(reference_number(reference))
        return _run(by_number, cases, identity_only=True)
    return _run(query, cases)


def _run(query: SearchQuery, cases: QuerySet[Case], *, identity_only: bool = False) -> SearchOutcome:
    if connection.vendor == "postgresql":
        candidates = _pg_candidates(query.tsquery(weight="A" if identity_only else ""), cases)
    else:
        candidates = _fts_candidates(query.fts5(column="identity" if identity_only else ""), cases)
    capped = len(candidates) > MAX_HITS
    candidates = candidates[:MAX_HITS]
    if not candidates:
        return SearchOutcome(query=query)
    ranks = _ranks(query, [pk for pk, _created in candidates], identity_only=identity_only)
    # Ranks are floats; equal relevance must compare equal, so that the newest comes first among equals.
    candidates.sort(key=lambda row: (-round(ranks.get(row[0], 0.0), 6), -row[1].timestamp(), -row[0]))
    return SearchOutcome(ids=[pk for pk, _created in candidates], query=query, capped=capped)


def _pg_candidates(tsquery: str, cases: QuerySet[Case]) -> list[tuple[int, datetime]]:
    """PostgreSQL: the newest MAX_HITS + 1 matches that pass the filters, by the cheaper of two plans, chosen
    before either runs from how many documents the query matches (M, _pg_estimates) against how many there are
    (N). Both give the same rows; only the cost differs (tests/test_search_plans.py holds them equal):

    - a rare word, the index (_pg_indexed): the GIN index's matches, then the filters applied to those ids by
      primary key. A bitmap scan builds every match before it returns one, so this costs M;
    - a common word, the walk (_pg_walk): the newest cases by primary key, each tested against its stored vector
      (no bitmap scan), until MAX_HITS + 1 pass. It reads about (MAX_HITS + 1) × N / M documents, the fewer the
      commoner the word: "order", in one document of nine, reads ~4,600 at any N.

    The walk is taken where it costs less than the index would: M² > WALK_COST × (MAX_HITS + 1) × N. A document
    walked costs about half a match indexed, as the walk reads the newest documents, which are mostly in memory,
    and the index's matches are spread over the whole table (at 1M cases, PostgreSQL's default 128 MB of shared
    buffers: "Marković" read 22,072 table pages for its 24k matches by the index, 4,260 pages by the walk). So
    the most either costs is about √(WALK_COST × (MAX_HITS + 1) × N) index matches: ~16,000 at a million
    documents, whatever the word. An estimate can be wrong: the walk is bounded to WALK_SLACK times what the
    estimate promised and the index finds the rest below it; an index probe that returns more than the estimate
    allowed for gives way to the whole walk. Left to itself the planner chooses on its own estimate, but with
    the caller's filters in the query it has walked the whole table looking for a rare word; each plan is
    therefore pinned (SET LOCAL) to the scan it is chosen for."""
    groups = tsquery.split(" & ")  # the query's AND-ed groups (keys are letters and digits: see search_text)
    estimates, documents = _pg_estimates(groups)
    matches, need = estimates[0], MAX_HITS + 1
    if matches * matches > WALK_COST * need * documents:
        budget = max(WALK_MIN, round(WALK_SLACK * need * documents / matches))
        found, boundary = _pg_walk(tsquery, cases, budget=budget)
        if boundary is None or len(found) >= need:
            return found[:need]
        rest = _pg_indexed(groups, estimates, cases, below=boundary)
        return found + rest[: need - len(found)] if rest is not None else _pg_walk(tsquery, cases)[0]
    indexed = _pg_indexed(groups, estimates, cases)
    return indexed if indexed is not None else _pg_walk(tsquery, cases)[0]


PG_MATCH = "vector @@ to_tsquery('simple'::regconfig, %s)"
WALK_MIN = 2_000  # PostgreSQL: documents the walk of a common word may read at least (see _pg_candidates)
WALK_SLACK = 4  # and as many times as the estimate says it needs
WALK_COST = 0.5  # what a document the walk reads costs against a match the index finds (see _pg_candidates)


def _pg_indexed(
    groups: list[str], estimates: list[float], cases: QuerySet[Case], *, below: int | None = None
) -> list[tuple[int, datetime]] | None:
    """The newest MAX_HITS + 1 matches among `cases` (below case id `below`) from the GIN index, or None when
    there are more matches than the estimate allowed for (the caller walks instead). Of several AND-ed groups
    only the rarest is looked up in the index and the whole query tested on its rows: an e-mail's "example" and
    "com:*" are in every document, and the index would build the bitmap of each before intersecting them."""
    tsquery = " & ".join(groups)
    limit = max(PROBE, 4 * round(estimates[0]))
    cut = " AND case_id < %s" if below is not None else ""
    cut_params: list[int] = [below] if below is not None else []
    if len(groups) > 1:
        rarest = groups[min(range(len(groups)), key=lambda i: estimates[1 + i])]
        sql = (
            "SELECT case_id FROM (SELECT case_id, vector FROM cases_searchdocument "  # noqa: S608 (constants)
            f"WHERE {PG_MATCH}{cut} OFFSET 0) AS rarest WHERE {PG_MATCH} ORDER BY case_id DESC LIMIT %s"
        )
        params: list[int | str] = [rarest, *cut_params, tsquery, limit]
    else:
        sql = f"SELECT case_id FROM cases_searchdocument WHERE {PG_MATCH}{cut} ORDER BY case_id DESC LIMIT %s"  # noqa: S608
        params = [tsquery, *cut_params, limit]
    # SET LOCAL lasts to the end of the transaction, which may be the caller's: RESET puts the defaults back.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute(sql, params)
        probed = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    if len(probed) >= limit:
        return None
    # The matches newest first, through the caller's filters a slice at a time (MAX_HITS + 1, then four times as
    # many...): without filters the first slice is the answer, and no statement names thousands of ids.
    found: list[tuple[int, datetime]] = []
    start, size = 0, MAX_HITS + 1
    while start < len(probed) and len(found) <= MAX_HITS:
        chosen = _within(cases, probed[start : start + size]).order_by("-id").values_list("id", "created_at")
        found.extend(chosen[: MAX_HITS + 1 - len(found)])
        start, size = start + size, size * 4
    return found


def _pg_walk(
    tsquery: str, cases: QuerySet[Case], *, budget: int | None = None
) -> tuple[list[tuple[int, datetime]], int | None]:
    """The newest MAX_HITS + 1 cases among `cases` whose document matches, newest first by primary key, from the
    newest `budget` documents only if given; and the case id below which the walk did not look (None: it read
    as far as it needed)."""
    hit = RawSQL(
        'EXISTS (SELECT 1 FROM cases_searchdocument sd WHERE sd.case_id = "cases_case"."id" '
        "AND sd.vector @@ to_tsquery('simple'::regconfig, %s))",
        [tsquery],
        output_field=BooleanField(),
    )
    walked, boundary = cases.filter(hit), None
    if budget is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT case_id FROM cases_searchdocument ORDER BY case_id DESC OFFSET %s LIMIT 1", [budget - 1]
            )
            row = cursor.fetchone()
        if row is not None:  # the oldest document the walk may read; the index finds what is below it
            boundary = row[0]
            walked = walked.filter(id__gte=boundary)
    # No parallel workers either: the walk stops at its LIMIT, and starting a worker and merging its rows cost
    # more than the walk (258 against 152 ms for "Marković" at 1M cases on the loaded benchmark machine).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL max_parallel_workers_per_gather = 0")
        found = list(walked.order_by("-id").values_list("id", "created_at")[: MAX_HITS + 1])
        cursor.execute("RESET enable_bitmapscan; RESET max_parallel_workers_per_gather")
    return found, boundary


def _pg_estimates(groups: list[str]) -> tuple[list[float], float]:
    """The documents the query matches, then those of each of its AND-ed groups; and the documents there are,
    as PostgreSQL's planner estimates them: no row is read. The estimates come from the vector column's
    statistics (pg_stats.most_common_elems and their frequencies, kept by ANALYZE: the commonest words and how
    many documents hold each; a word not among them is rarer than the least of them; a prefix (word:*) is
    estimated from the words it matches there), each alternative of a group on its own. A group's alternatives
    are one word's forms (its stem, itself, its prefix: "(markov | markovic | markovic:*)"), in the same documents,
    so the group matches about what its commonest alternative does (the planner, taking them as independent,
    would add them up: three times too many); the groups together match at most what the rarest does."""
    alternatives = [group.strip("()").split(" | ") for group in groups]
    parts = [part for group in alternatives for part in group]
    # One statement: a branch of UNION ALL per estimate, the table's own (its size as the planner scales it) last.
    selects = [f"SELECT 1 FROM cases_searchdocument WHERE {PG_MATCH}" for _part in parts]  # noqa: S608 (a constant)
    sql = "EXPLAIN (FORMAT JSON) " + " UNION ALL ".join([*selects, "SELECT 1 FROM cases_searchdocument"])  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, parts)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    *rows, every = [float(branch["Plan Rows"]) for branch in plan[0]["Plan"]["Plans"]]
    per_group, at = [], 0
    for group in alternatives:
        per_group.append(max(rows[at : at + len(group)]))
        at += len(group)
    return [min(per_group), *per_group], every


def _fts_candidates(match: str, cases: QuerySet[Case]) -> list[tuple[int, datetime]]:
    """SQLite: the newest MAX_HITS + 1 matches that pass the filters. FTS5 hands out its matches newest first and
    stops when asked, so they are read a chunk at a time and filtered, until there are enough: a common word
    reads one or two chunks, where taking every match first would read them all."""
    found: list[tuple[int, datetime]] = []
    below, size = 2**63 - 1, FTS_CHUNK
    with connection.cursor() as cursor:
        while len(found) <= MAX_HITS:
            cursor.execute(
                "SELECT rowid FROM cases_searchdocument_fts WHERE cases_searchdocument_fts MATCH %s AND rowid < %s "
                "ORDER BY rowid DESC LIMIT %s",
                [match, below, size],
            )
            chunk = [row[0] for row in cursor.fetchall()]
            if not chunk:
                break
            # The chunk's ids lead, by primary key: without statistics SQLite would rather walk a filter's index
            # (every open case, say) and test each against the list. NOT INDEXED still allows the key lookups.
            sql, params = _within(cases, chunk).order_by("-id").values_list("id", "created_at").query.sql_with_params()
            sql = sql.replace('FROM "cases_case"', 'FROM "cases_case" NOT INDEXED', 1)
            cursor.execute(sql, params)
            found.extend((pk, _moment(created)) for pk, created in cursor.fetchall())
            if len(chunk) < size:
                break
            below, size = chunk[-1], size * 4
    return found[: MAX_HITS + 1]


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _within(cases: QuerySet[Case], ids: list[int]) -> QuerySet[Case]:
    # Written out, not as IN parameters: the ORM handles each parameter, at a cost that showed. The ids are
    # integers from the database (int() makes sure), so nothing here comes from a person.
    listed = ",".join(str(int(pk)) for pk in ids)
    return cases.filter(RawSQL(f'"cases_case"."id" IN ({listed})', [], output_field=BooleanField()))  # noqa: S611


def _ranks(query: SearchQuery, ids: list[int], *, identity_only: bool) -> dict[int, float]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT case_id, ts_rank(vector, to_tsquery('simple'::regconfig, %s), 1) "
                "FROM cases_searchdocument WHERE case_id = ANY(%s)",
                [query.tsquery(weight="A" if identity_only else ""), ids],
            )
            return {pk: float(rank) for pk, rank in cursor.fetchall()}
        # A rowid range, not an IN list: FTS5 would run the whole MATCH again for each value of a list.
        cursor.execute(
            f"SELECT rowid, bm25(cases_searchdocument_fts, {IDENTITY_WEIGHT}, 1.0) FROM cases_searchdocument_fts "  # noqa: S608 (a constant)
            "WHERE cases_searchdocument_fts MATCH %s AND rowid >= %s AND rowid <= %s",
            [query.fts5(column="identity" if identity_only else ""), min(ids), max(ids)],
        )
        return {pk: -float(rank) for pk, rank in cursor.fetchall()}  # bm25: the lower, the better


def in_rank_order(cases: QuerySet[Case], ids: list[int]) -> QuerySet[Case]:
    """`cases` restricted to `ids` and ordered as they are (a search's ranking)."""
    if not ids:
        return cases.none()
    # The position is found in the list (instr/strpos, one pass in C), not by a 500-way CASE for every row.
    listed = ",".join(str(int(pk)) for pk in ids)
    find = "strpos" if connection.vendor == "postgresql" else "instr"
    column = 'CAST("cases_case"."id" AS TEXT)'
    position = RawSQL(f"{find}(',{listed},', ',' || {column} || ',')", [], output_field=IntegerField())  # noqa: S611
    return _within(cases, ids).order_by(position)


def highlight(text: str, query: SearchQuery | None, *, around: bool = False) -> SafeString:
    """`text` with the words the query found in <mark>, every piece HTML-escaped. `around`: only the part
    around the first match (SNIPPET characters, cut at spaces), or an empty string when nothing matched."""
    if query is None:
        return escape(text)
    pieces = marked(text, query)
    if around:
        first = next((i for i, (_piece, hit) in enumerate(pieces) if hit), None)
        if first is None:
            return SafeString("")
        pieces = _window(pieces, first)
    html = "".join(f"<mark>{escape(piece)}</mark>" if hit else str(escape(piece)) for piece, hit in pieces)
    return mark_safe(html)  # noqa: S308 (every piece escaped above; only our <mark> tags are markup)


def _window(pieces: list[tuple[str, bool]], first: int) -> list[tuple[str, bool]]:
    before = pieces[first - 1][0] if first > 0 and not pieces[first - 1][1] else ""
    lead = before[-SNIPPET // 3 :]
    if len(lead) < len(before):
        lead = "…" + lead.split(" ", 1)[-1] if " " in lead else "…" + lead
    out = [(lead, False)] if lead else []
    budget = SNIPPET
    for piece, hit in pieces[first:]:
        if budget <= 0:
            out.append(("…", False))
            break
        if not hit and len(piece) > budget:
            cut = piece[:budget]
            out.append(((cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…", False))
            break
        out.append((piece, hit))
        budget -= len(piece)
    return out


def case_highlights(cases: list[Case], query: SearchQuery | None) -> None:
    """Set `found_subject`, `found_customer` and `found_snippet` on each case shown in search results: the
    matched words marked, the snippet from the complaint or the first message that has one (one query)."""
    if query is None:
        return
    bodies: dict[int, list[str]] = {}
    for case_id, body in (
        Message.objects.filter(case_id__in=[c.pk for c in cases])
        .order_by("created_at", "id")
        .values_list("case_id", "body")
    ):
        bodies.setdefault(case_id, []).append(body)
    for case in cases:
        case.found_subject = highlight(case.subject, query)  # type: ignore[attr-defined]
        customer = case.customer
        case.found_customer = highlight(customer.name or customer.email or "", query)  # type: ignore[attr-defined]
        snippet = SafeString("")
        # The complaint, unless the subject already shows all of it (a subject made from a one-sentence story).
        story = case.description if case.description.strip() != case.subject.strip() else ""
        for text in (story, *bodies.get(case.pk, ()), customer.email, case.order_reference):
            if text == case.subject:
                continue
            snippet = highlight(text, query, around=True)
            if snippet:
                break
        case.found_snippet = snippet  # type: ignore[attr-defined]


class RankedCases:
    """A search's cases in rank order, read a page at a time: slicing reads only the cases of that slice (by
    primary key), so page 3 of 500 results reads 51 rows, not 500 sorted. Sliced, counted and iterated as the
    inbox does a QuerySet."""

    def __init__(self, cases: QuerySet[Case], ids: list[int]) -> None:
        self.cases, self.ids = cases, ids

    def __getitem__(self, part: slice) -> list[Case]:
        ids = self.ids[part]
        found = {case.pk: case for case in self.cases.filter(id__in=ids)} if ids else {}
        return [found[pk] for pk in ids if pk in found]

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self[:])
