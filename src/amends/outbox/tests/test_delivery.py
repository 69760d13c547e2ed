"""Delivery through a real SMTP server started by the test (aiosmtpd)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.conftest import SmtpSink, open_case
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due, outbox_retry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_the_acknowledgement_reaches_the_smtp_server_in_the_customers_language(smtp_sink: SmtpSink):
    opened = open_case(language="bg", description="Получих грешен номер обувки.")
    assert outbox_deliver_due() == 1
    [mail] = smtp_sink.received
    assert mail["To"] == "olga@example.com"
    assert opened.case.reference in mail["Subject"] and "Получихме" in mail["Subject"]
    assert opened.status_url in mail.get_content()
    row = OutboxMessage.objects.get()
    assert row.state == "sent" and row.sent_at is not None and row.attempts == 1
    assert mail["Message-ID"] == row.headers["Message-ID"]


def test_sent_rows_are_never_sent_again(smtp_sink: SmtpSink):
    open_case()
    outbox_deliver_due()
    outbox_deliver_due()
    assert len(smtp_sink.received) == 1


def test_a_temporary_failure_is_retried_after_a_backoff(smtp_sink: SmtpSink):
    open_case()
    smtp_sink.fail_next = 1
    assert outbox_deliver_due() == 0
    row = OutboxMessage.objects.get()
    assert row.state == "pending" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert outbox_deliver_due() == 0  # not due yet
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 1
    assert len(smtp_sink.received) == 1


def test_a_message_is_parked_as_failed_after_the_last_attempt_and_can_be_retried(smtp_sink: SmtpSink, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    open_case()
    smtp_sink.fail_next = 5
    for _ in range(2):
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        outbox_deliver_due()
    row = OutboxMessage.objects.get()
    assert row.state == "failed" and row.attempts == 2
    smtp_sink.fail_next = 0
    assert outbox_retry(message=row)
    assert outbox_deliver_due() == 1
    assert OutboxMessage.objects.get().state == "sent"


def test_a_permanent_refusal_parks_the_message_at_once(smtp_sink: SmtpSink):
    open_case()
    smtp_sink.fail_next, smtp_sink.fail_code = 1, "554 5.7.1 Rejected"
    outbox_deliver_due()
    assert OutboxMessage.objects.get().state == "failed"


def test_an_unreachable_server_keeps_the_message_pending(settings, db):
    from amends.conftest import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    open_case()
    assert outbox_deliver_due() == 0
    row = OutboxMessage.objects.get()
    assert row.state == "pending" and "connect" in row.last_error


def test_an_expired_lease_of_a_dead_worker_is_picked_up_again(smtp_sink: SmtpSink):
    open_case()
    OutboxMessage.objects.update(state="sending", claimed_until=timezone.now() - timedelta(seconds=1), attempts=1)
    assert outbox_deliver_due() == 1


def test_a_live_lease_is_left_alone(smtp_sink: SmtpSink):
    open_case()
    OutboxMessage.objects.update(state="sending", claimed_until=timezone.now() + timedelta(minutes=1), attempts=1)
    assert outbox_deliver_due() == 0
    assert smtp_sink.received == []


def test_header_injection_in_a_name_does_not_add_headers(smtp_sink: SmtpSink):
    open_case(name="Olga\r\nBcc: victim@example.com", subject="Hi\nX-Evil: yes")
    outbox_deliver_due()
    [mail] = smtp_sink.received
    assert mail["Bcc"] is None and mail["X-Evil"] is None
