"""Where a complaint's time goes, in one process on a fresh database (SQLite, or PostgreSQL with DATABASE_URL).

--via service profiles the intake service (case_open) alone; --via http the whole request through Django's
test client (middleware, authentication, the JSON parser, pydantic, the response), as POST /api/v1/cases. Prints
the CPU time per case, the SQL statements one intake runs, and the top functions by cumulative time.
    AMENDS_DATA_DIR=/tmp/x python benchmarks/intake_profile.py [--via http] [--cases 300] [--filter remedies]
    [--statements] [--no-profile] [--save FILE]"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")

STORIES = [
    ("ru", "Прислали кроссовки не того размера, а они нужны мне к субботе."),
    ("bg", "Поръчката ми не е пристигнала вече десет дни."),
    ("sr", "Наручио сам патике број 43, а стигле су 41."),
    ("sr-Latn", "Đon na novim cipelama se odlepio posle nedelju dana."),
    ("sk", "Z karty mi dvakrát strhli platbu za tú istú objednávku."),
    ("en", "The parcel has said out for delivery for six days."),
]


def _backend_cpu(connection) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds the PostgreSQL backend serving this connection has used (same machine, Linux /proc)."""
    if connection.vendor != "postgresql":
        return float("nan")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--via", choices=["service", "http"], default="service")
    parser.add_argument("--filter", default="", help="only functions whose file path contains this")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--statements", action="store_true", help="list the SQL statements of one intake")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU time per case, unprofiled")
    parser.add_argument("--save", help="also write the profile to this file (for pstats, snakeviz)")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    from amends.api.services import apikey_create
    from amends.cases.intake import IntakeRequest, case_open

    _record, key = apikey_create(name="profile")
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
    with CaptureQueriesContext(connection) as captured:
        one(600)
    print(f"{len(captured.captured_queries)} SQL statements for one intake ({connection.vendor}, via {args.via})")
    if args.statements:
        for query in captured.captured_queries:
            print("   ", query["sql"][:160])
    profiler = cProfile.Profile(time.process_time)
    backend_started = _backend_cpu(connection)
    started = time.process_time()
    if not args.no_profile:
        profiler.enable()
    for i in range(601, 601 + args.cases):
        one(i)
    profiler.disable()
    spent = time.process_time() - started
    backend = _backend_cpu(connection) - backend_started
    profiled = "" if args.no_profile else " (under the profiler)"
    print(f"{args.cases} cases, {spent / args.cases * 1000:.2f} ms CPU each{profiled}", end="")
    print(f", and {backend / args.cases * 1000:.2f} ms in the PostgreSQL backend" if backend == backend else "")
    if args.no_profile:
        return
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    if args.filter:
        stats.print_stats(args.filter, args.top)
    else:
        stats.print_stats(args.top)


if __name__ == "__main__":
    main()
