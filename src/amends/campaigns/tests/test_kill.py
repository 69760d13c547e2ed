"""Exactly once, with a real worker killed mid-campaign: a worker process sends a campaign of a few thousand
messages to a real SMTP server, is killed with SIGKILL half-way, and a second worker finishes. The server must
have every message, each Message-ID once, apart from at most the messages in flight at the kill (one a connection)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from amends.campaigns.models import Campaign, CampaignMessage
from amends.campaigns.services import BATCH, campaign_start
from amends.conftest import SmtpSink

from .factories import csv_bytes, import_csv, make_campaign, make_incident, people

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[4]
N = 3000


def worker_env(port: int, lease: int = 2) -> dict[str, str]:
    """The environment of a worker process on the test's own database and the test's SMTP server."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
        url += settings["NAME"]
    else:
        url = f"sqlite:///{settings['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "AMENDS_EMAIL_HOST": "127.0.0.1",
        "AMENDS_EMAIL_PORT": str(port),
        "AMENDS_CAMPAIGN_LEASE_SECONDS": str(lease),
        "PYTHONPATH": str(ROOT / "src"),
    }


def start_worker(env: dict[str, str], idle: float = 3.0, connections: int = 1) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(ROOT / "manage.py"), "sendcampaigns", "--exit-when-idle", str(idle)]
    return subprocess.Popen(
        [*command, "--connections", str(connections)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(("connections", "pipelining"), [(1, False), (4, False), (2, True)])
def test_a_worker_killed_mid_campaign_loses_nothing_and_repeats_at_most_the_messages_in_flight(
    smtp_sink: SmtpSink, connections: int, pipelining: bool
):
    smtp_sink.pipelining = pipelining
    incident = make_incident()
    assert import_csv(incident, csv_bytes(people(N))).imported
    campaign = make_campaign(incident, rate=100_000)
    assert campaign_start(campaign=campaign).queued == N
    env = worker_env(smtp_sink.port)

    first = start_worker(env, connections=connections)
    sent_some = wait_for(lambda: len(smtp_sink.received) >= N // 3 or first.poll() is not None, 120)
    assert sent_some and first.poll() is None, (first.stderr.read() if first.stderr else b"").decode()[-3000:]
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = len(smtp_sink.received)
    assert at_kill < N, "the worker finished before it could be killed"

    second = start_worker(env, connections=connections)
    second.wait(240)
    assert second.returncode == 0, second.stderr.read() if second.stderr else ""

    ids = smtp_sink.message_ids()
    distinct = set(ids)
    expected = {f"<{p}@sportovia.example>" for p in CampaignMessage.objects.values_list("public_id", flat=True)}
    lost = expected - distinct
    duplicates = len(ids) - len(distinct)
    print(
        f"\nkill test: connections={connections} pipelining={pipelining} N={N} received={len(ids)} at kill={at_kill} "
        f"distinct={len(distinct)} "
        f"duplicates={duplicates} lost={len(lost)}"
    )
    assert not lost and distinct == expected
    # Only the messages whose 250 came before their commit: one a connection.
    assert duplicates <= connections <= BATCH
    assert set(CampaignMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert Campaign.objects.get().state == "done"
