"""The outbox hands rows that are not e-mail to the deliverer their app registered, and parks what nobody delivers."""

import uuid

import pytest
from django.utils import timezone

from amends.outbox import channels
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due
from amends.webhooks.delivery import webhooks_deliver

pytestmark = pytest.mark.django_db


def _row(kind: str) -> OutboxMessage:
    now = timezone.now()
    return OutboxMessage.objects.create(
        public_id=uuid.uuid4(),
        kind=kind,
        recipient="https://hooks.example.com/x",
        subject="case.opened",
        body="{}",
        next_attempt_at=now,
        created_at=now,
    )


def test_webhooks_register_their_deliverer_when_django_starts():
    assert channels.deliverer_for(OutboxMessage.Kind.WEBHOOK) is webhooks_deliver


def test_a_kind_nobody_delivers_is_parked_as_failed_with_the_reason(monkeypatch):
    monkeypatch.setattr(channels, "_deliverers", {})
    row = _row(OutboxMessage.Kind.WEBHOOK)
    assert outbox_deliver_due() == 0
    row.refresh_from_db()
    assert row.state == "failed" and "nothing delivers webhook messages" in row.last_error


def test_each_kind_goes_to_its_own_deliverer(monkeypatch):
    seen: list[list[str]] = []

    def deliver(rows: list[OutboxMessage]) -> int:
        seen.append([str(r.public_id) for r in rows])
        return len(rows)

    monkeypatch.setattr(channels, "_deliverers", {OutboxMessage.Kind.WEBHOOK: deliver})
    rows = [_row(OutboxMessage.Kind.WEBHOOK) for _ in range(3)]
    assert outbox_deliver_due(limit=3) == 3
    assert sorted(seen[0]) == sorted(str(r.public_id) for r in rows)
