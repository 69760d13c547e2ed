"""The real worker process on the configured task backend (database by default; CI runs this again on Redis).

Delivery goes to a real SMTP server; the worker is killed with SIGKILL half-way through a batch and restarted.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from amends.conftest import SmtpSink, open_case
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_email_enqueue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[4]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{db['USER'] or ''}:{db['PASSWORD'] or ''}"
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(sink: SmtpSink) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "AMENDS_EMAIL_HOST": "127.0.0.1",
        "AMENDS_EMAIL_PORT": str(sink.port),
        "AMENDS_DATA_DIR": str(settings.DATA_DIR),
        # A dead worker's claim is noticed when its lease runs out; keep that short so the test is quick.
        "AMENDS_OUTBOX_LEASE_SECONDS": "5",
    }
    log = open(Path(settings.DATA_DIR) / "worker-test.log", "ab")  # noqa: SIM115 - the child process owns it
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "worker", "--interval", "0.05"], env=env, stdout=log, stderr=log
    )


def wait_for(condition, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def test_the_worker_delivers_the_acknowledgement_of_a_new_case(smtp_sink: SmtpSink):
    worker = start_worker(smtp_sink)
    try:
        opened = open_case()
        assert wait_for(lambda: len(smtp_sink.received) == 1), "the acknowledgement was not delivered"
        assert opened.case.reference in smtp_sink.received[0]["Subject"]
        assert wait_for(lambda: OutboxMessage.objects.filter(state="sent").count() == 1)
    finally:
        stop(worker)


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(smtp_sink: SmtpSink):
    total = 400
    with transaction.atomic():
        for i in range(total):
            outbox_email_enqueue(
                recipient=f"c{i}@example.com",
                subject=f"Sorry #{i}",
                body="We apologise.",
                sender="Care <care@shop.example>",
            )
    worker = start_worker(smtp_sink)
    assert wait_for(lambda: len(smtp_sink.received) >= 60), "the worker delivered nothing"
    worker.kill()  # SIGKILL: no chance to tidy up
    worker.wait()
    delivered_at_kill = len(smtp_sink.received)
    assert delivered_at_kill < total, "the batch finished before the kill; the test proves nothing"
    worker = start_worker(smtp_sink)
    try:
        done = wait_for(lambda: OutboxMessage.objects.filter(state="sent").count() == total, timeout=120)
        assert done, sorted(OutboxMessage.objects.values_list("state", "attempts", "last_error").distinct())
    finally:
        stop(worker)
    ids = smtp_sink.message_ids()
    expected = set(OutboxMessage.objects.values_list("headers__Message-ID", flat=True))
    assert set(ids) == expected  # nothing lost
    # Nothing twice: the only copy possible is the one mail whose acceptance the killed worker never recorded,
    # and it carries the same Message-ID, which is what receiving systems deduplicate on.
    assert len(ids) - len(set(ids)) <= 1
