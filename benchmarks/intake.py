"""Drive POST /api/v1/cases against a production server and report throughput and latency (see ./intake).

With --before REV (default: acece1c, main before issue 13's intake work), the same load runs first against that
commit's code (exported with `git archive` into a temporary folder) and then against this tree, one after the
other on the same machine, and the change in cases/s and latency is printed: issue 9 allows at most -15 %."""

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# The project's own virtualenv when there is one (scripts/setup makes it), else the interpreter running this.
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
BEFORE = "acece1c"  # main before issue 13's intake work
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amends_bench")

STORIES = [
    ("ru", "Прислали кроссовки не того размера, а они нужны мне к субботе."),
    ("bg", "Поръчката ми не е пристигнала вече десет дни."),
    ("sr", "Наручио сам патике број 43, а стигле су 41."),
    ("sr-Latn", "Đon na novim cipelama se odlepio posle nedelju dana."),
    ("sk", "Z karty mi dvakrát strhli platbu za tú istú objednávku."),
    ("en", "The parcel has said out for delivery for six days."),
]


def manage(env: dict, *args: str) -> str:
    tree = Path(env["PYTHONPATH"]).parent
    out = subprocess.run([PY, str(tree / "manage.py"), *args], env=env, check=True, capture_output=True, text=True)
    return out.stdout


def export(rev: str) -> Path:
    """The code of `rev` in a temporary folder, with its translations compiled as a deployment has them."""
    tree = Path(tempfile.mkdtemp(prefix=f"amends-bench-{rev}-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    subprocess.run(
        [PY, str(tree / "manage.py"), "compilemessages", "-v0"],
        cwd=tree / "src" / "amends",
        env={**os.environ, "PYTHONPATH": str(tree / "src")},
        check=True,
        capture_output=True,
    )
    return tree


def prepare(database: str, data_dir: Path, tree: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_")}
    # PYTHONPATH puts this tree's `amends` ahead of whichever one the virtualenv has installed.
    env.update({"AMENDS_DATA_DIR": str(data_dir), "AMENDS_ALLOWED_HOSTS": "127.0.0.1", "PYTHONPATH": str(tree / "src")})
    if database == "postgresql":
        env["DATABASE_URL"] = PG_URL
        name = PG_URL.rsplit("/", 1)[1]
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    else:
        env.pop("DATABASE_URL", None)
    manage(env, "migrate", "--no-input", "-v0")
    return env


def server_cpu(master: int) -> float:
    """CPU seconds the server's workers have used so far (Linux /proc): on a machine others share, CPU per case
    moves far less with their load than cases per second does."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return float("nan")
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    env: dict, port: int, *, ready_path: str = "/api/v1/openapi.json", wait: float = 900
) -> subprocess.Popen:
    """gunicorn as production runs it, in its own process group, waited for patiently: on a machine others load,
    a preloading master can take minutes. Ready once `ready_path` answers."""
    tree = Path(env["PYTHONPATH"]).parent
    log = Path(env["AMENDS_DATA_DIR"]) / "gunicorn.log"
    config = tree / "gunicorn.conf.py"
    server = subprocess.Popen(
        [
            GUNICORN,
            "amends.wsgi",
            "--chdir",
            env["PYTHONPATH"],
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
            # The tree's own gunicorn settings (preloading the models) where it has them; the command line wins.
            "--config",
            str(config) if config.exists() else "/dev/null",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=5)
            return server
        except httpx.HTTPError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    """The master and its workers (their own process group): none is left behind on a shared machine."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


async def drive(url: str, key: str, seconds: float, concurrency: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=120) as client:

        async def user(n: int) -> None:
            nonlocal errors
            rng = random.Random(n)
            i = 0
            while time.monotonic() < stop_at:
                language, story = rng.choice(STORIES)
                body = {
                    "customer": {"email": f"bench{n}-{i % 500}@example.com", "language": language},
                    "description": story,
                    "order": {"reference": f"SO-{n}-{i}", "value": "59.90", "currency": "EUR"},
                }
                started = time.perf_counter()
                response = await client.post(url, json=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 201:
                    errors += 1
                i += 1

        await asyncio.gather(*(user(n) for n in range(concurrency)))
    return latencies, errors


def drive_wrk(url: str, key: str, seconds: float, concurrency: int) -> tuple[int, int, float, float, float, float]:
    """wrk (C, event loop) leaves the CPU to the server; returns requests, errors, seconds, p50/p95/p99 in ms."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(Path(__file__).with_name("intake.lua")),
            url.rsplit("/api/", 1)[0],
        ],
        env={**os.environ, "BENCH_KEY": key},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    requests, errors, micros, p50, p95, p99 = (float(x) for x in line.split()[1:])
    return int(requests), int(errors), micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000


@dataclass
class Result:
    label: str
    rate: float
    p50: float
    p95: float
    p99: float
    cpu_ms: float


def run(database: str, seconds: float, concurrency: int, port: int, tree: Path, label: str) -> Result:
    data_dir = Path(tempfile.mkdtemp(prefix=f"amends-bench-{database}-"))
    try:
        env = prepare(database, data_dir, tree)
        key = manage(env, "createapikey", "benchmark").strip().splitlines()[-1]
        # The category model trained before the server starts, as a deployment has it (not on a request).
        manage(env, "shell", "-c", "from amends.triage.services import category_model_active as a; a()")
        port = port or free_port()
        server = start_server(env, port)
        try:
            url = f"http://127.0.0.1:{port}/api/v1/cases"
            asyncio.run(drive(url, key, 3, concurrency))  # warm-up: connections, caches, the first requests
            count_before = int(manage(env, "shell", "-c", COUNT).strip().split()[-2])
            cpu_before = server_cpu(server.pid)
            if shutil.which("wrk"):
                requests, errors, elapsed, p50, p95, p99 = drive_wrk(url, key, seconds, concurrency)
                client = "wrk"
            else:
                started = time.monotonic()
                latencies, errors = asyncio.run(drive(url, key, seconds, concurrency))
                elapsed = time.monotonic() - started
                latencies.sort()
                requests = len(latencies)
                p50 = statistics.median(latencies) * 1000
                p95 = latencies[int(requests * 0.95) - 1] * 1000
                p99 = latencies[int(requests * 0.99) - 1] * 1000
                client = "httpx"
            cpu = server_cpu(server.pid) - cpu_before
        finally:
            stop_server(server)
        cases, acks = (int(x) for x in manage(env, "shell", "-c", COUNT).strip().split()[-2:])
        made = cases - count_before
        print(
            f"{database:<10} {label:<8} {made / elapsed:7.1f} cases/s  "
            f"p50 {p50:5.1f} ms  p95 {p95:5.1f} ms  p99 {p99:5.1f} ms  "
            f"server CPU {cpu / max(made, 1) * 1000:5.1f} ms/case  "
            f"requests {requests}   errors {errors}   acknowledged {acks}/{cases} cases   (client: {client})   "
            f"load {os.getloadavg()[0]:.1f}"
        )
        if (tree / "src" / "amends" / "remedies").is_dir():
            priced, offered, median = manage(env, "shell", "-c", OFFERS).strip().split()[-3:]
            print(
                f"{'':<19} remedies: {priced}/{cases} cases priced at intake, {offered} offered with the "
                f"acknowledgement; median time from complaint to first offer {float(median):.3f} s"
            )
        statements = int(manage(env, "shell", "-c", STATEMENTS).strip().split()[-1])  # after: it opens 2 cases
        print(f"{'':<19} SQL statements per intake: {statements} (+1 for the API key's look-up)")
        if acks != cases or errors:
            sys.exit(f"{database}: {errors} failed requests; {cases - acks} cases without an acknowledgement")
        return Result(label, made / elapsed, p50, p95, p99, cpu / max(made, 1) * 1000)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def compare(database: str, before: Result, after: Result) -> None:
    def change(old: float, new: float) -> str:
        return f"{(new - old) / old * 100:+.1f} %" if old else "n/a"

    verdict = "within" if after.rate >= before.rate * 0.85 else "WORSE than"
    print(
        f"{database:<10} change   cases/s {change(before.rate, after.rate)}   p50 {change(before.p50, after.p50)}   "
        f"p95 {change(before.p95, after.p95)}   p99 {change(before.p99, after.p99)}   "
        f"server CPU per case {change(before.cpu_ms, after.cpu_ms)}   ({verdict} the -15 % allowed)"
    )


COUNT = (
    "from amends.cases.models import Case; from amends.outbox.models import OutboxMessage as O; "
    "print(Case.objects.count(), O.objects.filter(dedupe_key__startswith='ack:').count())"
)


# The SQL statements of one intake by a known customer (the service; the API adds its key's look-up).
STATEMENTS = """
from django.db import connection
from django.test.utils import CaptureQueriesContext
from amends.cases.intake import IntakeRequest, case_open
def one():
    case_open(request=IntakeRequest(email="bench0-1@example.com", language="en", order_value="59.90",
        order_currency="EUR", order_reference="SO-1", description="The parcel has said out for delivery for six days."))
one()
with CaptureQueriesContext(connection) as captured:
    one()
print(len(captured.captured_queries))
"""

# Cases with remedy options, those offered at once (auto-offer), and the median seconds to that first offer.
OFFERS = (
    "import statistics; from amends.cases.models import Case; "
    "offered = list(Case.objects.filter(first_offer_at__isnull=False).values_list('created_at', 'first_offer_at')); "
    "print(Case.objects.filter(remedies__isnull=False).distinct().count(), len(offered), "
    "statistics.median([(o - c).total_seconds() for c, o in offered]) if offered else 0)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--port", type=int, default=0, help="default: a free one (others may be benchmarking too)")
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with (default %(default)s)")
    parser.add_argument("--no-before", action="store_true", help="measure this tree only")
    parser.add_argument("--after", help="measure this commit instead of the working tree (e.g. a branch)")
    args = parser.parse_args()
    print(f"POST /api/v1/cases, gunicorn 2 workers x 4 threads, {args.concurrency} clients, {args.seconds:g} s")
    before_tree = None if args.no_before else export(args.before)
    after_tree = export(args.after) if args.after else ROOT
    after_label = args.after or "this"
    try:
        for database in ["sqlite", "postgresql"]:
            if args.only not in (None, database):
                continue
            if before_tree is not None:
                before = run(database, args.seconds, args.concurrency, args.port, before_tree, args.before)
                after = run(database, args.seconds, args.concurrency, args.port, after_tree, after_label)
                compare(database, before, after)
            else:
                run(database, args.seconds, args.concurrency, args.port, after_tree, after_label)
    finally:
        for tree in (before_tree, after_tree):
            if tree is not None and tree != ROOT:
                shutil.rmtree(tree, ignore_errors=True)


if __name__ == "__main__":
    main()
