"""Writing side effects into the outbox, and delivering them exactly as written.

Rows are written inside the caller's transaction, so they exist exactly when the change that caused them
does. The worker's sweep (every second, see `amends.core.management.commands.worker`) claims due rows in
batches with a lease, sends each batch over one connection, and marks each row sent right after the server
accepts it. A task per row would cost a queue write per request and a task run per mail; batches keep up with
thousands of mails a second.
A worker killed between the server's acceptance and the mark leaves one row whose lease expires and is sent
again with the same Message-ID, which receiving systems use to drop the copy.
"""

import logging
import random
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from amends.core.text import single_line

from .channels import deliverer_for
from .models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 100


def message_id_for(public_id: uuid.UUID) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "amends.localhost"
    return f"<{public_id}@{domain}>"


def outbox_email_enqueue(
    *,
    recipient: str,
    subject: str,
    body: str,
    sender: str,
    case_id: int | None = None,
    headers: dict[str, str] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Write an e-mail to the outbox. Call inside the transaction of the change that causes it."""
    public_id = uuid.uuid4()
    now = timezone.now()
    all_headers = {"Message-ID": message_id_for(public_id), **(headers or {})}
    message = OutboxMessage.objects.create(
        public_id=public_id,
        kind=OutboxMessage.Kind.EMAIL,
        case_id=case_id,
        dedupe_key=dedupe_key,
        recipient=single_line(recipient),
        sender=single_line(sender),
        subject=single_line(subject)[:300],
        body=body,
        headers={name: single_line(value) for name, value in all_headers.items()},
        next_attempt_at=now,
        created_at=now,
    )
    return message


def outbox_claim(*, limit: int = BATCH) -> list[OutboxMessage]:
    """Claim a batch of due rows for this worker; nobody else gets them until the lease ends."""
    now = timezone.now()
    due = Q(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now) | Q(
        state=OutboxMessage.State.SENDING, claimed_until__lt=now
    )
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(due)
        candidates = candidates.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        claimed = list(candidates.values_list("id", flat=True)[:limit])
        if not claimed:
            return []
        OutboxMessage.objects.filter(id__in=claimed).update(
            state=OutboxMessage.State.SENDING,
            claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    return list(OutboxMessage.objects.filter(id__in=claimed).order_by("id"))


def _backoff(attempts: int) -> timedelta:
    seconds = min(30 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


def outbox_mark_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.SENDING).update(
        state=OutboxMessage.State.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )


def outbox_mark_failed(message: OutboxMessage, *, error: str, permanent: bool = False) -> None:
    give_up = permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.SENDING).update(
        state=OutboxMessage.State.FAILED if give_up else OutboxMessage.State.PENDING,
        next_attempt_at=timezone.now() + _backoff(message.attempts),
        claimed_until=None,
        last_error=error[:2000],
    )


def _email_for(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.sender or settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=dict(message.headers),
    )


def outbox_deliver_batch(messages: list[OutboxMessage]) -> int:
    """Deliver claimed rows: e-mails over one SMTP connection, other kinds by the deliverer their app registered."""
    sent = 0
    others: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        if message.kind != OutboxMessage.Kind.EMAIL:
            others.setdefault(message.kind, []).append(message)
    for kind, rows in others.items():
        deliver = deliverer_for(kind)
        if deliver is None:
            for message in rows:
                outbox_mark_failed(message, error=f"nothing delivers {kind} messages", permanent=True)
            continue
        sent += deliver(rows)
    emails = [m for m in messages if m.kind == OutboxMessage.Kind.EMAIL]
    return sent + (_emails_deliver(emails) if emails else 0)


def _emails_deliver(emails: list[OutboxMessage]) -> int:
    """Each e-mail is marked sent the moment the server accepts it."""
    sent = 0
    try:
        conn = mailers.default
        conn.open()
    except (OSError, smtplib.SMTPException) as exc:
        for message in emails:
            outbox_mark_failed(message, error=f"cannot connect to the mail server: {exc}")
        return 0
    try:
        for message in emails:
            try:
                conn.send_messages([_email_for(message)])
            except smtplib.SMTPRecipientsRefused as exc:
                outbox_mark_failed(message, error=f"recipient refused: {exc}", permanent=True)
            except smtplib.SMTPResponseException as exc:
                outbox_mark_failed(message, error=f"{exc.smtp_code} {exc.smtp_error!r}", permanent=exc.smtp_code >= 500)
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                outbox_mark_failed(message, error=str(exc) or exc.__class__.__name__)
            else:
                outbox_mark_sent(message)
                sent += 1
    finally:
        try:
            conn.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("mail server connection did not close cleanly")
    return sent


def outbox_deliver_due(*, limit: int | None = None) -> int:
    """Claim and deliver until nothing is due (or `limit` rows went out). Returns how many were sent."""
    total = 0
    while limit is None or total < limit:
        claimed = outbox_claim()
        if not claimed:
            break
        total += outbox_deliver_batch(claimed)
    return total


def outbox_retry(*, message: OutboxMessage) -> bool:
    """Put a parked (failed) message back in the queue, at once."""
    updated = OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.FAILED).update(
        state=OutboxMessage.State.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    return bool(updated)
