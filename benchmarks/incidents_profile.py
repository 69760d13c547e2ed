"""Where a campaign worker's time goes, per message: one process sends a campaign of N messages over one SMTP
connection to the counting SMTP server of `incidents.py` (its own process) and prints the worker's CPU a message,
the PostgreSQL backend's, and (with --profile) the top functions by internal time.

    AMENDS_DATA_DIR=/tmp/x DATABASE_URL=postgres://postgres@127.0.0.1:5432/x_prof \
        python benchmarks/incidents_profile.py [--messages 5000] [--profile] [--connections 1]

The database named by DATABASE_URL is dropped and made afresh."""

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], check=True)

    import incidents  # the benchmark's SMTP server and CSV

    workdir = Path(os.environ["AMENDS_DATA_DIR"])
    sink = incidents.Sink(workdir, processes=1, kind="counting")
    os.environ["AMENDS_EMAIL_HOST"] = "127.0.0.1"
    os.environ["AMENDS_EMAIL_PORT"] = str(sink.port)
    import django

    django.setup()
    from django.db import connection

    from amends.campaigns import services
    from amends.campaigns.models import CampaignMessage

    campaign, _steps = incidents._campaign("Profiled", args.messages, 0, 100_000, workdir)
    # The first batch renders each kind of letter in full: not what a message costs.
    services.campaigns_deliver_due(limit=1)
    profiler = cProfile.Profile() if args.profile else None
    db_before, cpu_before, wall_before = _backend_cpu(connection), time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    sent = services.campaigns_deliver_due()
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    db = _backend_cpu(connection) - db_before
    ids = sink.stop()
    left = CampaignMessage.objects.filter(campaign=campaign).exclude(state="sent").count()
    print(
        f"{sent} sent ({len(ids)} received by the server, {left} unsent) in {wall:.2f} s: "
        f"{sent / wall:.0f} msg/s; worker CPU {1000 * cpu / sent:.3f} ms a message, "
        f"its PostgreSQL backend {1000 * db / sent:.3f} ms, "
        f"SMTP server {1000 * sink.cpu / max(len(ids), 1):.3f} ms; load {os.getloadavg()[0]:.2f}"
    )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
