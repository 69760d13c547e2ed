"""The apology campaign: set it up, start it (every message and code written in bulk), send it at the manager's
rate with any number of workers, pause, resume, cancel.

**Exactly once.** Messages are rows of their own outbox table. A worker claims a batch in one short transaction
(FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock), as a lease: the rows
are `sending` until `claimed_until`. It sends the batch over one SMTP connection (or a few at once, each in a
thread with its own database connection: `--connections`) and marks each message sent in its own commit right
after the server's 250. A worker killed with SIGKILL leaves its batch leased; when the lease ends the rows are
claimed again and the unsent ones go out. The only messages that can go twice are the ones whose 250 arrived
before their commit, one a connection, and they go again with the same Message-ID, which receivers drop.

**Fast, per message**: the letters of a batch are rendered once per language and put together per customer
(`batch_letters`), the MIME bytes are written directly (`wire`) and sent pipelined when the server offers it
(`smtp_send`), the batch is claimed and read back by one statement, and the mark is a prepared statement whose
commit does not wait for the disk on PostgreSQL (`_commit_without_waiting_for_disk`, which says what that gives
up). Marks are not gathered into one statement a batch: a kill would then repeat every message sent since the
last one.

**The rate** is shared by every worker through the campaign row (GCRA): `next_send_at` is when the next message
may go; a claim takes at most what the rate allows up to one second ahead and moves it on by n / rate.

**Nobody gets two apologies**: one campaign per incident (a unique constraint), one message per customer in it
(another), and starting is a conditional update from draft, so a second start is refused.
"""

from __future__ import annotations

import logging
import math
import random
import smtplib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.customers.models import Customer
from amends.incidents.models import Incident
from amends.outbox.models import Suppression
from amends.outbox.suppression import suppressed_addresses
from amends.remedies import catalogue
from amends.remedies.codes_service import codes_issue_batch
from amends.remedies.models import RemedyCode

from . import letters, smtp_send, wire
from .affected import roomy_sorts
from .batch_letters import BatchLetters
from .models import AffectedCustomer, Campaign, CampaignMessage

logger = logging.getLogger(__name__)

BATCH = 200
BURST = 1.0  # seconds of the rate a claim may take ahead
MAX_ATTEMPTS = 5
MAX_RATE = 100_000
CODE_KINDS = (catalogue.Kind.DISCOUNT_CODE.value, catalogue.Kind.STORE_CREDIT.value)


class CampaignRefused(Exception):
    """The campaign cannot do that now; `message` says why (shown to the manager, returned by the API as 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- setting up ----------------------------------------------------------------------------------------------


def _checked_remedy(
    *, remedy_kind: str, percent: Decimal | None, amount: Decimal | None, currency: str, valid_until: date
) -> dict[str, ValidationError]:
    errors: dict[str, ValidationError] = {}
    if remedy_kind not in CODE_KINDS:
        errors["remedy_kind"] = ValidationError(
            _("Choose a remedy delivered as a code: a discount code or store credit."), code="not_a_code_remedy"
        )
    if remedy_kind == catalogue.Kind.STORE_CREDIT and percent is not None:
        errors["percent"] = ValidationError(_("Store credit is an amount, not a percentage."), code="percent")
    if (percent is None) == (amount is None):
        errors["percent"] = ValidationError(_("Give a percentage or an amount, one of the two."), code="value")
    if percent is not None and not Decimal("0") < percent <= Decimal("100"):
        errors["percent"] = ValidationError(_("A percentage is more than 0 and at most 100."), code="range")
    if amount is not None:
        if not currency:
            errors["currency"] = ValidationError(_("Say which currency the amount is in, such as EUR."), code="none")
        if amount <= 0:
            errors["amount"] = ValidationError(_("It must be more than zero."), code="not_positive")
    if valid_until <= timezone.localdate():
        errors["valid_until"] = ValidationError(_("The code must be valid after today."), code="past")
    return errors


def campaign_save(
    *,
    incident: Incident,
    remedy_kind: str,
    rate: int,
    valid_until: date,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    currency: str = "",
    actor: User | None = None,
) -> Campaign:
    """Create the incident's campaign, or change it while it is a draft."""
    currency = (currency or "").strip().upper()
    errors = _checked_remedy(
        remedy_kind=remedy_kind, percent=percent, amount=amount, currency=currency, valid_until=valid_until
    )
    if not 1 <= rate <= MAX_RATE:
        errors["rate"] = ValidationError(
            _("The rate is from 1 to %(max)s messages a second.") % {"max": MAX_RATE}, code="range"
        )
    if errors:
        raise ValidationError(errors)
    expires = datetime.combine(valid_until, datetime.max.time(), tzinfo=timezone.get_current_timezone())
    values = {
        "remedy_kind": remedy_kind,
        "percent": percent,
        "amount": amount,
        "currency": currency,
        "valid_until": expires,
        "rate": rate,
    }
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(incident=incident).first()
        if campaign is None:
            return Campaign.objects.create(
                public_id=uuid.uuid4(), incident=incident, created_by=actor, created_at=timezone.now(), **values
            )
        if campaign.state != Campaign.State.DRAFT:
            raise CampaignRefused(_("The campaign has started: its remedy can no longer change."))
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=list(values))
        return campaign


def campaign_rate_set(*, campaign: Campaign, rate: int) -> None:
    """The rate may change at any time, also while sending (a provider asking to slow down)."""
    if not 1 <= rate <= MAX_RATE:
        raise ValidationError(
            {"rate": ValidationError(_("The rate is from 1 to %(max)s messages a second.") % {"max": MAX_RATE})}
        )
    Campaign.objects.filter(pk=campaign.pk).update(rate=rate)


def campaign_remedy(campaign: Campaign) -> letters.Remedy:
    return letters.Remedy(
        kind=campaign.remedy_kind,
        percent=campaign.percent,
        amount=campaign.amount,
        currency=campaign.currency,
        valid_until=timezone.localtime(campaign.valid_until).date(),
    )


# --- starting: every message and every code in bulk ---------------------------------------------------------


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _uuid_sql() -> str:
    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


def _write_messages(campaign: Campaign, now: datetime) -> tuple[int, int]:
    """Queue a message per affected customer, each with the next code of the campaign's batch; the suppressed
    get a row in state suppressed and no code. Returns (queued, suppressed)."""
    messages, affected, customers = _table(CampaignMessage), _table(AffectedCustomer), _table(Customer)
    suppression, code_table = _table(Suppression), _table(RemedyCode)
    fallback = settings.LANGUAGE_CODE
    columns = (
        "campaign_id, public_id, customer_id, recipient, name, language, order_reference, code, state, attempts, "
        "due_at, last_error"
    )
    suppressed = f"EXISTS (SELECT 1 FROM {suppression} x WHERE x.address = c.email)"  # noqa: S608 - model table names
    picked = (
        f"SELECT a.customer_id, c.email, COALESCE(NULLIF(a.name, ''), c.name) AS name, "  # noqa: S608 - table names
        f"COALESCE(NULLIF(a.language, ''), NULLIF(c.preferred_language, ''), %s) AS language, a.order_reference, "
        f"ROW_NUMBER() OVER (ORDER BY a.id) AS n FROM {affected} a JOIN {customers} c ON c.id = a.customer_id "
        f"WHERE a.incident_id = %s AND c.email IS NOT NULL AND "
    )
    numbered_codes = f"SELECT code, ROW_NUMBER() OVER (ORDER BY id) AS n FROM {code_table} WHERE batch = %s"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite joins two numbered subqueries by nested loops (a million squared); numbered into a temporary
            # table keyed by the number, each message finds its code by one key lookup.
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS campaign_codes (n INTEGER PRIMARY KEY, code TEXT)")
            cursor.execute("DELETE FROM campaign_codes")
            cursor.execute(f"INSERT INTO campaign_codes (code, n) {numbered_codes}", [campaign.code_batch])
            codes_source, code_params = "campaign_codes", []
        else:
            codes_source, code_params = f"({numbered_codes})", [campaign.code_batch]
        cursor.execute(
            f"INSERT INTO {messages} ({columns}) SELECT %s, {_uuid_sql()}, p.customer_id, p.email, p.name, "  # noqa: S608
            f"p.language, p.order_reference, k.code, 'queued', 0, %s, '' FROM ({picked} NOT {suppressed}) p "
            f"JOIN {codes_source} k ON k.n = p.n",
            [campaign.pk, now, fallback, campaign.incident_id, *code_params],
        )
        queued = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {messages} ({columns}) SELECT %s, {_uuid_sql()}, p.customer_id, p.email, p.name, "  # noqa: S608
            f"p.language, p.order_reference, NULL, 'suppressed', 0, %s, '' FROM ({picked} {suppressed}) p",
            [campaign.pk, now, fallback, campaign.incident_id],
        )
        return queued, cursor.rowcount


def _sendable_count(incident: Incident) -> int:
    return (
        AffectedCustomer.objects.filter(incident=incident)
        .exclude(customer__email__in=Suppression.objects.values("address"))
        .count()
    )


@dataclass(frozen=True)
class Started:
    queued: int
    suppressed: int


def campaign_start(*, campaign: Campaign, actor: User | None = None) -> Started:
    """Write every message with its code, all or none, and start sending. Refused when the campaign has started
    before (nobody gets two apologies) or the incident has nobody affected."""
    now = timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().select_related("incident").get(pk=campaign.pk)
        if locked.state != Campaign.State.DRAFT:
            raise CampaignRefused(
                _("This campaign was started already: it is sent once, so nobody gets two apologies.")
            )
        if not AffectedCustomer.objects.filter(incident_id=locked.incident_id).exists():
            raise CampaignRefused(
                _("Nobody is named as affected by this incident yet: upload them, or add those who complained.")
            )
        roomy_sorts()
        count = _sendable_count(locked.incident)
        locked.code_batch = f"campaign-{locked.public_id.hex[:20]}"
        if count:
            codes_issue_batch(
                count=count,
                batch=locked.code_batch,
                percent=locked.percent,
                amount=locked.amount,
                currency=locked.currency,
                expires_at=locked.valid_until,
            )
        queued, suppressed = _write_messages(locked, now)
        if queued != count:
            # The suppression list changed between the count and the insert (an address taken off it): a customer
            # would be left without a code. Nothing is kept; starting again counts afresh.
            raise CampaignRefused(_("The suppression list changed while the campaign started: start it again."))
        Campaign.objects.filter(pk=locked.pk).update(
            state=Campaign.State.SENDING if queued else Campaign.State.DONE,
            code_batch=locked.code_batch,
            templates=letters.templates_now(),
            started_at=now,
            finished_at=None if queued else now,
            next_send_at=now,
        )
    logger.info("campaign %s started: %s queued, %s suppressed", campaign.public_id, queued, suppressed)
    return Started(queued=queued, suppressed=suppressed)


def campaign_pause(*, campaign: Campaign) -> None:
    if not Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.SENDING).update(state=Campaign.State.PAUSED):
        raise CampaignRefused(_("Only a campaign that is sending can be paused."))


def campaign_resume(*, campaign: Campaign) -> None:
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.PAUSED).update(
        state=Campaign.State.SENDING, next_send_at=timezone.now()
    )
    if not updated:
        raise CampaignRefused(_("Only a paused campaign can be resumed."))


def campaign_cancel(*, campaign: Campaign) -> int:
    """Stop for good: what is queued is cancelled and its codes withdrawn (a batch in flight finishes). Returns
    how many messages were cancelled."""
    now = timezone.now()
    with transaction.atomic():
        updated = Campaign.objects.filter(
            pk=campaign.pk, state__in=[Campaign.State.SENDING, Campaign.State.PAUSED, Campaign.State.DRAFT]
        ).update(state=Campaign.State.CANCELLED, finished_at=now)
        if not updated:
            raise CampaignRefused(_("This campaign has finished already."))
        unsent = CampaignMessage.objects.filter(campaign=campaign).filter(
            Q(state=CampaignMessage.State.QUEUED) | Q(state=CampaignMessage.State.SENDING, claimed_until__lt=now)
        )
        # The codes of messages never sent are withdrawn, so no code is out there that nobody was given.
        RemedyCode.objects.filter(
            state=RemedyCode.State.ISSUED, code__in=unsent.exclude(code=None).values("code")
        ).update(state=RemedyCode.State.VOID)
        return unsent.update(state=CampaignMessage.State.CANCELLED, claimed_until=None)


# --- sending ------------------------------------------------------------------------------------------------


def _due_ids(campaign_id: int, now: datetime, limit: int) -> list[int]:
    """Rows whose lease ran out (a worker died), then queued rows that are due: two queries, each on its own
    partial index; one query with an OR of the two reads the whole table of a million-message campaign."""
    ids: list[int] = []
    for due in (
        Q(state=CampaignMessage.State.SENDING, claimed_until__lt=now),
        Q(state=CampaignMessage.State.QUEUED, due_at__lte=now),
    ):
        if len(ids) >= limit:
            break
        candidates = CampaignMessage.objects.filter(due, campaign_id=campaign_id).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids += list(candidates.values_list("id", flat=True)[: limit - len(ids)])
    return ids


def _finish_if_done(campaign: Campaign, now: datetime) -> None:
    left = CampaignMessage.objects.filter(
        campaign=campaign, state__in=[CampaignMessage.State.QUEUED, CampaignMessage.State.SENDING]
    ).exists()
    if not left:
        Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.SENDING).update(
            state=Campaign.State.DONE, finished_at=now
        )


@dataclass(slots=True)
class Claimed:
    """A claimed message: what sending it needs, as the claim's UPDATE … RETURNING gave it back (no model
    instance: building two hundred of them a batch cost more than the claim's statements)."""

    pk: int
    public_id: uuid.UUID
    recipient: str
    name: str
    language: str
    order_reference: str
    code: str | None
    attempts: int
    claimed_until: datetime | None


_RETURNING = "RETURNING id, public_id, recipient, name, language, order_reference, code, attempts"

# PostgreSQL: the rows whose lease ran out (a worker died), then the queued rows that are due, each part on its own
# partial index and locked as it is read (SKIP LOCKED: rows another worker is claiming are passed over), leased
# and read back in one statement.
_CLAIM_PG = (
    "WITH expired AS (SELECT id FROM {table} WHERE campaign_id = %(campaign)s AND state = 'sending' "
    "AND claimed_until < %(now)s ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED), "
    "queued AS (SELECT id FROM {table} WHERE campaign_id = %(campaign)s AND state = 'queued' AND due_at <= %(now)s "
    "ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED), "
    "due AS (SELECT id FROM expired UNION ALL SELECT id FROM queued LIMIT %(limit)s) "
    "UPDATE {table} m SET state = 'sending', claimed_until = %(lease)s, attempts = m.attempts + 1 FROM due "
    "WHERE m.id = due.id RETURNING m.id, m.public_id, m.recipient, m.name, m.language, m.order_reference, m.code, "
    "m.attempts"
)


def _claim_rows(campaign_id: int, now: datetime, lease: datetime, limit: int) -> list[Claimed]:
    table = _table(CampaignMessage)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _CLAIM_PG.format(table=table), {"campaign": campaign_id, "now": now, "lease": lease, "limit": limit}
            )
        else:
            # SQLite: the claim's IMMEDIATE transaction holds the write lock, so nobody claims meanwhile.
            ids = _due_ids(campaign_id, now, limit)
            if not ids:
                return []
            cursor.execute(
                f"UPDATE {table} SET state = 'sending', claimed_until = %s, attempts = attempts + 1 "  # noqa: S608 - table name
                f"WHERE id IN ({', '.join(['%s'] * len(ids))}) {_RETURNING}",
                # Written as the ORM writes it (naive UTC text), so the lease compares equal when it is renewed.
                [connection.ops.adapt_datetimefield_value(lease), *ids],
            )
        rows = cursor.fetchall()
    claimed = [
        Claimed(
            pk=pk,
            public_id=public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(public_id),
            recipient=recipient,
            name=name,
            language=language,
            order_reference=order_reference,
            code=code,
            attempts=attempts,
            claimed_until=lease,
        )
        for pk, public_id, recipient, name, language, order_reference, code, attempts in rows
    ]
    claimed.sort(key=lambda message: message.pk)
    return claimed


def campaign_claim(*, limit: int = BATCH) -> tuple[Campaign, list[Claimed]] | None:
    """Claim a batch of due messages of a sending campaign, within its rate; None when nothing may go now."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.CAMPAIGN_LEASE_SECONDS)
    sending = list(
        Campaign.objects.filter(state=Campaign.State.SENDING).order_by("next_send_at").values_list("pk", flat=True)
    )
    for campaign_id in sending:
        with transaction.atomic():
            # The campaign row is the rate's lock: claims of one campaign queue on it for a few milliseconds.
            campaign = Campaign.objects.select_for_update().filter(pk=campaign_id, state=Campaign.State.SENDING).first()
            if campaign is None:
                continue
            ahead = max((campaign.next_send_at or now) - now, timedelta(0)).total_seconds()
            allowed = min(limit, math.floor(campaign.rate * (BURST - ahead)))
            if allowed < 1:
                continue
            claimed = _claim_rows(campaign.pk, now, lease, allowed)
            if not claimed:
                _finish_if_done(campaign, now)
                continue
            start = max(campaign.next_send_at or now, now)
            Campaign.objects.filter(pk=campaign.pk).update(
                next_send_at=start + timedelta(seconds=len(claimed) / campaign.rate)
            )
        return campaign, claimed
    return None


_MARK_SENT = (
    "UPDATE {table} SET state = 'sent', sent_at = %s, claimed_until = NULL, last_error = '' "
    "WHERE id = %s AND state = 'sending'"
)
# PostgreSQL: prepared once a connection (server-side parameters, so the server skips parsing and planning it
# every time) and stamped by the server's clock.
_MARK_SENT_PG = (
    "UPDATE {table} SET state = 'sent', sent_at = statement_timestamp(), claimed_until = NULL, last_error = '' "
    "WHERE id = %s AND state = 'sending'"
)


class _Marks:
    """Marks a connection's messages sent, each in its own commit (autocommit: one statement) right after the
    server's 250. On PostgreSQL straight on psycopg with a prepared statement: Django's cursor and psycopg's
    client-side binding cost more per message than the statement costs the server."""

    def __init__(self) -> None:
        table = _table(CampaignMessage)
        self._raw: psycopg.Cursor | None = None
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self._raw = psycopg.Cursor(connection.connection)
            self._statement = _MARK_SENT_PG.format(table=table)
        else:
            self._statement = _MARK_SENT.format(table=table)

    def sent(self, message_pk: int) -> None:
        if self._raw is not None:
            self._raw.execute(self._statement, (message_pk,), prepare=True)
            return
        with connection.cursor() as cursor:
            cursor.execute(self._statement, [connection.ops.adapt_datetimefield_value(timezone.now()), message_pk])

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()


def _commit_without_waiting_for_disk(on: bool) -> None:
    """While a batch is sent, PostgreSQL's commits of the marks do not wait for the WAL to reach the disk
    (`synchronous_commit` off for the session during the batch, reset after, so nothing else is affected; each
    mark is still its own commit).

    Durable against what the kill test does: a worker killed with SIGKILL loses no mark, because a commit is in
    the database server's hands the moment it returns, flushed or not. What it gives up: if the PostgreSQL server
    itself crashes (or the machine loses power), the marks of its last fraction of a second (at most three times
    `wal_writer_delay`, 0.6 s by default) can be lost, and those messages go again, with their Message-IDs, so
    receivers drop the repeat. Waiting for the disk costs a WAL flush per message, which on a busy machine is
    most of what a message costs."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "SET synchronous_commit TO DEFAULT")


def _mark_failed(message: Claimed, *, error: str, permanent: bool = False) -> None:
    give_up = permanent or message.attempts >= MAX_ATTEMPTS
    backoff = min(30 * 2 ** max(message.attempts - 1, 0), 3600) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
    CampaignMessage.objects.filter(pk=message.pk, state=CampaignMessage.State.SENDING).update(
        state=CampaignMessage.State.FAILED if give_up else CampaignMessage.State.QUEUED,
        due_at=timezone.now() + timedelta(seconds=backoff),
        claimed_until=None,
        last_error=error[:500],
    )


def _release(messages: list[Claimed], error: str) -> None:
    """Nothing of these was sent (no connection): back in the queue, after a short wait."""
    CampaignMessage.objects.filter(pk__in=[m.pk for m in messages], state=CampaignMessage.State.SENDING).update(
        state=CampaignMessage.State.QUEUED,
        due_at=timezone.now() + timedelta(seconds=15),
        claimed_until=None,
        last_error=error[:500],
    )


def _renew(messages: list[Claimed], lease: datetime) -> tuple[list[Claimed], datetime]:
    """Extend the lease on the batch's unsent rows that are still ours (same lease), so a batch slower than its
    lease (a busy machine, a slow mail server) is not claimed and sent again by another worker meanwhile. Rows
    whose lease another worker took over are dropped from this batch: they are that worker's now."""
    renewed = timezone.now() + timedelta(seconds=settings.CAMPAIGN_LEASE_SECONDS)
    ids = [m.pk for m in messages]
    CampaignMessage.objects.filter(pk__in=ids, state=CampaignMessage.State.SENDING, claimed_until=lease).update(
        claimed_until=renewed
    )
    ours = set(CampaignMessage.objects.filter(pk__in=ids, claimed_until=renewed).values_list("pk", flat=True))
    return [m for m in messages if m.pk in ours], renewed


@dataclass(frozen=True)
class _Batch:
    """What every message of a claimed batch shares: the letters, rendered once per language (a connection's
    thread reads the rendered kinds another made; making one twice costs a render, nothing more)."""

    campaign: Campaign
    letters: BatchLetters


class _Mailer:
    """One SMTP connection (Django's mailer, so TLS, login and timeouts are configured in one place). When it is
    Django's SMTP backend, a message goes as bytes built by `wire.mime` straight to its smtplib connection,
    pipelined when the server offers it (`smtp_send`); anything else (the file backend of the embedded mode, a
    test's backend, a message `wire` does not build) goes through an EmailMessage."""

    def __init__(self) -> None:
        self.backend = mailers.default
        self.pipelined = False
        self._senders: dict[str, str] = {}  # the brand's From, prepared for the envelope once a connection

    def open(self) -> None:
        self.backend.open()
        backend = self.backend
        if isinstance(backend, SmtpEmailBackend) and backend.connection is not None:
            self.pipelined = smtp_send.pipelining(backend.connection)

    def close(self) -> None:
        try:
            self.backend.close()
        except (OSError, smtplib.SMTPException):
            logger.warning("mail server connection did not close cleanly")

    def send(self, mail: letters.Letter) -> None:
        backend = self.backend
        raw = None
        if isinstance(backend, SmtpEmailBackend) and backend.connection is not None:
            raw = wire.mime(
                sender=mail.sender, recipient=mail.recipient, subject=mail.subject, body=mail.body, headers=mail.headers
            )
        if raw is None:
            email = EmailMessage(
                subject=mail.subject, body=mail.body, from_email=mail.sender, to=[mail.recipient], headers=mail.headers
            )
            backend.send_messages([email])
            return
        assert isinstance(backend, SmtpEmailBackend) and backend.connection is not None  # noqa: S101 - for mypy
        sender = self._senders.get(mail.sender)
        if sender is None:
            sender = self._senders[mail.sender] = backend.prep_address(mail.sender)
        smtp_send.send(backend.connection, sender, mail.recipient, raw, pipelined=self.pipelined)


def _letter(batch: _Batch, message: Claimed) -> letters.Letter:
    return batch.letters.letter(
        public_id=message.public_id,
        recipient=message.recipient,
        name=message.name,
        language=message.language,
        order_reference=message.order_reference,
        code=message.code or "",
    )


def _deliver_over_one_connection(batch: _Batch, messages: list[Claimed]) -> int:
    """Send `messages` one after the other over one SMTP connection, each marked sent (its own commit) the
    moment the server accepts it: a kill repeats at most the one message between its 250 and its commit."""
    mailer = _Mailer()
    try:
        mailer.open()
    except (OSError, smtplib.SMTPException) as exc:
        _release(messages, f"cannot connect to the mail server: {exc}")
        return 0
    _commit_without_waiting_for_disk(True)
    marks = _Marks()
    sent = 0
    lease = messages[0].claimed_until
    half = timedelta(seconds=settings.CAMPAIGN_LEASE_SECONDS / 2)
    try:
        pending = list(messages)
        pending.reverse()  # popped from the end: in the order of the claim
        while pending:
            if lease is not None and timezone.now() >= lease - half:
                pending, lease = _renew(pending, lease)
                if not pending:
                    break
            message = pending.pop()
            try:
                mailer.send(_letter(batch, message))
            except smtplib.SMTPRecipientsRefused as exc:
                _mark_failed(message, error=f"recipient refused: {exc}", permanent=True)
            except smtplib.SMTPResponseException as exc:
                _mark_failed(message, error=f"{exc.smtp_code} {exc.smtp_error!r}", permanent=exc.smtp_code >= 500)
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                _mark_failed(message, error=str(exc) or exc.__class__.__name__)
                if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                    # The connection is gone: the rest of the batch waits in the queue rather than failing each.
                    _release(pending, f"the mail server connection broke: {exc}")
                    break
            else:
                marks.sent(message.pk)
                sent += 1
    finally:
        marks.close()
        _commit_without_waiting_for_disk(False)
        mailer.close()
    return sent


# A worker's sending threads, kept from batch to batch with their database connections (Django's are per thread).
_pools: dict[int, ThreadPoolExecutor] = {}


def _pool(size: int) -> ThreadPoolExecutor:
    if size not in _pools:
        _pools[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="campaign-smtp")
    return _pools[size]


def campaign_deliver(campaign: Campaign, messages: list[Claimed], *, connections: int = 1) -> int:
    """Send a claimed batch over `connections` SMTP connections at once (one is the default; a worker process
    may use a few when the mail server's replies, not the worker, set the pace). Each message is marked the
    moment the server accepts it, so a worker killed mid-batch repeats at most one message per connection."""
    if not messages:
        return 0
    stopped = set(suppressed_addresses(m.recipient for m in messages))
    if stopped:
        # Unsubscribed or bounced since the campaign started: skipped now, and their codes withdrawn.
        skipped = [m for m in messages if m.recipient in stopped]
        CampaignMessage.objects.filter(pk__in=[m.pk for m in skipped]).update(
            state=CampaignMessage.State.SUPPRESSED, claimed_until=None
        )
        RemedyCode.objects.filter(code__in=[m.code for m in skipped if m.code]).update(state=RemedyCode.State.VOID)
        messages = [m for m in messages if m.recipient not in stopped]
        if not messages:
            return 0
    incident = Incident.objects.select_related("brand").get(pk=campaign.incident_id)
    batch = _Batch(
        campaign=campaign,
        letters=BatchLetters(
            incident=incident, brand=incident.brand, remedy=campaign_remedy(campaign), templates=campaign.templates
        ),
    )
    connections = max(1, min(connections, len(messages)))
    if connections == 1:
        return _deliver_over_one_connection(batch, messages)
    # Each thread has its own SMTP connection and its own database connection; their waits on the two servers
    # overlap. The messages are dealt out in turn, so each connection sends in the order of the claim.
    shares = [messages[i::connections] for i in range(connections)]
    return sum(_pool(connections).map(lambda share: _deliver_in_thread(batch, share), shares))


def _close_own_connection(barrier: threading.Barrier) -> None:
    barrier.wait(timeout=30)
    connection.close()


def campaign_senders_stop() -> None:
    """Close the sending threads' database connections and end the threads (a worker stopping, a test ending)."""
    for size, pool in list(_pools.items()):
        # Every thread holds one task at once (the barrier), so each closes its own connection.
        barrier = threading.Barrier(size)
        for future in [pool.submit(_close_own_connection, barrier) for _n in range(size)]:
            future.result()
        pool.shutdown()
        del _pools[size]


def _deliver_in_thread(batch: _Batch, messages: list[Claimed]) -> int:
    # The thread keeps its database connection from batch to batch; one the server dropped is replaced first.
    connection.close_if_unusable_or_obsolete()
    return _deliver_over_one_connection(batch, messages)


def campaigns_deliver_due(*, seconds: float | None = None, limit: int | None = None, connections: int = 1) -> int:
    """Claim and send until nothing may go now (or `seconds` have passed, or `limit` messages went out)."""
    started = timezone.now()
    total = 0
    while limit is None or total < limit:
        if seconds is not None and (timezone.now() - started).total_seconds() >= seconds:
            break
        claimed = campaign_claim()
        if claimed is None:
            break
        total += campaign_deliver(*claimed, connections=connections)
    return total
