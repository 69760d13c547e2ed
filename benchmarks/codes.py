"""Issue a million codes into the database and export them as CSV (see ./codes).

For each database, a fresh one is made and migrated, and a child process (this file with --inner) does the work
with the real services: `codes_issue_batch` (one transaction: COPY on PostgreSQL, executemany on SQLite) and
`codes_export_csv` into a file. It then checks that every code is stored once. Generating the codes in memory
alone is timed too, so the database's share shows.

Usage: codes.py [--count 1000000] [--chunk 20000] [--only sqlite|postgresql]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amends_bench_codes")
BENCH_DIR = ROOT / "var" / "bench"


def prepare(database: str) -> tuple[dict, Path]:
    data_dir = BENCH_DIR / f"codes-{database}"
    shutil.rmtree(data_dir, ignore_errors=True)  # a fresh SQLite file, a fresh export
    data_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_")}
    env.update({"AMENDS_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src")})
    if database == "postgresql":
        env["DATABASE_URL"] = PG_URL
        name = PG_URL.rsplit("/", 1)[1]
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], env=env, check=True)
    return env, data_dir


def inner(count: int, chunk: int, out: Path) -> None:
    """In the child: the work, timed; one JSON line on standard output."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from amends.remedies import codes
    from amends.remedies.codes_csv import codes_export_csv
    from amends.remedies.codes_service import codes_issue_batch
    from amends.remedies.models import RemedyCode

    started = time.perf_counter()
    for _part in codes.generate(count, batch=chunk):
        pass
    generate = time.perf_counter() - started

    started = time.perf_counter()
    issued = codes_issue_batch(
        count=count,
        batch="bench",
        amount="10",
        currency="EUR",
        minimum_order="30",
        expires_at=timezone.now() + timedelta(days=90),
        chunk=chunk,
    )
    issue = time.perf_counter() - started

    started = time.perf_counter()
    lines = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        for line in codes_export_csv("bench"):
            handle.write(line)
            lines += 1
    export = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT code) FROM {RemedyCode._meta.db_table} WHERE batch = %s",  # noqa: S608
            ["bench"],
        )
        stored, distinct = cursor.fetchone()
    print(
        json.dumps(
            {
                "generate": generate,
                "issue": issue,
                "replaced": issued.replaced,
                "export": export,
                "rows": lines - 1,
                "bytes": out.stat().st_size,
                "stored": stored,
                "distinct": distinct,
            }
        )
    )


def run(database: str, count: int, chunk: int) -> bool:
    env, data_dir = prepare(database)
    out = data_dir / "bench.csv"
    done = subprocess.run(
        [sys.executable, __file__, "--inner", "--count", str(count), "--chunk", str(chunk), "--out", str(out)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    r = json.loads(done.stdout.strip().splitlines()[-1])
    ok = r["stored"] == r["distinct"] == r["rows"] == count
    print(
        f"{database:<10}  stored in {r['issue']:6.2f} s  {count / r['issue']:>9,.0f} codes/s   "
        f"CSV export {r['export']:5.2f} s ({r['bytes'] / 1e6:.0f} MB)   "
        f"generating alone {r['generate']:.2f} s   "
        f"check: {r['stored']:,} stored, {r['distinct']:,} distinct, {r['rows']:,} exported"
        + (f", {r['replaced']} replaced" if r["replaced"] else "")
    )
    out.unlink(missing_ok=True)  # the codes are not needed, and the file is large
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.count, args.chunk, args.out)
        return
    load = os.getloadavg()
    print(
        f"{args.count:,} codes as one batch (all or nothing), chunks of {args.chunk:,}; "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start"
    )
    failed = [db for db in ("sqlite", "postgresql") if args.only in (None, db) and not run(db, args.count, args.chunk)]
    if failed:
        sys.exit(f"{', '.join(failed)}: not every code was stored once and exported")


if __name__ == "__main__":
    main()
