"""The memory of amends' web workers with every model loaded, as gunicorn runs them (Linux /proc).

Starts gunicorn on a fresh SQLite database whose category model is already trained (as in production), then
makes each worker load every model a request can need: a complaint (triage: language detector, category
learner, sentiment) and a reply (the reply coach). Prints each worker's RSS, and PSS and USS from
/proc/<pid>/smaps_rollup: RSS counts the pages a worker shares with the others, PSS splits them among the
sharers, USS is what the worker alone holds.

Two runs: one worker without --preload (the issue's figure: one web worker ≤ 200 MB RSS), then two workers
with the project's gunicorn.conf.py (preload: the models are loaded once in the master and the workers share
those pages copy-on-write).
    python benchmarks/memory.py [--workers 2]"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
CONFIG = ROOT / "gunicorn.conf.py"
STORIES = [
    ("ru", "Прислали кроссовки не того размера, а они нужны мне к субботе."),
    ("sk", "Z karty mi dvakrát strhli platbu za tú istú objednávku."),
    ("en", "The parcel has said out for delivery for six days."),
]
REPLY = "Dear customer, we are sorry the parcel is late; a new one leaves today and you will have it tomorrow."


def manage(env: dict, *args: str) -> str:
    out = subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, check=True, capture_output=True, text=True)
    return out.stdout


def kilobytes(pid: int) -> dict[str, int]:
    """RSS, PSS and USS of a process in kB."""
    rollup: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _sep, rest = line.partition(":")
        rollup[name] = int(rest.split()[0])
    uss = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
    return {"rss": rollup["Rss"], "pss": rollup["Pss"], "uss": uss}


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(env: dict, key: str, *, workers: int, preload: bool) -> None:
    port = free_port()
    command = [GUNICORN, "amends.wsgi", "--chdir", str(ROOT / "src"), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    if preload:
        command += ["--config", str(CONFIG)]
    else:
        command += ["--config", "/dev/null"]  # gunicorn's defaults: no preload, a sync worker
    log = Path(env["AMENDS_DATA_DIR"]) / "gunicorn.log"
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}") from None
                time.sleep(0.3)
        headers = {"Authorization": f"Bearer {key}"}
        # A sync worker takes one request at a time: enough requests, two at a time, reach every worker.
        with httpx.Client(headers=headers, timeout=60) as client:
            for i in range(6 * workers):
                language, story = STORIES[i % len(STORIES)]
                body = {"customer": {"email": f"m{i}@example.com", "language": language}, "description": story}
                case = client.post(f"{base}/cases", json=body)
                case.raise_for_status()
                reply = client.post(f"{base}/cases/{case.json()['id']}/messages", json={"kind": "reply", "body": REPLY})
                if reply.status_code not in (201, 422):  # 422: the coach refused it, having read it
                    raise SystemExit(f"reply: {reply.status_code} {reply.text[:300]}")
        time.sleep(0.5)
        label = f"{workers} worker{'s' if workers > 1 else ''}, "
        label += "--preload (gunicorn.conf.py)" if preload else "no preload"
        pids = children(server.pid)
        total_pss = 0
        print(label)
        for pid in [server.pid, *pids]:
            sizes = kilobytes(pid)
            total_pss += sizes["pss"]
            role = "master" if pid == server.pid else "worker"
            print(
                f"    {role:<7} pid {pid:<7} RSS {sizes['rss'] / 1024:6.1f} MB   PSS {sizes['pss'] / 1024:6.1f} MB   "
                f"USS {sizes['uss'] / 1024:6.1f} MB"
            )
        print(f"    all processes together (sum of PSS): {total_pss / 1024:.1f} MB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="workers in the --preload run")
    parser.add_argument("--single", action="store_true", help="only the one worker without preload")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="amends-memory-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_") and k != "DATABASE_URL"}
        env.update({"AMENDS_DATA_DIR": str(data_dir), "AMENDS_ALLOWED_HOSTS": "127.0.0.1"})
        env["PYTHONPATH"] = str(ROOT / "src")
        manage(env, "migrate", "--no-input", "-v0")
        # The category model is trained once, as a deployment has it, so no worker trains one.
        manage(env, "shell", "-c", "from amends.triage.services import category_model_active; category_model_active()")
        key = manage(env, "createapikey", "memory").strip().splitlines()[-1]
        measure(env, key, workers=1, preload=False)
        if not args.single:
            measure(env, key, workers=args.workers, preload=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
