"""An incident's apology at scale (issue 11's numbers; results in ./incidents/README.md).

For each database a fresh one is made and migrated; a child process (this file with --inner) does the work with the
real services and prints one JSON line:

(a) queueing: a CSV of N affected customers is generated, imported (`affected_import_csv`: streamed, checked,
    staged, merged), and the campaign started (`campaign_start`: N unique codes through `codes_issue_batch`, N
    messages in one INSERT … SELECT); each step timed.
(b) delivery: a campaign of D messages sent by 2 worker processes (`manage.py sendcampaigns`) to a real SMTP server
    (aiosmtpd, in its own process, counting Message-IDs): once unthrottled (the sustained rate), once at a set rate
    (how late a message goes after its slot: p50/p99 of sent_at - slot, the wait once due).
(d) while (b) runs unthrottled, a console user loads the inbox over and over (Django test client): p50/p95.
(c) the kill test: a worker SIGKILLed a third of the way through a campaign of K messages, a second one finishing:
    received, distinct Message-IDs, duplicates, lost.

Usage: incidents.py [--count 1000000] [--sqlite-count 100000] [--deliver 20000] [--kill 3000]
                    [--only sqlite|postgresql] [--skip-delivery]
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amends_bench_incidents")
BENCH_DIR = ROOT / "var" / "bench"
LANGUAGES = ["en", "ru", "bg", "sr", "sr-latn", "sk"]


def prepare(database: str) -> tuple[dict, Path]:
    data_dir = BENCH_DIR / f"incidents-{database}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_")}
    env.update(
        {"AMENDS_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src"), "AMENDS_CAMPAIGN_LEASE_SECONDS": "3"}
    )
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


# --- the SMTP server: its own process, counting -------------------------------------------------------------


def sink(port: int, out: Path, kind: str) -> None:
    """Accept every mail, keep its Message-ID; on SIGTERM write them to `out`, one a line. Several of these
    processes can listen on the same port (SO_REUSEPORT: the kernel deals the connections out among them).

    `kind` "aiosmtpd" is aiosmtpd; "counting" is the minimal SMTP server below (EHLO/HELO, MAIL, RCPT, DATA with
    dot-unstuffing, RSET, NOOP, QUIT, over asyncio's protocol callbacks): aiosmtpd costs about 2 ms of CPU a
    message, so on two cores it cannot take 1,000 a second and leave room for the workers (see the README)."""
    import asyncio

    ids: list[str] = []

    def keep(content: bytes) -> None:
        start = content.find(b"Message-ID: ")
        ids.append(content[start + 12 : content.find(b"\r\n", start)].decode() if start >= 0 else "")

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            keep(envelope.original_content or envelope.content or b"")
            return "250 OK"

    class Counting(asyncio.Protocol):
        def connection_made(self, transport):  # type: ignore[no-untyped-def]
            self.transport = transport
            self.buffer = b""
            self.data: list[bytes] | None = None
            transport.write(b"220 counting ESMTP\r\n")

        def data_received(self, chunk: bytes) -> None:
            self.buffer += chunk
            replies = []
            while True:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                if self.data is not None:
                    if line == b".":
                        keep(b"\r\n".join(self.data))
                        self.data = None
                        replies.append(b"250 OK")
                    else:
                        self.data.append(line[1:] if line.startswith(b"..") else line)
                    continue
                verb = line[:4].upper()
                if verb == b"EHLO":
                    replies.append(b"250-counting\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 10000000")
                elif verb == b"DATA":
                    self.data = []
                    replies.append(b"354 End data with <CR><LF>.<CR><LF>")
                elif verb == b"QUIT":
                    replies.append(b"221 Bye")
                    self.transport.write(b"\r\n".join(replies) + b"\r\n")
                    self.transport.close()
                    return
                elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    replies.append(b"250 OK")
                else:
                    replies.append(b"500 Unknown command")
            if replies:
                self.transport.write(b"\r\n".join(replies) + b"\r\n")

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        if kind == "aiosmtpd":
            from aiosmtpd.smtp import SMTP

            handler = Handler()
            factory = lambda: SMTP(handler)  # noqa: E731
        else:
            factory = Counting
        server = await loop.create_server(factory, host="127.0.0.1", port=port, reuse_port=True)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        out.with_suffix(".ready").write_text("ok")
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
            out.with_suffix(".count").write_text(str(len(ids)))
        server.close()
        out.write_text("\n".join(ids))

    asyncio.run(serve())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """The SMTP server: `processes` aiosmtpd processes on one port."""

    processes_default = 2
    kind_default = "counting"

    def __init__(self, workdir: Path, processes: int | None = None, kind: str | None = None) -> None:
        self.port = free_port()
        self.kind = kind or self.kind_default
        count = processes or self.processes_default
        self.outs = [workdir / f"sink-{self.port}-{i}.txt" for i in range(count)]
        self.procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--serve-sink", str(self.port), str(out), self.kind],
                stdout=subprocess.DEVNULL,
            )
            for out in self.outs
        ]
        while not all(out.with_suffix(".ready").exists() for out in self.outs):
            time.sleep(0.05)

    def count(self) -> int:
        total = 0
        for out in self.outs:
            with contextlib.suppress(FileNotFoundError, ValueError):
                total += int(out.with_suffix(".count").read_text() or 0)
        return total

    def stop(self) -> list[str]:
        for process in self.procs:
            process.send_signal(signal.SIGTERM)
        ids: list[str] = []
        self.cpu = 0.0
        for process, out in zip(self.procs, self.outs, strict=True):
            self.cpu += _reap(process, 30)
            ids += [line for line in out.read_text().split("\n") if line]
        return ids


def _trivial_client(port: int, n: int, tag: int) -> None:
    import smtplib

    body = ("We are sorry. " * 50 + "\r\n") * 4
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            raw = (
                f"From: a@example.com\r\nTo: c{i}@example.com\r\nSubject: s\r\nMessage-ID: <{tag}.{i}@x>\r\n\r\n{body}"
            )
            smtp.sendmail("a@example.com", [f"c{i}@example.com"], raw.encode())


def sink_alone(workdir: Path, clients: int, per_client: int, processes: int, kind: str) -> dict:
    """The SMTP server with no amends in the way: `clients` processes, each sending over one connection."""
    import multiprocessing

    sink = Sink(workdir, processes, kind)
    started = time.perf_counter()
    senders = [multiprocessing.Process(target=_trivial_client, args=(sink.port, per_client, i)) for i in range(clients)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    elapsed = time.perf_counter() - started
    received = len(sink.stop())
    return {
        "kind": kind,
        "processes": processes,
        "clients": clients,
        "received": received,
        "rate_per_s": round(received / elapsed),
        "cpu_ms_per_msg": round(1000 * sink.cpu / max(received, 1), 2),
    }


# --- the child: the work, timed -------------------------------------------------------------------------------


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    import django

    django.setup()


def _csv(path: Path, n: int, offset: int) -> None:
    rnd = random.Random(n + offset)
    with path.open("w", encoding="utf-8") as out:
        out.write("email,name,language,order_reference\n")
        block = []
        for i in range(offset, offset + n):
            block.append(f"c{i}@example.com,Customer {i},{rnd.choice(LANGUAGES)},SO-{i}\n")
            if len(block) == 10_000:
                out.write("".join(block))
                block.clear()
        out.write("".join(block))


def _campaign(title: str, n: int, offset: int, rate: int, workdir: Path) -> tuple[object, dict]:
    """An incident with n affected customers (imported from a generated CSV) and its campaign started."""
    from amends.campaigns.affected import affected_import_csv
    from amends.campaigns.services import campaign_start
    from amends.campaigns.tests.factories import make_campaign, make_incident

    steps: dict[str, float] = {}
    path = workdir / f"affected-{offset}.csv"
    t = time.perf_counter()
    _csv(path, n, offset)
    steps["generate_csv"] = time.perf_counter() - t
    incident = make_incident(title)
    t = time.perf_counter()
    with path.open("rb") as upload:
        report = affected_import_csv(incident=incident, upload=upload)
    steps["import_csv"] = time.perf_counter() - t
    assert report.imported and report.added == n, report.as_dict()
    campaign = make_campaign(incident, rate=rate)
    t = time.perf_counter()
    started = campaign_start(campaign=campaign)
    steps["start_campaign"] = time.perf_counter() - t
    assert started.queued == n
    path.unlink()
    return campaign, steps


CONNECTIONS = [1]  # SMTP connections a worker uses at once (--connections)


def _workers(env: dict, count: int, sink: Sink, idle: float = 2.0) -> list[subprocess.Popen]:
    worker_env = {**env, "AMENDS_EMAIL_HOST": "127.0.0.1", "AMENDS_EMAIL_PORT": str(sink.port)}
    command = [sys.executable, str(ROOT / "manage.py"), "sendcampaigns", "--exit-when-idle", str(idle)]
    return [
        subprocess.Popen(
            [*command, "--connections", str(CONNECTIONS[0])],
            env=worker_env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _reap(process: subprocess.Popen, timeout: float) -> float:
    """Wait for a child (terminating it after `timeout`); the CPU seconds it used, user and system."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            process.terminate()
            deadline += 60
        time.sleep(0.05)


def _finish(worker: subprocess.Popen) -> float:
    """A worker stops by itself once idle; on a machine this loaded, give it time, then stop it. Its CPU seconds."""
    return _reap(worker, 600)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def _inbox_latencies(stop_when: object) -> list[float]:
    from django.test import Client
    from django.urls import reverse

    from amends.accounts.models import User
    from amends.accounts.services import user_create

    user = User.objects.filter(username="bench-manager").first() or user_create(
        username="bench-manager",
        password="bench-manager-1",  # noqa: S106 - a benchmark user first_name="Bench", role=User.Role.MANAGER
    )
    client = Client()
    client.force_login(user)
    url = reverse("cases:inbox")
    times = []
    while not stop_when():  # type: ignore[operator]
        t = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200
        time.sleep(0.1)
    return times


def run_inner(args: argparse.Namespace) -> None:
    _setup()
    from django.db import connection
    from django.utils import timezone

    from amends.campaigns.models import Campaign, CampaignMessage

    workdir = Path(args.workdir)
    env = dict(os.environ)
    result: dict[str, object] = {"database": connection.vendor, "count": args.count}
    _campaign_obj, steps = _campaign("A million apologies", args.count, 0, 1000, workdir)
    result["queue_steps"] = {k: round(v, 2) for k, v in steps.items()}
    result["queue_total"] = round(steps["import_csv"] + steps["start_campaign"], 2)
    Campaign.objects.update(state="cancelled")  # the million are not sent: the delivery runs use their own

    if args.delivery:
        CONNECTIONS[0] = args.connections
        Sink.processes_default = args.sink_processes
        Sink.kind_default = args.sink
        result["sink_alone"] = [
            sink_alone(workdir, 4, 2000, 1, "aiosmtpd"),
            sink_alone(workdir, 4, 2000, args.sink_processes, "aiosmtpd"),
            sink_alone(workdir, 4, 2000, args.sink_processes, "counting"),
        ]
        offset = 10_000_000
        # (b) unthrottled, with (d) the inbox measured meanwhile
        campaign, _ = _campaign("Delivery, unthrottled", args.deliver, offset, 100_000, workdir)
        sink = Sink(workdir)
        started = time.perf_counter()
        workers = _workers(env, 2, sink)
        latencies = _inbox_latencies(lambda: sink.count() >= args.deliver or all(w.poll() is not None for w in workers))
        elapsed = time.perf_counter() - started
        worker_cpu = sum(_finish(w) for w in workers)
        ids = sink.stop()
        sent = CampaignMessage.objects.filter(campaign=campaign, state="sent")
        first = sent.order_by("sent_at").values_list("sent_at", flat=True).first()
        last = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
        span = (last - first).total_seconds() if first and last else elapsed
        result["delivery"] = {
            "messages": args.deliver,
            "received": len(ids),
            "distinct": len(set(ids)),
            "seconds_first_to_last": round(span, 2),
            "rate_per_s": round(args.deliver / span, 1) if span else None,
            # CPU per message, which the load of the machine changes far less than the rate: the workers' (their
            # start-up included) and the SMTP server's.
            "worker_cpu_ms_per_msg": round(1000 * worker_cpu / args.deliver, 2),
            "sink_cpu_ms_per_msg": round(1000 * sink.cpu / args.deliver, 2),
            "inbox_requests": len(latencies),
            "inbox_p50_ms": round(1000 * _percentile(latencies, 50), 1),
            "inbox_p95_ms": round(1000 * _percentile(latencies, 95), 1),
        }
        Campaign.objects.filter(pk=campaign.pk).update(state="done")

        # (b) at a set rate: how late each message goes after its slot
        rate = args.rate
        campaign, _ = _campaign("Delivery, at a set rate", args.deliver, 2 * offset, rate, workdir)
        sink = Sink(workdir)
        begun = timezone.now()
        Campaign.objects.filter(pk=campaign.pk).update(next_send_at=begun)
        workers = _workers(env, 2, sink)
        for w in workers:
            _finish(w)
        ids = sink.stop()
        rows = (
            CampaignMessage.objects.filter(campaign=campaign, state="sent")
            .order_by("id")
            .values_list("sent_at", flat=True)
        )
        waits = [max(0.0, (sent_at - begun).total_seconds() - i / rate) for i, sent_at in enumerate(rows)]
        result["paced"] = {
            "rate_set": rate,
            "messages": args.deliver,
            "received": len(ids),
            "achieved_per_s": round(args.deliver / max((max(rows) - begun).total_seconds(), 1e-9), 1),
            "wait_once_due_p50_ms": round(1000 * _percentile(waits, 50), 1),
            "wait_once_due_p99_ms": round(1000 * _percentile(waits, 99), 1),
        }
        Campaign.objects.filter(pk=campaign.pk).update(state="done")

        # (c) the kill test
        campaign, _ = _campaign("Killed worker", args.kill, 3 * offset, 100_000, workdir)
        sink = Sink(workdir)
        [first_worker] = _workers(env, 1, sink, idle=3.0)
        while sink.count() < args.kill // 3 and first_worker.poll() is None:
            time.sleep(0.02)
        first_worker.send_signal(signal.SIGKILL)
        first_worker.wait(10)
        at_kill = sink.count()
        [second] = _workers(env, 1, sink, idle=5.0)
        _finish(second)
        ids = sink.stop()
        expected = {
            f"<{p}@sportovia.example>"
            for p in CampaignMessage.objects.filter(campaign=campaign).values_list("public_id", flat=True)
        }
        result["kill"] = {
            "messages": args.kill,
            "received_at_kill": at_kill,
            "received": len(ids),
            "distinct": len(set(ids)),
            "duplicates": len(ids) - len(set(ids)),
            "in_flight_at_most": args.connections,
            "lost": len(expected - set(ids)),
        }
    print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="affected customers queued on PostgreSQL")
    parser.add_argument("--sqlite-count", type=int, default=100_000, help="the same on SQLite")
    parser.add_argument("--deliver", type=int, default=20_000, help="messages of each delivery run")
    parser.add_argument("--rate", type=int, default=1000, help="the set rate of the paced run (messages a second)")
    parser.add_argument("--kill", type=int, default=3000, help="messages of the kill test")
    parser.add_argument("--connections", type=int, default=4, help="SMTP connections each worker uses at once")
    parser.add_argument("--sink-processes", type=int, default=2, help="SMTP server processes sharing the port")
    parser.add_argument("--sink", choices=["counting", "aiosmtpd"], default="counting", help="the SMTP server")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--skip-delivery", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--no-delivery", dest="delivery", action="store_false", help=argparse.SUPPRESS)
    parser.add_argument("--serve-sink", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sink:
        sink(int(args.serve_sink[0]), Path(args.serve_sink[1]), args.serve_sink[2])
        return
    if args.inner:
        run_inner(args)
        return
    for database in ("postgresql", "sqlite"):
        if args.only and args.only != database:
            continue
        env, data_dir = prepare(database)
        count = args.count if database == "postgresql" else args.sqlite_count
        command = [sys.executable, __file__, "--inner", "--workdir", str(data_dir), "--count", str(count)]
        command += ["--deliver", str(args.deliver), "--kill", str(args.kill), "--rate", str(args.rate)]
        command += ["--connections", str(args.connections), "--sink-processes", str(args.sink_processes)]
        command += ["--sink", args.sink]
        if args.skip_delivery:
            command.append("--no-delivery")
        print(f"\n== {database}: {count:,} affected customers ==", flush=True)
        started = time.perf_counter()
        run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if run.returncode:
            print(run.stderr[-4000:])
            raise SystemExit(run.returncode)
        result = json.loads(run.stdout.strip().splitlines()[-1])
        steps = result["queue_steps"]
        print(f"  generate the CSV          {steps['generate_csv']:8.2f} s  (not counted)")
        print(f"  import the CSV            {steps['import_csv']:8.2f} s  (stream, check, stage, merge)")
        print(f"  start the campaign        {steps['start_campaign']:8.2f} s  (codes issued, messages queued)")
        print(f"  imported and queued       {result['queue_total']:8.2f} s  for {count:,}")
        if "delivery" in result:
            d, p, k = result["delivery"], result["paced"], result["kill"]
            for alone in result["sink_alone"]:
                print(
                    f"  SMTP server alone         {alone['rate_per_s']:8.0f} msg/s  ({alone['processes']} "
                    f"{alone['kind']} process(es), {alone['clients']} trivial clients; "
                    f"{alone['cpu_ms_per_msg']} ms CPU a message)"
                )
            print(
                f"  delivery, 2 workers       {d['rate_per_s']:8.1f} msg/s  ({args.connections} SMTP connections "
                f"each, {args.sink_processes} {args.sink} server processes; {d['received']:,} received, "
                f"{d['distinct']:,} distinct, {d['seconds_first_to_last']} s)"
            )
            print(
                f"  CPU a message             workers {d['worker_cpu_ms_per_msg']} ms, SMTP server "
                f"{d['sink_cpu_ms_per_msg']} ms"
            )
            print(
                f"  inbox while sending       p50 {d['inbox_p50_ms']} ms, p95 {d['inbox_p95_ms']} ms "
                f"({d['inbox_requests']} requests)"
            )
            print(
                f"  paced at {p['rate_set']}/s            achieved {p['achieved_per_s']}/s; wait once due "
                f"p50 {p['wait_once_due_p50_ms']} ms, p99 {p['wait_once_due_p99_ms']} ms"
            )
            print(
                f"  kill test                 {k['messages']:,} messages: {k['received_at_kill']:,} received at "
                f"the kill, {k['received']:,} in all, {k['distinct']:,} distinct, {k['duplicates']} duplicates "
                f"(at most {k['in_flight_at_most']} in flight), {k['lost']} lost"
            )
        print(f"  (whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
