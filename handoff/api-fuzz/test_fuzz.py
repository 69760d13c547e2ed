"""The API against its own OpenAPI document, over real HTTP: Schemathesis generates requests from the document
served by the app (valid ones, and ones that break a rule on purpose) and checks every answer: no server error,
a status code and a content type the document declares, a body that matches the declared schema, valid data
accepted and invalid data refused, authentication enforced. Budget and seed are in schemathesis.toml."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.signals import got_request_exception

from amends.cases.models import Case, CaseEvent, Message
from amends.outbox.models import OutboxMessage

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

CONFIG = Path(__file__).with_name("schemathesis.toml")
SRC = Path(__file__).resolve().parents[3]


def test_the_api_keeps_to_its_document_under_fuzzing(live_server, api_key, tmp_path):  # type: ignore[no-untyped-def]
    crashes: list[BaseException] = []

    def record(sender, request=None, **kwargs):  # type: ignore[no-untyped-def]
        crashes.append(sys.exc_info()[1])  # type: ignore[arg-type]

    got_request_exception.connect(record)
    try:
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
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            cwd=tmp_path,  # Schemathesis keeps a cache in the working directory
        )
    finally:
        got_request_exception.disconnect(record)
    report = run.stdout + run.stderr
    tried = re.search(r"(\d+) generated", report)
    print(run.stdout[-3_000:])  # with -s: the phases, their times and the count of requests
    assert run.returncode == 0, report[-30_000:]
    assert tried and int(tried.group(1)) >= 1000, report[-5_000:]
    assert not crashes, crashes

    # Nothing half-done: every case the fuzzer opened is whole (its first message, both events, its
    # acknowledgement in the outbox), and every message has its case's timeline entry.
    cases = Case.objects.all()
    assert cases.exists(), "the fuzzer opened no case: valid data was never accepted"
    for case in cases:
        assert Message.objects.filter(case=case, direction=Message.Direction.IN).exists(), case.reference
        kinds = set(case.events.values_list("kind", flat=True))
        assert {CaseEvent.Kind.OPENED, CaseEvent.Kind.ACKNOWLEDGED} <= kinds, case.reference
        assert OutboxMessage.objects.filter(case=case, dedupe_key=f"ack:{case.pk}").exists(), case.reference
