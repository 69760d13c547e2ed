"""The one-click survey answer under load (issue 12: ≤ 50 ms p95 under 50 concurrent clients).

Prepares N resolved cases with a sent survey each (benchmarks/survey_setup.py), starts gunicorn as production runs it
(2 workers × 4 threads, like benchmarks/intake.py), and has 50 clients each click single-use links from the
e-mail back to back (wrk, or a Python client without it): every request records an answer (mostly satisfied;
1 and 2 reopen their case, as they do in production). Prints answers/s and latency percentiles, then checks the
database: every 200 is an answered survey with the clicked score, and nothing was answered twice."""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from intake import PY, ROOT, free_port, prepare, server_cpu, start_server  # type: ignore[import-not-found]

CHECK = (
    "from amends.aftercare.models import Survey as S; from amends.cases.models import Case as C; "
    "a = S.objects.filter(state='answered'); "
    "print(a.count(), a.filter(dissatisfied=True).count(), C.objects.filter(status='in_progress').count())"
)


def manage(env: dict, *args: str) -> str:
    out = subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, check=True, capture_output=True, text=True)
    return out.stdout


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


def run(database: str, args: argparse.Namespace) -> bool:
    data_dir = Path(tempfile.mkdtemp(prefix=f"amends-bench-survey-{database}-"))
    try:
        env = prepare(database, data_dir, ROOT)
        tokens = data_dir / "links.txt"
        env_setup = {**env, "BENCH_SURVEYS": str(args.surveys), "BENCH_TOKENS": str(tokens)}
        setup = Path(__file__).with_name("survey_setup.py").read_text()
        manage(env_setup, "shell", "-c", setup)
        port = args.port or free_port()
        server = start_server(env, port)
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
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        answered, dissatisfied, reopened = (int(x) for x in manage(env, "shell", "-c", CHECK).split()[-3:])
        measured = answered - warmed
        verdict = "meets" if p95 <= 50 else "MISSES"
        print(
            f"{database:<10} {requests / elapsed:7.1f} answers/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"p99 {p99:6.1f} ms  server CPU {cpu / max(requests, 1) * 1000:5.1f} ms/answer  requests {requests}  "
            f"errors {errors}  ({client}; {verdict} the 50 ms p95)"
        )
        print(
            f"{'':<10} database: {measured} answers recorded for {requests} clicks counted (+ up to one in flight "
            f"per client), {dissatisfied} dissatisfied "
            f"ones reopened their case ({reopened} cases in progress)"
        )
        if requests > len(rest):
            print(f"{'':<10} note: links ran out ({len(rest)}); raise --surveys")
        # wrk stops counting with a request still in flight on each connection; the server records those too.
        return errors == 0 and 0 <= measured - requests <= args.concurrency
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
    args = parser.parse_args()
    print(
        f"GET /survey/<link>/ (one click from the e-mail), gunicorn 2 workers x 4 threads, "
        f"{args.concurrency} clients, {args.seconds:g} s; load average now {os.getloadavg()[0]:.1f}"
    )
    ok = True
    for database in ["sqlite", "postgresql"]:
        if args.only in (None, database):
            ok = run(database, args) and ok
    if not ok:
        sys.exit("some clicks failed or were not recorded exactly once")


if __name__ == "__main__":
    main()
