"""Every console page, the customer's status page and the API with N cases in the database (see ./scale).

    .venv/bin/python benchmarks/scale.py                      # 1,000,000 cases, PostgreSQL (database amends_scale)
    .venv/bin/python benchmarks/scale.py --cases 100000 --sqlite

Loads N cases once (customers with many cases, five languages, every status, three years of ages, clusters, three
messages, four events and two outbox rows per case) and reuses the database while it holds N cases; then measures
each page with Django's test client in this process over the real database (the whole request: middleware, view,
SQL, template; no HTTP socket), printing p50/p95 and the SQL statements of each page.

PostgreSQL: COPY through psycopg with the secondary indexes dropped and rebuilt after, foreign-key triggers off
during the load (session_replication_role), the kept counts recounted once at the end. SQLite: executemany in one
transaction.
"""

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "src"))  # after PYTHONPATH: another tree's src can be measured on the same data
PG_URL = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amends_scale")

LANGUAGES = [("ru", 30), ("en", 25), ("bg", 15), ("sr", 15), ("sk", 15)]
FIRST = {
    "ru": ["Ольга", "Иван", "Мария", "Сергей", "Анна", "Дмитрий", "Елена", "Алексей"],
    "bg": ["Георги", "Мария", "Иван", "Елена", "Петър", "Десислава"],
    "sr": ["Marko", "Јелена", "Nikola", "Милица", "Stefan", "Ана"],
    "sk": ["Ján", "Mária", "Peter", "Zuzana", "Martin", "Katarína"],
    "en": ["John", "Emma", "Oliver", "Sophie", "Lukas", "Anna"],
}
LAST = {
    "ru": ["Иванова", "Петров", "Смирнова", "Кузнецов", "Соколова", "Попов"],
    "bg": ["Георгиев", "Иванова", "Димитров", "Петрова", "Николов"],
    "sr": ["Marković", "Јовановић", "Petrović", "Николић", "Đorđević", "Илић"],
    "sk": ["Horváth", "Kováčová", "Varga", "Tóthová", "Nagy"],
    "en": ["Keller", "Smith", "Brown", "Taylor", "Wilson", "Müller"],
}
STORIES = {
    "ru": [
        "Прислали кроссовки не того размера, а заказ нужен к субботе.",
        "Заказ опоздал на неделю, курьер не отвечает.",
        "Списали деньги дважды за один заказ, прошу возврат.",
        "Величина посылки не совпадает с описанием, коробка помята.",
    ],
    "en": [
        "My order arrived broken and I want a refund.",
        "The parcel has said out for delivery for six days.",
        "I was charged twice for the same order, please refund me.",
        "The support line kept me waiting for an hour.",
    ],
    "bg": [
        "Поръчката ми не е пристигнала вече десет дни.",
        "Получих грешен размер, искам замяна на поръчката.",
        "Таксуваха ме два пъти за една поръчка.",
    ],
    "sr": [
        "Наручио сам патике број 43, а стигле су 41, величина није добра.",
        "Đon na novim cipelama se odlepio posle nedelju dana.",
        "Porudžbina kasni dve nedelje, niko se ne javlja.",
    ],
    "sk": [
        "Z karty mi dvakrát strhli platbu za tú istú objednávku.",
        "Objednávka prišla poškodená, chcem vrátiť peniaze.",
        "Kuriér nechal balík pred dverami a zmizol.",
    ],
}
RARE = ["цеппелин", "zeppelin", "квазар", "xylophone", "kvazar", "dirigible"]  # one case in ~5,000 has one
REPLY = "Thank you for telling us, and we are sorry. We are on it and will write again today."
STATUSES_OPEN = [("new", 20), ("acknowledged", 30), ("in_progress", 35), ("waiting", 15)]
PRIORITY = [(1, 5), (2, 20), (3, 60), (4, 15)]
TARGETS = {1: (1, 8), 2: (4, 24), 3: (8, 72), 4: (24, 120)}  # hours, as lifecycle.TARGETS
CHANNELS = [("form", 40), ("email", 35), ("api", 20), ("public_thread", 5)]


_CUMULATIVE: dict[int, tuple[list, list]] = {}


def pick(weighted: list) -> object:
    if id(weighted) not in _CUMULATIVE:
        values, total, cumulative = [v for v, _w in weighted], 0, []
        for _v, w in weighted:
            total += w
            cumulative.append(total)
        _CUMULATIVE[id(weighted)] = (values, cumulative)
    values, cumulative = _CUMULATIVE[id(weighted)]
    return random.choices(values, cum_weights=cumulative)[0]


class Ids:
    """Time-ordered UUIDs: opaque to users like uuid4, but inserted in order into their unique index."""

    def __init__(self, tag: int) -> None:
        self.tag, self.n = tag, 0

    def __call__(self) -> uuid.UUID:
        self.n += 1
        return uuid.UUID(int=(self.tag << 120) | (self.n << 64) | random.getrandbits(64))


# --- the data -----------------------------------------------------------------------------------------------------

CUSTOMER_COLS = ["id", "public_id", "email", "name", "preferred_language", "external_id", "lifetime_value", "tier"]
CUSTOMER_COLS += ["created_at"]
CASE_COLS = [
    "id", "public_id", "reference", "channel", "subject", "description", "language", "order_reference", "order_value",
    "order_currency", "remedy_sought", "status", "priority", "first_response_due_at", "resolution_due_at",
    "first_responded_at", "resolved_at", "closed_at", "next_due_at", "breached", "created_at", "updated_at",
    "assignee_id", "brand_id", "customer_id", "team_id", "first_offer_at",
]  # fmt: skip
MESSAGE_COLS = ["id", "public_id", "direction", "body", "author_kind", "email_message_id", "created_at", "author_id"]
MESSAGE_COLS += ["brand_id", "case_id", "email_authentication"]
EVENT_COLS = ["id", "kind", "actor_kind", "actor_label", "public", "data", "created_at", "actor_id", "case_id"]
TRIAGE_COLS = ["id", "result", "model_version", "language", "severity", "needs_review", "corrected", "created_at"]
TRIAGE_COLS += ["case_id", "category_id", "cluster_id", "customer_id"]
CLUSTER_COLS = ["id", "public_id", "title", "words", "entities", "digests", "first_seen", "last_seen", "cases"]
CLUSTER_COLS += ["customers", "voices", "flagged_at", "state", "category_id"]
OUTBOX_COLS = ["id", "public_id", "kind", "state", "dedupe_key", "recipient", "sender", "subject", "body", "headers"]
OUTBOX_COLS += ["attempts", "next_attempt_at", "claimed_until", "last_error", "sent_at", "created_at", "case_id"]


class World:
    """Everything the rows refer to, made through the ORM before the bulk load."""

    def __init__(self, n: int, now: datetime) -> None:
        from amends.accounts.models import Team, User
        from amends.accounts.services import user_create
        from amends.brands.selectors import brand_default
        from amends.triage.models import Category

        self.n, self.now = n, now
        self.brand = brand_default().pk
        self.teams = [Team.objects.get_or_create(name=f"Team {t}")[0].pk for t in range(1, 6)]
        self.agents = []
        for a in range(20):
            user = User.objects.filter(username=f"agent{a}").first() or user_create(
                username=f"agent{a}",
                password="bench-password-1",  # noqa: S106
                first_name=f"Agent {a}",
                role=User.Role.AGENT,
            )
            self.agents.append(user.pk)
        self.categories = list(Category.objects.filter(is_active=True).values_list("pk", flat=True))
        self.customers = max(1, n // 3)
        self.clusters = max(1, n // 200)


def customers(world: World) -> Iterator[tuple]:
    ids = Ids(1)
    for c in range(1, world.customers + 1):
        language = pick(LANGUAGES)
        name = f"{random.choice(FIRST[language])} {random.choice(LAST[language])}"
        created = world.now - timedelta(days=1100 * (1 - c / world.customers) + 5)
        yield (c, ids(), f"customer{c}@example.com", name, language, None, Decimal("0"), "standard", created)


def customer_of(world: World, case_id: int) -> int:
    """Many customers with one case or two, a few with dozens: customer 1..100 are the regulars."""
    if case_id % 50 == 0:
        return 1 + case_id % 100
    return 1 + (case_id * 2654435761) % world.customers


def case_rows(world: World) -> Iterator[tuple]:
    ids = Ids(2)
    random.seed(2)  # the same data in every load and on both databases
    span = timedelta(days=3 * 365)
    for c in range(1, world.n + 1):
        age = span * (1 - c / world.n) ** 2  # more recent cases than old ones
        created = world.now - age - timedelta(minutes=5)
        language = pick(LANGUAGES)
        story = random.choice(STORIES[language])
        if c % 5000 == 0:
            story += " " + RARE[(c // 5000) % len(RARE)]
        priority = pick(PRIORITY)
        first, resolution = TARGETS[int(priority)]  # type: ignore[index]
        first_due, resolution_due = created + timedelta(hours=first), created + timedelta(hours=resolution)
        # Open if recent: nearly everything opened in the last fortnight, a few stragglers older.
        open_case = (age < timedelta(days=14) and random.random() < 0.8) or random.random() < 0.01
        responded = resolved = closed = due = None
        breached = False
        assignee = team = None
        if open_case:
            status = pick(STATUSES_OPEN)
            if status != "new":
                responded = created + timedelta(minutes=random.randint(5, 600))
            if status != "waiting":
                due = first_due if responded is None else resolution_due
                breached = due < world.now - timedelta(minutes=1)
            if random.random() < 0.6:
                assignee = world.agents[c % len(world.agents)]
            team = world.teams[c % len(world.teams)]
        else:
            status = "closed" if random.random() < 0.93 else "resolved"
            responded = created + timedelta(hours=1)
            resolved = created + timedelta(days=2)
            closed = resolved + timedelta(days=3) if status == "closed" else None
            assignee = world.agents[c % len(world.agents)]
        yield (
            c, ids(), f"AM-{created.year}-{c:06d}", pick(CHANNELS), story[:60], story, language,
            f"ORD-{c * 7919 % 10**8:08d}", Decimal(random.randint(10, 500)), "EUR", "", status, priority,
            first_due, resolution_due, responded, resolved, closed, due, breached, created, closed or created,
            assignee, world.brand, customer_of(world, c), team, created + timedelta(seconds=40),
        )  # fmt: skip


def message_rows(world: World) -> Iterator[tuple]:
    """Made by the database from the cases (PG_DERIVED, SQLITE_MESSAGES): the complaint, a reply, a thank-you."""
    raise NotImplementedError


def event_rows(world: World) -> Iterator[tuple]:
    kinds = [("opened", True), ("acknowledged", True), ("reply_sent", False), ("status_changed", True)]
    for c in range(1, world.n + 1):
        created = world.now - timedelta(days=3 * 365) * (1 - c / world.n) ** 2 - timedelta(minutes=5)
        for k, (kind, public) in enumerate(kinds):
            data = '{"from": "new", "to": "in_progress"}' if kind == "status_changed" else "{}"
            yield ((c - 1) * 4 + k + 1, kind, "system", "amends", public, data, created + timedelta(minutes=k), None, c)


def cluster_rows(world: World) -> Iterator[tuple]:
    ids = Ids(4)
    for k in range(1, world.clusters + 1):
        last = world.now - timedelta(hours=k)
        flagged = last if k <= 5 else None
        size = max(2, 4000 // k)  # a few big clusters, many small ones (the sizes are what the triage rows say)
        yield (
            k, ids(), f"Problem {k}", "[]", "[]", "[]", last - timedelta(days=3), last, size, size, 3, flagged,
            "open", world.categories[k % len(world.categories)],
        )  # fmt: skip


def cluster_of(world: World, c: int) -> int | None:
    """A third of the cases belong to a cluster; cluster k gets ~1/k of them (a few big problems, a long tail)."""
    if c % 3:
        return None
    return 1 + int(world.clusters ** random.random()) - 1 if world.clusters > 1 else 1


def triage_result(language: str, category: str, severity: int) -> str:
    """What triage stores for a case (the API shows it), as the engine writes it."""

    def part(value: object, confidence: float = 0.8) -> dict:
        return {"value": value, "confidence": confidence, "signals": []}

    return json.dumps(
        {
            "version": "bench",
            "language": part(language, 0.95),
            "category": part(category),
            "severity": part(severity),
            "sentiment": part(-0.4),
            "churn_risk": part(0.3),
            "public_risk": part(0.1),
            "ladder": part(1),
        }
    )


def triage_rows(world: World) -> Iterator[tuple]:
    from amends.triage.models import Category

    slugs = dict(Category.objects.values_list("pk", "slug"))
    results = {}
    random.seed(4)
    for c in range(1, world.n + 1):
        created = world.now - timedelta(days=3 * 365) * (1 - c / world.n) ** 2 - timedelta(minutes=5)
        category, severity, language = world.categories[c % len(world.categories)], random.randint(1, 4), "ru"
        key = (category, severity)
        if key not in results:
            results[key] = triage_result(language, slugs[category], severity)
        yield (
            c, results[key], "bench", language, severity, random.random() < 0.05, False, created, c,
            category, cluster_of(world, c), customer_of(world, c),
        )  # fmt: skip


def outbox_rows(world: World) -> Iterator[tuple]:
    ids = Ids(5)
    for c in range(1, world.n + 1):
        created = world.now - timedelta(days=3 * 365) * (1 - c / world.n) ** 2 - timedelta(minutes=5)
        recent = world.now - created < timedelta(minutes=30)
        state = "pending" if recent else ("failed" if c % 997 == 0 else "sent")
        sent = None if state != "sent" else created + timedelta(seconds=2)
        to = f"customer{customer_of(world, c)}@example.com"
        for k, subject in enumerate(("We have your complaint", "Re: your complaint")):
            yield (
                (c - 1) * 2 + k + 1, ids(), "email", state, f"bench:{c}:{k}", to, "care@example.com", subject,
                "Dear customer, thank you for writing.", "{}", 1, created, None, "550 mailbox unavailable"
                if state == "failed" else "", sent, created, c,
            )  # fmt: skip


THANKS = "Thank you, waiting for the parcel."
SEARCH_COLS = ["case_id", "identity", "words"]
CASES_FOR_SEARCH = (
    "SELECT c.id, c.reference, c.order_reference, c.subject, c.description, cu.name, cu.email "
    "FROM cases_case c JOIN customers_customer cu ON cu.id = c.customer_id ORDER BY c.id"
)
# Message ids are made in (case, time) order, so the primary key gives each case's bodies in the order the services
# read them (created_at, id); search_documents_check confirms it against the services' own function.
MESSAGES_FOR_SEARCH = "SELECT case_id, body FROM cases_message ORDER BY id"


def search_rows(cases: Iterator[tuple], messages: Iterator[tuple]) -> Iterator[tuple]:
    """(case_id, identity, words) of every case: the documents the services write (search_text.case_document, the
    function cases/search_documents.py calls), from the loaded cases, customers and messages, both read in case
    order and merged. The words of a case depend on its texts only, so they are computed once per distinct text."""
    from amends.cases.search_text import case_document, document_keys

    words_of: dict[tuple, str] = {}
    pending = next(messages, None)
    for case_id, reference, order_reference, subject, description, name, email in cases:
        bodies = []
        while pending is not None and pending[0] < case_id:
            pending = next(messages, None)
        while pending is not None and pending[0] == case_id:
            bodies.append(pending[1])
            pending = next(messages, None)
        key = (subject, description, *bodies)
        if key not in words_of:
            words_of[key] = case_document(
                reference="", customer_name="", customer_email="", order_reference="", subject=subject,
                description=description, bodies=bodies,
            )[1]  # fmt: skip
        identity = document_keys(reference, name, email or "", order_reference)
        yield (case_id, identity, words_of[key])


def search_documents_check(sample: int = 300) -> int:
    """Compare `sample` loaded documents (all of them if sample is 0) with what the services write for the same
    case (cases.search_documents.search_document_refresh, inside a transaction rolled back); raise on a difference.
    Returns how many were compared."""
    from django.db import transaction

    from amends.cases.models import Case, SearchDocument
    from amends.cases.search_documents import search_document_refresh

    ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    chosen = ids if not sample or sample >= len(ids) else random.Random(7).sample(ids, sample)
    loaded = dict(
        (pk, (identity, words))
        for pk, identity, words in SearchDocument.objects.filter(case_id__in=chosen).values_list(
            "case_id", "identity", "words"
        )
    )
    missing = [pk for pk in chosen if pk not in loaded]
    assert not missing, f"cases without a search document: {missing[:10]}"

    class Rollback(Exception):
        pass

    made = {}
    try:
        with transaction.atomic():
            for case in Case.objects.filter(id__in=chosen).select_related("customer"):
                search_document_refresh(case=case)
            made = dict(
                (pk, (identity, words))
                for pk, identity, words in SearchDocument.objects.filter(case_id__in=chosen).values_list(
                    "case_id", "identity", "words"
                )
            )
            raise Rollback
    except Rollback:
        pass
    wrong = [pk for pk in chosen if made[pk] != loaded[pk]]
    assert not wrong, f"{len(wrong)} loaded search documents differ from the services', e.g. case {wrong[0]}"
    return len(chosen)


def rollups_fill() -> None:
    """The dashboard's daily and monthly rollups of the loaded cases, by the service that keeps them."""
    try:
        from amends.insights.services import rollups_rebuild
    except ImportError:  # no insights in this tree
        return
    started = time.perf_counter()
    days = rollups_rebuild()
    print(f"  insights rollups: {days:,} days in {time.perf_counter() - started:.0f} s", flush=True)


TABLES: list[tuple[str, list[str], Callable[[World], Iterator[tuple]]]] = [
    ("customers_customer", CUSTOMER_COLS, customers),
    ("cases_case", CASE_COLS, case_rows),
    ("triage_complaintcluster", CLUSTER_COLS, cluster_rows),
    ("triage_casetriage", TRIAGE_COLS, triage_rows),
    ("cases_message", MESSAGE_COLS, message_rows),
    ("cases_caseevent", EVENT_COLS, event_rows),
    ("outbox_outboxmessage", OUTBOX_COLS, outbox_rows),
]


# --- loading ------------------------------------------------------------------------------------------------------


# PostgreSQL makes the rows that follow from the cases itself (a Python loop is the slow part of a load).
PG_DERIVED = [
    (
        "triage_casetriage",
        """INSERT INTO triage_casetriage (id, result, model_version, language, severity, needs_review, corrected,
               created_at, case_id, category_id, cluster_id, customer_id)
           SELECT c.id, ('{"version": "bench", "language": {"value": "' || c.language || '", "confidence": 0.95,
               "signals": []}, "category": {"value": "' || cat.slug || '", "confidence": 0.8, "signals": []},
               "severity": {"value": ' || (1 + c.id %% 4) || ', "confidence": 0.8, "signals": []},
               "sentiment": {"value": -0.4, "confidence": 0.8, "signals": []},
               "churn_risk": {"value": 0.3, "confidence": 0.8, "signals": []},
               "public_risk": {"value": 0.1, "confidence": 0.8, "signals": []},
               "ladder": {"value": 1, "confidence": 0.8, "signals": []}}')::jsonb,
               'bench', c.language, 1 + c.id %% 4, c.id %% 20 = 0, false, c.created_at, c.id, cat.id,
               CASE WHEN c.id %% 3 = 0 THEN least(%(clusters)s, greatest(1, floor(power(%(clusters)s::float8,
                   random()))::int)) END,
               c.customer_id
           FROM cases_case c
           JOIN triage_category cat ON cat.id = (%(categories)s::bigint[])[1 + c.id %% %(n_categories)s]
           ORDER BY c.id""",
    ),
    (
        "cases_message",
        """INSERT INTO cases_message (id, public_id, direction, body, author_kind, email_message_id, created_at,
               author_id, brand_id, case_id, email_authentication)
           SELECT (c.id - 1) * 3 + k, format('%%s-0000-4000-8000-%%s', lpad(to_hex(48 + k), 8, '0'),
               lpad(to_hex(c.id), 12, '0'))::uuid,
               CASE k WHEN 2 THEN 'out' ELSE 'in' END,
               CASE k WHEN 1 THEN c.description WHEN 2 THEN %(reply)s ELSE 'Thank you, waiting for the parcel.' END,
               CASE k WHEN 2 THEN 'agent' ELSE 'customer' END,
               CASE k WHEN 2 THEN '<r' || c.id || '@amends.example>' END,
               c.created_at + (k - 1) * interval '1 hour', NULL, CASE k WHEN 2 THEN c.brand_id END, c.id, '{}'
           FROM cases_case c CROSS JOIN generate_series(1, 3) AS k ORDER BY c.id, k""",
    ),
    (
        "cases_caseevent",
        """INSERT INTO cases_caseevent (id, kind, actor_kind, actor_label, public, data, created_at, actor_id, case_id)
           SELECT (c.id - 1) * 4 + k, (ARRAY['opened', 'acknowledged', 'reply_sent', 'status_changed'])[k],
               'system', 'amends', k <> 3,
               CASE k WHEN 4 THEN '{"from": "new", "to": "in_progress"}' ELSE '{}' END::jsonb,
               c.created_at + k * interval '1 minute', NULL, c.id
           FROM cases_case c CROSS JOIN generate_series(1, 4) AS k ORDER BY c.id, k""",
    ),
    (
        "outbox_outboxmessage",
        """INSERT INTO outbox_outboxmessage (id, public_id, kind, state, dedupe_key, recipient, sender, subject, body,
               headers, attempts, next_attempt_at, claimed_until, last_error, sent_at, created_at, case_id)
           SELECT (c.id - 1) * 2 + k, format('%%s-0000-4000-8000-%%s', lpad(to_hex(80 + k), 8, '0'),
               lpad(to_hex(c.id), 12, '0'))::uuid, 'email', s.state, 'bench:' || c.id || ':' || k,
               'customer' || c.customer_id || '@example.com', 'care@example.com',
               CASE k WHEN 1 THEN 'We have your complaint' ELSE 'Re: your complaint' END,
               'Dear customer, thank you for writing.', '{}', 1, c.created_at, NULL,
               CASE s.state WHEN 'failed' THEN '550 mailbox unavailable' ELSE '' END,
               CASE s.state WHEN 'sent' THEN c.created_at + interval '2 seconds' END, c.created_at, c.id
           FROM cases_case c
           CROSS JOIN LATERAL (SELECT CASE WHEN c.created_at > now() - interval '30 minutes' THEN 'pending'
               WHEN c.id %% 997 = 0 THEN 'failed' ELSE 'sent' END AS state) AS s
           CROSS JOIN generate_series(1, 2) AS k ORDER BY c.id, k""",
    ),
]


def load_postgres(world: World) -> None:
    import psycopg

    tables = [t for t, _c, _g in TABLES] + ["cases_searchdocument"]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET session_replication_role = replica")  # no foreign-key or tally triggers while loading
        derived = {table for table, _sql in PG_DERIVED}
        for table, columns, rows in TABLES:
            if table in derived:
                continue
            started = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                count = 0
                for row in rows(world):
                    copy.write_row(row)
                    count += 1
            print(f"  {table}: {count:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        values = {
            "clusters": world.clusters,
            "categories": world.categories,
            "n_categories": len(world.categories),
            "reply": REPLY,
        }
        for table, sql in PG_DERIVED:
            started = time.perf_counter()
            count = conn.execute(sql, values).rowcount
            print(f"  {table}: {count:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        with psycopg.connect(PG_URL) as reader:  # a transaction: its cursors are read on the server as needed
            cases, messages = reader.cursor(name="cases"), reader.cursor(name="messages")
            cases.itersize = messages.itersize = 20_000
            cases.execute(CASES_FOR_SEARCH)
            messages.execute(MESSAGES_FOR_SEARCH)
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY cases_searchdocument ({', '.join(SEARCH_COLS)}) FROM STDIN") as copy,
            ):
                count = 0
                for row in search_rows(iter(cases), iter(messages)):
                    copy.write_row(row)
                    count += 1
        print(f"  cases_searchdocument: {count:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute("SET session_replication_role = origin")
        started = time.perf_counter()
        for _name, definition in indexes:
            conn.execute(definition)
        print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute("VACUUM ANALYZE cases_searchdocument")
        for table in tables[:-1]:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
            conn.execute(f"VACUUM ANALYZE {table}")
        conn.execute("SELECT setval('cases_case_reference_seq', %s)", [world.n])


def _sqlite_value(value: object) -> object:
    """As Django stores it in SQLite: times naive in UTC, UUIDs as 32 hex digits, decimals as text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    return value


# SQLite makes the messages from the cases as PostgreSQL does (PG_DERIVED): the first is the complaint itself.
SQLITE_MESSAGES = """INSERT INTO cases_message (id, public_id, direction, body, author_kind, email_message_id,
        created_at, author_id, brand_id, case_id, email_authentication)
    WITH k(k) AS (VALUES (1), (2), (3))
    SELECT (c.id - 1) * 3 + k.k, printf('%%08x000040008000%%012x', 48 + k.k, c.id),
        CASE k.k WHEN 2 THEN 'out' ELSE 'in' END,
        CASE k.k WHEN 1 THEN c.description WHEN 2 THEN %s ELSE %s END,
        CASE k.k WHEN 2 THEN 'agent' ELSE 'customer' END,
        CASE k.k WHEN 2 THEN '<r' || c.id || '@amends.example>' END,
        CASE k.k WHEN 1 THEN c.created_at ELSE strftime('%%Y-%%m-%%d %%H:%%M:%%f', c.created_at,
            '+' || (k.k - 1) || ' hours') END,
        NULL, CASE k.k WHEN 2 THEN c.brand_id END, c.id, '{}'
    FROM cases_case c, k ORDER BY c.id, k.k"""


def load_sqlite(world: World) -> None:
    from django.db import connection, transaction

    from amends.cases.models import ReferenceCounter

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        with transaction.atomic():
            for table, columns, rows in TABLES:
                started = time.perf_counter()
                if table == "cases_message":
                    cursor.execute(SQLITE_MESSAGES, [REPLY, THANKS])
                    print(f"  {table}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
                    continue
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                batch: list[tuple] = []
                count = 0
                for row in rows(world):
                    batch.append(tuple(_sqlite_value(v) for v in row))
                    if len(batch) == 5000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                count += len(batch)
                print(f"  {table}: {count:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            cursor.execute(CASES_FOR_SEARCH)
            cases = cursor.fetchall()
            cursor.execute(MESSAGES_FOR_SEARCH)
            messages = cursor.fetchall()
            rows = list(search_rows(iter(cases), iter(messages)))
            cursor.executemany(
                f"INSERT INTO cases_searchdocument ({', '.join(SEARCH_COLS)}) VALUES (%s, %s, %s)",  # noqa: S608
                rows,
            )
            print(f"  cases_searchdocument: {len(rows):,} rows in {time.perf_counter() - started:.0f} s", flush=True)
            ReferenceCounter.objects.filter(name="case").update(value=world.n)
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("ANALYZE")


def prepare(n: int, sqlite: bool, fresh: bool) -> None:
    """A database with n cases: the one there if it has them, else a new one loaded."""
    import django
    from django.core.management import call_command

    django.setup()
    from amends.core.tallies import tallies_recount, tally_totals

    if not fresh:
        try:
            if sum(tally_totals("case.status").values()) == n:
                print(f"reusing the database: it holds {n:,} cases", flush=True)
                return
        except Exception:  # noqa: S110 - not migrated yet: made below
            pass
    from django.db import connection

    connection.close()
    if sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{os.environ['AMENDS_DATA_DIR']}/amends.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        name = PG_URL.rsplit("/", 1)[1]
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    call_command("migrate", "--no-input", "-v0")
    world = World(n, datetime.now(UTC))
    started = time.perf_counter()
    print(f"loading {n:,} cases into {'SQLite' if sqlite else 'PostgreSQL'}", flush=True)
    (load_sqlite if sqlite else load_postgres)(world)
    tallies_recount()
    rollups_fill()
    checked = search_documents_check(sample=0 if n <= 5000 else 300)
    print(f"  {checked:,} search documents equal what the services write", flush=True)
    print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


# --- measuring ----------------------------------------------------------------------------------------------------


def pages(n: int) -> list[tuple[str, str, str, dict]]:
    """(name, who, url, headers) for every page measured, with ids taken from the loaded data."""
    from amends.cases import keyset
    from amends.cases.api import _encode_cursor
    from amends.cases.models import Case
    from amends.cases.selectors import INBOX_ORDER

    sample = Case.objects.filter(status="in_progress").order_by("-id").first() or Case.objects.order_by("-id")[0]
    regular = Case.objects.filter(customer_id=1).order_by("-id").first() or sample
    deep_all = Case.objects.order_by(*INBOX_ORDER)[min(n - 1, 50_000)]
    deep_closed = Case.objects.filter(status="closed").order_by(*INBOX_ORDER)[min(n // 2, 50_000)]
    deep_api = Case.objects.order_by("-created_at", "-id")[min(n - 1, 50_000)]
    cursor_all = keyset.encode(keyset.Position.of(deep_all))
    cursor_closed = keyset.encode(keyset.Position.of(deep_closed))
    number = sample.reference.rsplit("-", 1)[1].lstrip("0")
    listed = [
        ("inbox (open, default)", "agent", "/console/"),
        ("inbox as manager", "manager", "/console/"),
        ("inbox status all, page 1", "agent", "/console/?status=all"),
        ("inbox status all, ~page 1000", "agent", f"/console/?status=all&after={cursor_all}"),
        ("inbox closed, page 1", "agent", "/console/?status=closed"),
        ("inbox closed, ~page 1000", "agent", f"/console/?status=closed&after={cursor_closed}"),
        ("inbox new", "agent", "/console/?status=new"),
        ("inbox waiting", "agent", "/console/?status=waiting"),
        ("inbox resolved", "agent", "/console/?status=resolved"),
        ("inbox assigned to me", "agent", "/console/?assignee=me"),
        ("inbox unassigned", "agent", "/console/?assignee=none"),
        ("inbox team", "agent", "/console/?team=1"),
        ("inbox language sk", "agent", "/console/?language=sk"),
        ("inbox channel e-mail", "agent", "/console/?channel=email"),
        ("inbox needs review", "agent", "/console/?review=needs_review"),
        ("inbox category", "agent", "/console/?review=3"),
        ("inbox all + needs review", "agent", "/console/?status=all&review=needs_review"),
        ("search common: order", "agent", "/console/?status=all&q=order"),
        ("search common: заказ", "agent", "/console/?status=all&q=заказ"),
        ("search common: refund", "agent", "/console/?status=all&q=refund"),
        ("search rare: zeppelin", "agent", "/console/?status=all&q=zeppelin"),
        ("search Cyrillic: величина", "agent", "/console/?status=all&q=величина"),
        ("search Latin for Cyrillic: velicina", "agent", "/console/?status=all&q=velicina"),
        ("search name: Marković", "agent", "/console/?status=all&q=Marković"),
        ("search name: Ольга", "agent", "/console/?status=all&q=Ольга"),
        ("search name: Keller", "agent", "/console/?status=all&q=Keller"),
        ("search reference", "agent", f"/console/?status=all&q={sample.reference}"),
        ("search reference number", "agent", f"/console/?status=all&q={number}"),
        ("search e-mail (regular customer)", "agent", f"/console/?status=all&q={regular.customer.email}"),
        ("case page", "agent", f"/console/cases/{sample.public_id}/"),
        ("case page (regular customer)", "agent", f"/console/cases/{regular.public_id}/"),
        ("clusters", "agent", "/console/clusters/"),
        ("categories", "agent", "/console/taxonomy/"),
        ("outbox", "manager", "/console/outbox/"),
        ("customer status page", "customer", f"/status/{sample.public_id}/"),
        ("API list", "api", "/api/v1/cases"),
        ("API list, ~page 1000", "api", f"/api/v1/cases?cursor={_encode_cursor(deep_api)}"),
        ("API list status closed", "api", "/api/v1/cases?status=closed"),
        ("API list by customer", "api", f"/api/v1/cases?customer_email={regular.customer.email}"),
        ("API get", "api", f"/api/v1/cases/{sample.public_id}"),
    ]
    try:
        from django.urls import reverse

        listed.append(("dashboard", "manager", reverse("insights:dashboard")))
    except Exception:  # noqa: S110 - no dashboard in this tree
        pass
    return [(name, who, url, {}) for name, who, url in listed]


def clients(sample_public_id: str) -> dict:
    from django.test import Client

    from amends.accounts.models import User
    from amends.accounts.services import user_create
    from amends.api.services import apikey_create
    from amends.cases.models import Case
    from amends.portal.services import status_link_create

    made = {}
    for who, role in (("agent", User.Role.AGENT), ("manager", User.Role.MANAGER)):
        user = User.objects.filter(username=f"bench-{who}").first() or user_create(
            username=f"bench-{who}",
            password="bench-password-1",  # noqa: S106
            first_name=who,
            role=role,
        )
        client = Client()
        client.force_login(user)
        made[who] = client
    _key, secret = apikey_create(name="scale benchmark")
    made["api"] = Client(headers={"Authorization": f"Bearer {secret}"})
    customer = Client()
    _link, url = status_link_create(case=Case.objects.get(public_id=sample_public_id))
    customer.get(urlsplit(url).path)
    made["customer"] = customer
    return made


def measure(repeat: int, only: tuple[str, ...] = ()) -> list[tuple]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amends.cases.models import Case
    from amends.core.tallies import tally_totals

    n = sum(tally_totals("case.status").values())
    listed = pages(n)
    sample = next(url for name, _w, url, _h in listed if name == "customer status page").split("/")[2]
    made = clients(sample)
    assert Case.objects.filter(public_id=sample).exists()
    # As a gunicorn worker is after the master's preload (amends.wsgi.preload_models): what is loaded by now is
    # frozen, out of the garbage collector's full collections, which otherwise walk it in 50-100 ms pauses.
    gc.collect()
    gc.freeze()
    results = []
    for name, who, url, headers in listed:
        if only and not name.startswith(only):
            continue
        client = made[who]
        for _ in range(2):  # warm: the first request of a kind compiles templates and fills caches
            response = client.get(url, headers=headers)
        if response.status_code != 200:
            print(f"  {name}: HTTP {response.status_code}", flush=True)
        times, sql_times, cpu_times = [], [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                client.get(url, headers=headers)
                cpu_times.append((time.process_time() - cpu) * 1000)
                times.append((time.perf_counter() - started) * 1000)
            sql_times.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        times.sort()
        cpu_times.sort()
        p95 = _p95(times)
        sql_ms = statistics.median(sql_times)
        cpu_p95 = _p95(cpu_times)
        results.append((name, statistics.median(times), p95, len(queries), response.status_code, sql_ms, cpu_p95))
        print(
            f"  {name:40} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
            f"{len(queries):3} SQL taking {sql_ms:6.1f} ms  CPU p95 {cpu_p95:6.1f} ms  "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return results


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def profile(name: str, repeat: int) -> None:
    """cProfile of one page (`--profile NAME`): where this process spends its time, by cumulative time."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amends.core.tallies import tally_totals

    listed = pages(sum(tally_totals("case.status").values()))
    sample = next(url for page, _w, url, _h in listed if page == "customer status page").split("/")[2]
    made = clients(sample)
    page, who, url, headers = next(entry for entry in listed if entry[0].startswith(name))
    for _ in range(2):
        made[who].get(url, headers=headers)
    with CaptureQueriesContext(connection) as queries:
        made[who].get(url, headers=headers)
    print(f"## {page}: {url}")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:220]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        made[who].get(url, headers=headers)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def explain(names: tuple[str, ...] = ("inbox", "clusters", "categories", "outbox")) -> None:
    """PostgreSQL's plan of every statement the inbox and triage pages run on the big tables: each should be an
    index scan under a Limit, with no Sort over the table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amends.core.tallies import tally_totals

    listed = pages(sum(tally_totals("case.status").values()))
    sample = next(url for name, _w, url, _h in listed if name == "customer status page").split("/")[2]
    made = clients(sample)
    for name, who, url, headers in listed:
        if not name.startswith(names):
            continue
        with CaptureQueriesContext(connection) as queries:
            made[who].get(url, headers=headers)
        print(f"\n## {name}")
        for query in queries.captured_queries:
            sql = query["sql"]
            if not any(t in sql for t in ("cases_case", "triage_", "outbox_", "amends_tally")):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            print("  " + sql[:160].replace("\n", " "))
            for line in plan[:8] + plan[-1:]:
                print("      " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite in --data-dir instead of PostgreSQL")
    parser.add_argument("--data-dir", default="/tmp/amends-scale", help="AMENDS_DATA_DIR: the SQLite file")  # noqa: S108
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="load again even if the database holds N cases")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--only", default="", help="comma-separated page-name prefixes to measure (default: all)")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL: print the plans of the pages' statements")
    parser.add_argument("--profile", default="", help="cProfile the first page whose name starts with this")
    args = parser.parse_args()
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    os.environ["AMENDS_DATA_DIR"] = args.data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "amends.settings"
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = PG_URL
    prepare(args.cases, args.sqlite, args.fresh)
    if args.explain:
        explain()
        return
    if args.profile:
        profile(args.profile, args.repeat)
        return
    print(f"\nmeasuring ({args.repeat} requests per page, Django test client in-process)", flush=True)
    results = measure(args.repeat, tuple(p.strip() for p in args.only.split(",") if p.strip()))
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"\n| page ({args.cases:,} cases, {database}) | p50 ms | p95 ms | SQL statements | SQL ms (p50) "
        "| CPU ms (p95) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, p50, p95, statements, status, sql_ms, cpu_p95 in results:
        flag = "" if status == 200 else f" (HTTP {status})"
        print(f"| {name}{flag} | {p50:.1f} | {p95:.1f} | {statements} | {sql_ms:.1f} | {cpu_p95:.1f} |")
    worst = max(results, key=lambda r: r[2])
    print(f"\nslowest p95: {worst[0]} {worst[2]:.1f} ms; load average {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"cases": args.cases, "database": database, "results": results}))


if __name__ == "__main__":
    main()
