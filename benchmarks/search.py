"""Case search at scale, before and after the stored search documents (issue 13, item 1).

For each database a fresh one is made and migrated; a child process (this file with --inner) bulk-inserts N cases
(five languages, both Serbian scripts, customers with names like Marković, Ольга, Keller, common and rare words),
builds their search documents with the real builder (search_documents_build), then times the inbox's search
(status "all" and the default "open") for common, rare, Cyrillic, Latin-for-Cyrillic, name and reference
queries, through the real selector, to the first page of rows. "before" runs the old search on the same data:
the tsvector computed per row at query time (PostgreSQL, with its old expression index) or the old FTS5 table over
subject and description (SQLite), then the inbox order. Prints p50/p95 in ms; also the added cost per case at
intake (the document built and written), measured over 1,000 cases.

Usage: search.py [--count 100000] [--repeat 15] [--only sqlite|postgresql]
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amends_bench_search")
BENCH_DIR = ROOT / "var" / "bench"

STORIES = {
    "en": [
        "I was refunded the wrong amount for my order {n}.",
        "The parcel with order {n} arrived damaged and nobody answers.",
        "Where is my refund? I returned the order two weeks ago.",
        "The size is wrong, please exchange the shoes from order {n}.",
    ],
    "ru": [
        "Прислали не тот размер, заказ {n}. Прошу заменить.",
        "Величина не подходит, прошу вернуть деньги за заказ.",
        "Мой заказ {n} задерживается уже неделю.",
        "Курьер не привёз заказ, а деньги списали.",
    ],
    "sr": [
        "Величина није одговарајућа, молим замену за поруџбину {n}.",
        "Paket je stigao oštećen, porudžbina {n}, tražim povraćaj novca.",
        "Porudžbina kasni već deset dana.",
    ],
    "sk": ["Zásielka {n} neprišla, objednávka je zaplatená.", "Topánky sú poškodené, prosím o výmenu."],
    "bg": ["Поръчката ми {n} не е пристигнала.", "Обувките са скъсани, искам да ми върнете парите."],
}
FIRST = ["Ольга", "Petar", "Anna", "Jelena", "Иван", "Marija", "Ján", "Мария", "Olga", "Nikola", "Zuzana", "Георги"]
LAST = ["Marković", "Петрова", "Keller", "Ilić", "Смирнов", "Novák", "Jovanović", "Иванова", "Horvat", "Kováč"]
RARE = "zeppelin"
QUERIES = {
    "common (order)": "order",
    "common (заказ)": "заказ",
    "common (refund)": "refund",
    "rare (zeppelin)": RARE,
    "cyrillic (величина)": "величина",
    "latin for cyrillic (velicina)": "velicina",
    "name (Marković)": "Marković",
    "name (Ольга)": "Ольга",
    "name (Keller)": "Keller",
    "reference (whole)": "{reference}",
    "reference (number, no zeros)": "{number}",
}
OLD_PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, translate(coalesce(subject, '') || ' ' || coalesce(description, ''), "
    "'{fold_from}', '{fold_to}'))"
)


def prepare(database: str) -> dict:
    data_dir = BENCH_DIR / f"search-{database}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_")}
    env.update({"AMENDS_DATA_DIR": str(data_dir), "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path[1:]])})
    if database == "postgresql":
        env["DATABASE_URL"] = PG_URL
        name = PG_URL.rsplit("/", 1)[1]
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], env=env, check=True)
    return env


def reused(database: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_")}
    env.update(
        {
            "AMENDS_DATA_DIR": str(BENCH_DIR / f"search-{database}"),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path[1:]]),
        }
    )
    if database == "postgresql":
        env["DATABASE_URL"] = PG_URL
    else:
        env.pop("DATABASE_URL", None)
    return env


def load(count: int) -> dict:
    """N cases by bulk insert (no intake: that is not what is measured here), then their search documents."""
    from django.utils import timezone

    from amends.brands.selectors import brand_default
    from amends.cases.lifecycle import Status
    from amends.cases.models import Case
    from amends.cases.search_documents import search_documents_build
    from amends.customers.models import Customer

    rng = random.Random(13)
    now = timezone.now()
    customers = [
        Customer(
            public_id=uuid.uuid4(), email=f"customer{i}@example.com", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        )
        for i in range(max(1, count // 3))
    ]
    Customer.objects.bulk_create(customers, batch_size=5000)
    customers = list(Customer.objects.order_by("id"))
    brand = brand_default()
    statuses = [Status.CLOSED] * 7 + [Status.RESOLVED, Status.IN_PROGRESS, Status.ACKNOWLEDGED]
    batch: list[Case] = []
    for i in range(1, count + 1):
        language = rng.choice(list(STORIES))
        story = rng.choice(STORIES[language]).format(n=rng.randint(10000, 99999))
        if i % 10_000 == 0:
            story += f" The {RARE} mug was broken."
        created = now - timedelta(minutes=(count - i) * 5)
        batch.append(
            Case(
                public_id=uuid.uuid4(),
                reference=f"AM-{created.year}-{i:06d}",
                customer=customers[rng.randrange(len(customers))],
                brand=brand,
                channel="form",
                subject=story[:80],
                description=story,
                language="sr" if language == "sr" else language,
                status=rng.choice(statuses),
                priority=rng.choice([1, 2, 3, 3, 3, 4]),
                first_response_due_at=created + timedelta(hours=8),
                resolution_due_at=created + timedelta(days=3),
                next_due_at=created + timedelta(days=3),
                created_at=created,
                updated_at=created,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    started = time.perf_counter()
    built = search_documents_build()
    return {"cases": count, "documents": built, "documents_s": round(time.perf_counter() - started, 1)}


def intake_cost() -> dict:
    """What the search document adds to one intake: built from the case and written (with its index entry)."""
    from django.db import transaction

    from amends.cases.models import Case, SearchDocument
    from amends.cases.search_documents import search_document_create

    cases = list(Case.objects.select_related("customer").order_by("-id")[:1000])
    SearchDocument.objects.filter(case__in=cases).delete()
    # In one transaction: an intake writes the document in its own transaction, whose commit it pays anyway.
    started = time.perf_counter()
    with transaction.atomic():
        for case in cases:
            search_document_create(case=case)
    per_case = (time.perf_counter() - started) / len(cases) * 1000
    return {"search document per intake, ms": round(per_case, 3)}


def old_search(query: str) -> list[int]:
    """The search as it was: words folded, matched as prefixes; the tsvector computed per row on PostgreSQL."""
    import re

    from django.db import connection

    from amends.core.text import FOLD_FROM, FOLD_TO, fold

    words = [fold(w) for w in re.findall(r"\w+", query)[:12]]
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            document = OLD_PG_DOCUMENT.format(fold_from=FOLD_FROM, fold_to=FOLD_TO)
            cursor.execute(
                f"SELECT id FROM cases_case WHERE {document} @@ to_tsquery('simple', %s) ORDER BY id DESC LIMIT 5000",  # noqa: S608
                [" & ".join(f"{w}:*" for w in words)],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM old_case_fts WHERE old_case_fts MATCH %s ORDER BY rowid DESC LIMIT 5000",
                [" AND ".join(f'"{w}"*' for w in words)],
            )
        return [row[0] for row in cursor.fetchall()]


def old_structures(create: bool) -> None:
    from django.db import connection

    from amends.core.text import FOLD_FROM, FOLD_TO

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if create:
                document = OLD_PG_DOCUMENT.format(fold_from=FOLD_FROM, fold_to=FOLD_TO)
                cursor.execute(f"CREATE INDEX old_case_fulltext ON cases_case USING gin (({document}))")
                cursor.execute("ANALYZE")
            else:
                cursor.execute("DROP INDEX old_case_fulltext")
        elif create:
            cursor.execute(
                "CREATE VIRTUAL TABLE old_case_fts USING fts5(subject, description, content='cases_case', "
                "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
            )
            cursor.execute("INSERT INTO old_case_fts(old_case_fts) VALUES ('rebuild')")
        else:
            cursor.execute("DROP TABLE old_case_fts")


def timed(fn, repeat: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return round(statistics.median(times), 1), round(p95, 1), rows


def inner(count: int, repeat: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import F

    from amends.accounts.models import User
    from amends.cases.models import Case
    from amends.cases.selectors import InboxFilters, inbox

    reuse = "--reuse" in sys.argv
    figures: dict = {"database": connection.vendor}
    figures.update(
        {"cases": Case.objects.count(), "documents": 0, "documents_s": "(loaded before)"} if reuse else load(count)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures.update(intake_cost())
    agent = User(username="bench", role=User.Role.AGENT, is_active=True)
    sample = Case.objects.order_by("id")[count // 2]
    urgency = ("-breached", "priority", F("next_due_at").asc(nulls_last=True), "-created_at")
    results = []
    old_structures(create=True)
    for label, template in QUERIES.items():
        query = template.format(reference=sample.reference, number=sample.reference.rsplit("-", 1)[1].lstrip("0"))
        for status in ("all", "open"):
            new = timed(
                lambda q=query, s=status: len(list(inbox(actor=agent, filters=InboxFilters(status=s, q=q))[:51])),
                repeat,
            )

            def before(q: str = query, s: str = status) -> int:
                cases = Case.objects.select_related("customer", "team", "assignee", "triage", "triage__category")
                cases = (
                    cases if s == "all" else cases.filter(status__in=["new", "acknowledged", "in_progress", "waiting"])
                )
                return len(list(cases.filter(id__in=old_search(q)).order_by(*urgency)[:51]))

            old = timed(before, repeat)
            results.append({"query": label, "status": status, "before": old, "after": new})
    old_structures(create=False)
    figures["queries"] = results
    print(json.dumps(figures))


def report(figures: dict) -> None:
    print(
        f"\n{figures['database']}: {figures['cases']:,} cases; documents built in {figures['documents_s']} s; "
        f"search document per intake {figures['search document per intake, ms']} ms"
    )
    print(
        f"{'query':32} {'status':6} {'before p50':>10} {'p95':>8} {'rows':>5}   {'after p50':>9} {'p95':>8} {'rows':>5}"
    )
    for row in figures["queries"]:
        b, a = row["before"], row["after"]
        print(f"{row['query']:32} {row['status']:6} {b[0]:>10} {b[1]:>8} {b[2]:>5}   {a[0]:>9} {a[1]:>8} {a[2]:>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true", help="query the databases a previous run loaded")
    args = parser.parse_args()
    if args.inner:
        inner(args.count, args.repeat)
        return
    for database in [args.only] if args.only else ["sqlite", "postgresql"]:
        env = reused(database) if args.reuse else prepare(database)
        out = subprocess.run(
            [sys.executable, __file__, "--inner", "--count", str(args.count), "--repeat", str(args.repeat)]
            + (["--reuse"] if args.reuse else []),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        report(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
