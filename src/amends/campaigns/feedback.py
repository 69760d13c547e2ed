"""Mail that comes back: bounces (RFC 3464 delivery status notifications), complaints (RFC 5965 ARF reports) and
unsubscribe requests sent to the List-Unsubscribe mailto address. The mail receiver asks here first, so none of
them becomes a complaint case.

A bounce is matched to the campaign message by the original Message-ID the report quotes (`<public id@domain>`).
A permanent failure (5.x.x) marks the message bounced and suppresses the address (hard_bounce); a temporary one
(4.x.x, or action "delayed") is recorded only: the provider is still trying. A complaint suppresses the address.
Every report is recorded as a MailReport, matched or not; one for a message amends never sent is recorded, logged
and dropped, never an error and never a case.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message

from django.db import transaction
from django.utils import timezone

from amends.outbox.models import Suppression
from amends.outbox.suppression import suppression_add

from .letters import signature_valid
from .models import CampaignMessage, MailReport

logger = logging.getLogger(__name__)

_UUID = re.compile(r"<([0-9a-fA-F-]{32,36})@[^>]*>")
_STATUS = re.compile(r"\b([245])\.\d{1,3}\.\d{1,3}\b")
_UNSUBSCRIBE = re.compile(r"unsubscribe\+([0-9a-f]{32})\.([A-Za-z0-9_-]{10,40})@", re.IGNORECASE)


@dataclass(frozen=True)
class Report:
    kind: str  # bounce, delay, complaint, unsubscribe
    message_id: str = ""
    recipient: str = ""
    status: str = ""
    diagnostic: str = ""
    public_id: uuid.UUID | None = None


def _header_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _original_message_id(report: Message) -> str:
    for part in report.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            if kind == "message/rfc822":
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(inner, Message) and inner.get("Message-ID"):
                    return str(inner["Message-ID"]).strip()
            else:
                raw = part.get_payload(decode=True) or b""
                headers = message_from_bytes(raw if isinstance(raw, bytes) else b"", policy=policy.default)
                if headers.get("Message-ID"):
                    return str(headers["Message-ID"]).strip()
    return ""


def _address(value: str) -> str:
    # "rfc822; olga@example.com" → olga@example.com
    return value.partition(";")[2].strip().strip("<>").lower() if ";" in value else value.strip().strip("<>").lower()


def _public_id(message_id: str) -> uuid.UUID | None:
    found = _UUID.search(message_id or "")
    if not found:
        return None
    try:
        return uuid.UUID(found.group(1))
    except ValueError:
        return None


def parse(raw: bytes) -> Report | None:
    """What the mail reports, or None when it is ordinary mail (a customer writing)."""
    mail: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    for field in ("To", "Delivered-To", "X-Original-To"):
        found = _UNSUBSCRIBE.search(str(mail.get(field, "")))
        if found:
            try:
                public_id = uuid.UUID(found.group(1))
            except ValueError:
                continue
            if signature_valid(public_id, found.group(2)):
                return Report(kind="unsubscribe", public_id=public_id)
    if mail.get_content_type() != "multipart/report":
        return None
    report_type = (mail.get_param("report-type") or "").lower()  # type: ignore[union-attr]
    message_id = _original_message_id(mail)
    if report_type == "delivery-status":
        for part in mail.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in _header_blocks(part):
                action = str(block.get("Action", "")).strip().lower()
                if not action:
                    continue
                status_match = _STATUS.search(str(block.get("Status", "")))
                status = status_match.group(0) if status_match else ""
                if action == "delivered" or action == "relayed" or action == "expanded":
                    return Report(kind="delay", message_id=message_id, status=status, public_id=_public_id(message_id))
                hard = action == "failed" and status.startswith("5")
                return Report(
                    kind="bounce" if hard else "delay",
                    message_id=message_id,
                    recipient=_address(str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))),
                    status=status or action,
                    diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split())[:500],
                    public_id=_public_id(message_id),
                )
        return Report(kind="delay", message_id=message_id, public_id=_public_id(message_id))
    if report_type == "feedback-report":
        recipient = ""
        feedback = "abuse"
        for part in mail.walk():
            if part.get_content_type() == "message/feedback-report":
                blocks = _header_blocks(part)
                fields = blocks[0] if blocks else None
                if fields is None:
                    raw_part = part.get_payload(decode=True) or b""
                    fields = message_from_bytes(raw_part if isinstance(raw_part, bytes) else b"")
                feedback = str(fields.get("Feedback-Type", "abuse")).strip().lower()
                recipient = _address(str(fields.get("Original-Rcpt-To", "")))
        return Report(
            kind="complaint",
            message_id=message_id,
            recipient=recipient,
            status=feedback[:16],
            public_id=_public_id(message_id),
        )
    return None


@transaction.atomic
def mail_report_receive(*, raw: bytes) -> MailReport | None:
    """Record a bounce, complaint or mailed unsubscribe and act on it; None when the mail is none of these."""
    report = parse(raw)
    if report is None:
        return None
    message = (
        CampaignMessage.objects.select_for_update().filter(public_id=report.public_id).first()
        if report.public_id
        else None
    )
    recipient = message.recipient if message is not None else report.recipient
    record = MailReport.objects.create(
        kind=report.kind,
        message_id=report.message_id[:300],
        recipient=recipient[:320],
        status=report.status[:16],
        diagnostic=report.diagnostic,
        campaign_message=message,
        received_at=timezone.now(),
    )
    if message is None:
        # A report about mail amends did not send in a campaign (or a forged one): kept for the record, no more.
        logger.info("%s report for an unknown message %r dropped", report.kind, report.message_id[:100])
        return record
    if report.kind == "bounce":
        CampaignMessage.objects.filter(pk=message.pk).update(
            state=CampaignMessage.State.BOUNCED, last_error=f"{report.status} {report.diagnostic}"[:500]
        )
        suppression_add(address=message.recipient, reason=Suppression.Reason.HARD_BOUNCE, detail=report.diagnostic)
    elif report.kind == "complaint":
        suppression_add(address=message.recipient, reason=Suppression.Reason.COMPLAINED, detail=report.status)
    elif report.kind == "unsubscribe":
        suppression_add(address=message.recipient, reason=Suppression.Reason.UNSUBSCRIBED, detail="mailto")
    return record
