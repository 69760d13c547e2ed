"""The one-click survey answer under load (issue 12: ≤ 50 ms p95 under 50 concurrent clients).

Prepares N resolved cases with a sent survey each (benchmarks/survey_setup.py), starts gunicorn as production runs it
(2 workers × 4 threads, like benchmarks/intake.py), and has 50 clients each click single-use links from the
e-mail back to back (wrk, or a Python client without it): every request records an answer (mostly satisfied;
1 and 2 reopen their case, as they do in production). Prints answers/s and latency percentiles, then checks the
database: every 200 is an answered survey with the clicked score, and nothing was answered twice.

--before REV first runs the same load against that commit's code (exported with `git archive`, as
benchmarks/intake.py does), then against this tree, one after the other. --rate R adds an open-loop run after the
closed-loop one: requests start on a fixed schedule (R per second, whatever the server's pace) and each latency is
counted from the moment its request was due, not from when a free client got to send it (no coordinated
omission; Python client, so at most a few hundred per second). The load average is printed with every figure:
the machine is shared.
    python benchmarks/survey.py [--before main] [--rate 100] [--only sqlite|postgresql] [--seconds 15]"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from intake import PY, ROOT, export, free_port, prepare, server_cpu, start_server, stop_server  # type: ignore[import-not-found]

CHECK = (
    "from amends.aftercare.models import Survey as S; from amends.cases.models import Case as C; "
    "a = S.objects.filter(state='answered'); "
    "print(a.count(), a.filter(dissatisfied=True).count(), C.objects.filter(status='in_progress').count())"
)


def manage(env: dict, *args: str) -> str:
    tree = Path(env["PYTHONPATH"]).parent
    out = subprocess.run([PY, str(tree / "manage.py"), *args], env=env, check=True, capture_output=True, text=True)
    return out.stdout


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def drive_open(base: str, paths: list[str], seconds: float, rate: float) -> tuple:
    """Open loop: request i is due at start + i / rate and is sent then, whether or not earlier ones came back."""
    import asyncio

    latencies: list[float] = []
    errors = 0
    late = 0

    async def run() -> None:
        nonlocal errors, late
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            started = time.perf_counter()
            total = min(int(seconds * rate), len(paths))

            async def one(i: int, path: str) -> None:
                nonlocal errors, late
                due = started + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.005:
                    late += 1  # the client itself fell behind (counted; the latency still starts at `due`)
                try:
                    response = await client.get(path)
                    errors += response.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - due)

            await asyncio.gather(*(one(i, path) for i, path in enumerate(paths[:total])))

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    pick = lambda q: latencies[max(0, int(n * q) - 1)] * 1000  # noqa: E731
    return n, errors, elapsed, pick(0.5), pick(0.95), pick(0.99), late


def drive_wrk(base: str, tokens: Path, seconds: float, concurrency: int, threads: int) -> tuple:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(Path(__file__).with_name("survey.lua")),
            base,
        ],
        env={**os.environ, "BENCH_TOKENS": str(tokens), "BENCH_THREADS": str(threads)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    requests, errors, micros, p50, p95, p99 = (float(x) for x in line.split()[1:])
    return int(requests), int(errors), micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000


def drive_python(base: str, tokens: Path, seconds: float, concurrency: int) -> tuple:
    import asyncio
    import statistics

    paths = iter(tokens.read_text().split())
    latencies: list[float] = []
    errors = 0

    async def run() -> None:
        nonlocal errors
        stop_at = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

            async def user() -> None:
                nonlocal errors
                while time.monotonic() < stop_at:
                    path = next(paths, None)
                    if path is None:
                        return
                    started = time.perf_counter()
                    response = await client.get(path)
                    latencies.append(time.perf_counter() - started)
                    errors += response.status_code != 200

            await asyncio.gather(*(user() for _ in range(concurrency)))

    started = time.monotonic()
    asyncio.run(run())
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    return (
        n,
        errors,
        elapsed,
        statistics.median(latencies) * 1000,
        latencies[int(n * 0.95) - 1] * 1000,
        latencies[int(n * 0.99) - 1] * 1000,
    )


def rates(args: argparse.Namespace) -> list[float]:
    return [float(rate) for rate in args.rate.split(",") if rate.strip()]


def run(database: str, args: argparse.Namespace, tree: Path, label: str) -> bool:
    data_dir = Path(tempfile.mkdtemp(prefix=f"amends-bench-survey-{database}-"))
    try:
        env = prepare(database, data_dir, tree)
        tokens = data_dir / "links.txt"
        env_setup = {**env, "BENCH_SURVEYS": str(args.surveys), "BENCH_TOKENS": str(tokens)}
        setup = Path(__file__).with_name("survey_setup.py").read_text()
        manage(env_setup, "shell", "-c", setup)
        port = args.port or free_port()
        server = start_server(env, port, ready_path="/survey/warm-up/")
        base = f"http://127.0.0.1:{port}"
        # Warm-up on links kept apart from the measured ones (each link answers once).
        lines = tokens.read_text().split()
        warm, rest = lines[:300], lines[300:]
        warm_status = Counter(httpx.get(base + path, timeout=30).status_code for path in warm)
        if set(warm_status) != {200}:
            print(f"warm-up answers: {dict(warm_status)}; server log:", (data_dir / "gunicorn.log").read_text()[-2000:])
        tokens.write_text("\n".join(rest) + "\n")
        warmed = int(manage(env, "shell", "-c", CHECK).split()[-3])
        try:
            cpu_before = server_cpu(server.pid)
            if shutil.which("wrk") and not args.python_client:
                requests, errors, elapsed, p50, p95, p99 = drive_wrk(base, tokens, args.seconds, args.concurrency, 2)
                client = "wrk"
            else:
                requests, errors, elapsed, p50, p95, p99 = drive_python(base, tokens, args.seconds, args.concurrency)
                client = "httpx"
            cpu = server_cpu(server.pid) - cpu_before
            load_closed = load()
            answered_closed = int(manage(env, "shell", "-c", CHECK).split()[-3])
            opened = []
            # From the end of the file: the closed loop took its links from the start (each thread every Nth).
            left = tokens.read_text().split()
            for rate in rates(args):
                needed = int(args.seconds * rate)
                if answered_closed - warmed + args.concurrency + needed > len(left):
                    print(f"{'':<10} note: too few links for an open loop at {rate:g}/s; raise --surveys")
                    break
                chunk, left = left[-needed:], left[:-needed]
                cpu_open = server_cpu(server.pid)
                result = drive_open(base, chunk, args.seconds, rate)
                opened.append((rate, *result, server_cpu(server.pid) - cpu_open, load()))
        finally:
            stop_server(server)
        answered, dissatisfied, reopened = (int(x) for x in manage(env, "shell", "-c", CHECK).split()[-3:])
        measured = answered_closed - warmed
        verdict = "meets" if p95 <= 50 else "MISSES"
        print(
            f"{database:<10} {label:<8} closed loop, {args.concurrency} clients: {requests / elapsed:7.1f} answers/s  "
            f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  server CPU "
            f"{cpu / max(requests, 1) * 1000:5.1f} ms/answer  requests {requests}  errors {errors}  ({client}; "
            f"{verdict} the 50 ms p95; {load_closed})"
        )
        for rate, n, open_errors, open_elapsed, o50, o95, o99, late, open_cpu, load_open in opened:
            print(
                f"{database:<10} {label:<8} open loop, {rate:g}/s due: {n / open_elapsed:7.1f} answers/s  "
                f"p50 {o50:6.1f} ms  p95 {o95:6.1f} ms  p99 {o99:6.1f} ms  server CPU "
                f"{open_cpu / max(n, 1) * 1000:5.1f} ms/answer  requests {n}  errors {open_errors}  late sends {late}"
                f"  ({'meets' if o95 <= 50 else 'MISSES'} the 50 ms p95; {load_open})"
            )
            requests += n
            errors += open_errors
        print(
            f"{'':<10} database: {answered - warmed} answers recorded for {requests} clicks counted (+ up to one in "
            f"flight per closed-loop client), {dissatisfied} dissatisfied; {reopened} cases in progress (with no "
            f"worker running, the reopenings of this tree's dissatisfied answers wait in the task queue)"
        )
        if requests > len(rest):
            print(f"{'':<10} note: links ran out ({len(rest)}); raise --surveys")
        # wrk stops counting with a request still in flight on each connection; the server records those too.
        # A request the client gave up on (an error: a timeout in an overloaded open loop) may still be recorded.
        extra = (answered - warmed) - (requests - errors)
        return 0 <= extra <= args.concurrency + errors and measured >= 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--surveys", type=int, default=20000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk is there")
    parser.add_argument("--before", default="", help="a commit to measure first (e.g. main), then this tree")
    parser.add_argument("--after", default="", help="a commit to measure instead of this tree")
    parser.add_argument("--rate", default="", help="also open-loop runs at these answers/s (comma-separated)")
    args = parser.parse_args()
    print(
        f"GET /survey/<link>/ (one click from the e-mail), gunicorn 2 workers x 4 threads, "
        f"{args.concurrency} clients, {args.seconds:g} s; {load()}; {os.cpu_count()} CPUs"
    )
    trees = [(export(args.before), args.before)] if args.before else []
    trees.append((export(args.after), args.after) if args.after else (ROOT, "this"))
    ok = True
    try:
        for database in ["sqlite", "postgresql"]:
            if args.only in (None, database):
                for tree, label in trees:
                    ok = run(database, args, tree, label) and ok
    finally:
        for tree, _label in trees:
            if tree != ROOT:
                shutil.rmtree(tree, ignore_errors=True)
    if not ok:
        sys.exit("some clicks were not recorded exactly once")


if __name__ == "__main__":
    main()
