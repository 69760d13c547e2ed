"""The worker's log says what a person needs: nothing while idle (the outbox sweep runs every second), one line
when it delivered something, and what it does when told to stop."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from amends.conftest import SmtpSink, open_case
from amends.outbox.models import OutboxMessage

from .test_worker import start_worker, stop, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_an_idle_worker_is_quiet_and_a_delivery_is_one_line(smtp_sink: SmtpSink):
    log = Path(settings.DATA_DIR) / "worker-test.log"
    start = log.stat().st_size if log.exists() else 0
    worker = start_worker(smtp_sink)
    try:
        time.sleep(4)  # four sweeps or more, with nothing to send
        idle = log.read_bytes()[start:].decode(errors="replace")
        open_case()
        assert wait_for(lambda: OutboxMessage.objects.filter(state="sent").count() == 1)
        time.sleep(1.5)
        busy = log.read_bytes()[start + len(idle.encode()) :].decode(errors="replace")
    finally:
        stop(worker)
    assert idle.strip() == "", idle
    lines = [line for line in busy.splitlines() if line.strip()]
    assert len(lines) == 1 and "delivered" in lines[0], lines
