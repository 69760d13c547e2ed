"""The API against its own OpenAPI document, over real HTTP: Schemathesis generates requests from the document
served by the app (valid ones, and ones that break a rule on purpose) and checks every answer: no server error,
a status code and a content type the document declares, a body that matches the declared schema, valid data
accepted and invalid data refused, authentication enforced. Budget and seed are in schemathesis.toml.

Beside Schemathesis, the server keeps its own ledger of every request it answers: a 5xx, or a request that was
refused (4xx) or only read (GET) yet left the database different from how it found it, is a failure."""

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.handlers.base import BaseHandler
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.utils.timezone import now

from amends.cases.models import Case, CaseEvent, Channel, Message, PublicThread
from amends.conftest import open_case
from amends.incidents.services import incident_declare
from amends.outbox.models import OutboxMessage

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

SRC = Path(__file__).resolve().parents[3]
CONFIG = Path(__file__).with_name("schemathesis.toml")
SAFE = {"GET", "HEAD", "OPTIONS"}
# What a request may change in the database without storing anything: the shared cache (rate-limit counters,
# written by refused requests too, by design) and the time an API key was last used (touched on authentication,
# before the request is read).
NOT_STORED_TABLES = {"amends_cache"}
NOT_STORED_COLUMNS = {"api_apikey": {"last_used_at"}}


def _snapshot_queries() -> list[tuple[str, str]]:
    """One SELECT per table of the database, over the columns that count as stored data."""
    quote = connection.ops.quote_name
    queries = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in NOT_STORED_TABLES:
                continue
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
                if column.name not in NOT_STORED_COLUMNS.get(table, set())
            ]
            select = ", ".join(quote(c) for c in columns)
            queries.append((table, f"SELECT {select} FROM {quote(table)}"))  # noqa: S608 (names from the schema)
    return queries


def _snapshot(queries: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Per table, its row count and an order-free digest of its rows: any insert, update or delete shows."""
    state = {}
    with connection.cursor() as cursor:
        for table, sql in queries:
            cursor.execute(sql)
            rows = cursor.fetchall()
            state[table] = (len(rows), sum(hash(tuple(map(repr, row))) for row in rows))
    return state


@dataclass
class Ledger:
    """Every API request the live server answered, as the server saw it."""

    queries: list[tuple[str, str]]
    answered: Counter[str] = field(default_factory=Counter)  # "POST 422"
    operations: set[str] = field(default_factory=set)  # "POST /api/v1/cases/{id}/messages", ids folded
    server_errors: list[str] = field(default_factory=list)
    half_stored: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self, predicate: Callable[[str, int], bool] = lambda method, status: True) -> int:
        return sum(n for key, n in self.answered.items() if predicate(key.split()[0], int(key.split()[1])))

    def answer(self, handler: BaseHandler, request: HttpRequest, respond: Callable) -> HttpResponseBase:
        # One request at a time, so the state before and after belongs to this request alone.
        with self.lock:
            before = _snapshot(self.queries)
            response = respond(handler, request)
            status, method = response.status_code, request.method or ""
            self.answered[f"{method} {status}"] += 1
            self.operations.add(f"{method} {_shape(request.path)}")
            seen = f"{method} {request.get_full_path()} -> {status}"
            if status >= 500:
                self.server_errors.append(seen)
            if status >= 400 or method in SAFE:
                after = _snapshot(self.queries)
                changed = sorted(t for t in before if before[t] != after.get(t))
                if changed:
                    self.half_stored.append(f"{seen} changed {', '.join(changed)}")
            return response


def _shape(path: str) -> str:
    """A path with its ids folded, so requests count per operation."""
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}", path)
    return re.sub(r"/codes/[^/]+", "/codes/{code}", path)


@pytest.fixture
def ledger(live_server, monkeypatch) -> Iterator[Ledger]:  # type: ignore[no-untyped-def]
    book = Ledger(queries=_snapshot_queries())
    respond = BaseHandler.get_response

    def get_response(handler: BaseHandler, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith("/api/") or request.path.endswith("/openapi.json"):
            return respond(handler, request)
        return book.answer(handler, request, respond)

    # The live server's handler is built once per session; its method is looked up on the class at each request.
    monkeypatch.setattr(BaseHandler, "get_response", get_response)
    yield book


@pytest.fixture
def known_ids(migration_seeds) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A case with remedies priced at intake, and an incident, whose ids the hooks give to some requests meant to be
    valid: the operations on a case, a remedy or an incident then reach their work, not only the 404 of an id made
    up."""
    # migration_seeds: a transactional test before this one may have flushed the seeded policy
    case = open_case(order_reference="SO-1", order_value="89.90", order_currency="EUR").case
    remedies = [str(r) for r in case.remedies.values_list("public_id", flat=True)]
    assert remedies, "the default policy priced no remedy for the case"
    incident = incident_declare(
        actor=None, title="Checkout down", summary="Payments failed.", started_at=now() - timedelta(hours=1)
    )
    return {
        "AMENDS_FUZZ_CASES": str(case.public_id),
        "AMENDS_FUZZ_REMEDIES": ",".join(remedies),
        "AMENDS_FUZZ_INCIDENTS": str(incident.public_id),
    }


def test_the_api_keeps_to_its_document_under_fuzzing(live_server, api_key, known_ids, ledger, tmp_path):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    # The output goes to a file as it comes, so a long run can be watched (tail -f the path printed below).
    log = tmp_path / "schemathesis.log"
    print(f"\nSchemathesis output: {log}")
    with log.open("w") as out:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(CONFIG),
                "--no-color",
                "run",
                f"{live_server.url}/api/v1/openapi.json",
                "--checks",
                "all",
                # The response-time check stays on, with room for a loaded CI machine: it catches a request that
                # hangs, not one that is slow (speed is measured by benchmarks/, never by a test).
                "--max-response-time",
                "120",
                "--header",
                f"Authorization: Bearer {api_key}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1500,
            env={**os.environ, **known_ids, "PYTHONPATH": str(SRC)},
            cwd=tmp_path,  # Schemathesis keeps a cache in the working directory
        )
    seconds = time.monotonic() - started
    report = log.read_text()
    generated = re.search(r"(\d+) generated", report)
    operations = re.search(r"Operations:\s+(\d+) selected", report)
    refused = ledger.total(lambda method, status: 400 <= status < 500)
    refused_writes = ledger.total(lambda method, status: 400 <= status < 500 and method not in SAFE)
    print(report[-4_000:])  # with -s: the phases, their times and Schemathesis' own counts
    print(
        f"\nFuzzing ledger ({seconds:.0f} s): {operations.group(1) if operations else '?'} operations of the "
        f"document ({len(ledger.operations)} method-and-path shapes answered), "
        f"{ledger.total()} requests ({generated.group(1) if generated else '?'} test cases generated), "
        f"{refused} refused with a 4xx ({refused_writes} of them writes), "
        f"{len(ledger.server_errors)} ended in a 5xx, {len(ledger.half_stored)} half-stored.\n"
        f"  by method and status: {dict(sorted(ledger.answered.items()))}\n"
        f"  operations: {sorted(ledger.operations)}"
    )
    assert run.returncode == 0, report[-30_000:]
    assert not ledger.server_errors, ledger.server_errors[:20]
    assert not ledger.half_stored, ledger.half_stored[:20]
    assert generated and int(generated.group(1)) >= 600, report[-5_000:]
    # Both sides of every write were tried: refusals (the ledger checked that they stored nothing) and successes.
    assert refused_writes >= 200, ledger.answered
    assert ledger.total(lambda method, status: status < 300 and method not in SAFE) >= 20, ledger.answered

    # Nothing half-done on success either: every case the fuzzer opened is whole (its first message, both
    # events, its acknowledgement in the outbox). A public post whose author is known only by a handle has no
    # address to acknowledge to: it is whole with its post's facts, and nothing is mailed.
    cases = Case.objects.select_related("customer")
    assert cases.exists(), "the fuzzer opened no case: valid data was never accepted"
    for case in cases:
        assert Message.objects.filter(case=case, direction=Message.Direction.IN).exists(), case.reference
        kinds = set(case.events.values_list("kind", flat=True))
        if case.channel == Channel.PUBLIC_THREAD:
            assert PublicThread.objects.filter(case=case).exists(), case.reference
        if case.customer.email is None:
            assert case.channel == Channel.PUBLIC_THREAD and CaseEvent.Kind.OPENED in kinds, case.reference
            assert not OutboxMessage.objects.filter(case=case, kind=OutboxMessage.Kind.EMAIL).exists(), case.reference
            continue
        assert {CaseEvent.Kind.OPENED, CaseEvent.Kind.ACKNOWLEDGED} <= kinds, case.reference
        assert OutboxMessage.objects.filter(case=case, dedupe_key=f"ack:{case.pk}").exists(), case.reference
