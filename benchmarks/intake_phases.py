"""Where one complaint's CPU goes, step by step, without a profiler's distortion: each step of POST /api/v1/cases
timed with time.process_time (exclusive of the steps inside it) and its SQL statements counted, over N intakes in
one process on a fresh database (SQLite, or PostgreSQL with DATABASE_URL).

Run it against another checkout to compare trees in the same conditions (steps a tree does not have are skipped):
    AMENDS_DATA_DIR=/tmp/x PYTHONPATH=src python benchmarks/intake_phases.py [--cases 600] [--via service]
    AMENDS_DATA_DIR=/tmp/y PYTHONPATH=/work/main/src python benchmarks/intake_phases.py
"""

import argparse
import functools
import importlib
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

TREE_SRC = os.environ.get("PYTHONPATH", "").split(":")[0] or str(Path(__file__).resolve().parent.parent / "src")
sys.path.insert(0, TREE_SRC)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")

from intake_profile import STORIES, _backend_cpu  # noqa: E402  (the same complaints as the profile)

# (module, attribute, label): what is timed. A dotted attribute is a class's method.
STEPS = [
    ("amends.cases.api", "case_open", "case_open (the rest: the customer query, building the case)"),
    ("amends.cases.api", "CaseOut.of", "CaseOut.of + dump (the response)"),
    ("amends.cases.intake", "validate_intake", "validate_intake"),
    ("amends.cases.intake", "_triage", "triage (the models)"),
    ("amends.cases.intake", "customer_get_or_create", "customer_get_or_create"),
    ("amends.cases.intake", "_next_reference", "next reference"),
    ("amends.cases.intake", "brand_default", "brand_default"),
    ("amends.cases.intake", "_price", "remedy pricing (policy)"),
    ("amends.cases.models", "Case.save", "Case insert"),
    ("amends.cases.intake", "search_document_create", "search document"),
    ("amends.cases.intake", "search_identity_refresh", "search identity refresh"),
    ("amends.cases.intake", "message_create", "message insert"),
    ("amends.portal.services", "status_link_create", "status link"),
    ("amends.cases.intake", "case_triage_store", "triage row insert"),
    ("amends.cases.intake", "remedies_price", "remedy rows"),
    ("amends.cases.intake", "option_lines", "remedy option lines (wording)"),
    ("amends.cases.models", "CaseEvent.objects.bulk_create", "events insert"),
    ("amends.cases.notifications", "acknowledgement_enqueue", "acknowledgement (outbox)"),
    ("amends.cases.intake", "_emit", "webhook emit"),
    ("amends.cases.intake", "case_cluster", "clustering"),
    ("amends.cases.intake", "case_after_intake", "after-intake work (hooks)"),
    ("amends.cases.hooks", "case_triaged", "hooks: case triaged (incident match)"),
    ("amends.cases.hooks", "case_opened", "hooks: case opened (recurrence)"),
    ("amends.api.auth", "ApiKeyAuth.authenticate", "API key look-up"),
]


class Clock:
    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self.statements: dict[str, int] = defaultdict(int)
        self.stack: list[list] = []  # [label, started, time spent in steps inside]

    def wrap(self, label: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.stack.append([label, time.process_time(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                _label, started, inner = self.stack.pop()
                spent = time.process_time() - started
                self.own[label] += spent - inner
                if self.stack:
                    self.stack[-1][2] += spent

        return timed

    def count(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.statements[self.stack[-1][0] if self.stack else "request (outside the steps)"] += 1
        return execute(sql, params, many, context)


def install(clock: Clock) -> list[str]:
    installed = []
    for module_name, attribute, label in STEPS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner = module
        *path, name = attribute.split(".")
        try:
            for part in path:
                owner = getattr(owner, part)
            original = getattr(owner, name)
        except AttributeError:
            continue
        if isinstance(owner, type) and isinstance(owner.__dict__.get(name), staticmethod):
            setattr(owner, name, staticmethod(clock.wrap(label, original)))
        else:
            setattr(owner, name, clock.wrap(label, original))
        installed.append(label)
    # status_link_create and acknowledgement_enqueue are imported inside case_open: patched in their modules.
    return installed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--via", choices=["service", "http"], default="http")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    from amends.api.services import apikey_create
    from amends.cases.intake import IntakeRequest, case_open

    _record, key = apikey_create(name="phases")
    client = Client(headers={"Authorization": f"Bearer {key}"})

    def one(i: int) -> None:
        language, story = STORIES[i % len(STORIES)]
        if args.via == "http":
            body = {
                "customer": {"email": f"bench{i % 500}@example.com", "language": language},
                "description": story,
                "order": {"reference": f"SO-{i}", "value": "59.90", "currency": "EUR"},
            }
            response = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
            assert response.status_code == 201, response.content
            return
        case_open(
            request=IntakeRequest(
                email=f"bench{i % 500}@example.com",
                language=language,
                description=story,
                order_value="59.90",
                order_currency="EUR",
                order_reference=f"SO-{i}",
            )
        )

    for i in range(600):  # warm-up: models loaded, caches filled, customers known (as a busy service has them)
        one(i)
    clock = Clock()
    install(clock)
    total_clock = Clock()
    request = total_clock.wrap("total", one)
    backend_started = _backend_cpu(connection)
    with connection.execute_wrapper(clock.count):
        for i in range(600, 600 + args.cases):
            request(i)
    backend = _backend_cpu(connection) - backend_started
    n = args.cases
    total = total_clock.own["total"]
    outside = total - sum(clock.own.values())
    rows = sorted(((label, spent) for label, spent in clock.own.items()), key=lambda row: -row[1])
    rows.append(("request (outside the steps: middleware, ninja, pydantic in)", outside))
    print(f"{connection.vendor}, via {args.via}, {n} cases: {total / n * 1000:.2f} ms CPU per case", end="")
    print(f", {backend / n * 1000:.2f} ms in the PostgreSQL backend" if backend == backend else "", end="")
    print(f"; {sum(clock.statements.values()) / n:.1f} SQL statements per case; load {os.getloadavg()[0]:.2f}")
    print(f"{'step (exclusive of the steps inside it)':<64} {'ms/case':>8} {'SQL/case':>9}")
    labels = {label for _m, _a, label in STEPS}
    for label, spent in rows:
        print(f"{label:<64} {spent / n * 1000:8.2f} {clock.statements.get(label, 0) / n:9.1f}")
    extra = {k: v for k, v in clock.statements.items() if k not in labels}
    for label, count in extra.items():
        print(f"{'  statements outside the steps: ' + label:<64} {'':>8} {count / n:9.1f}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "vendor": connection.vendor,
                    "cases": n,
                    "cpu_ms": total / n * 1000,
                    "backend_ms": backend / n * 1000,
                    "steps": {label: spent / n * 1000 for label, spent in rows},
                    "load": os.getloadavg()[0],
                }
            )
        )


if __name__ == "__main__":
    main()
