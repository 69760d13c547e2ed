"""The e-mail channel: a mail either continues a conversation we know, or opens a case."""

import re
import uuid

from django.db import transaction

from amends.cases.intake import IntakeRequest, Upload, attachment_store, case_open, validate_upload
from amends.cases.models import Case, Channel, Message
from amends.cases.services import case_add_customer_message
from amends.core import languages
from amends.outbox.models import OutboxMessage

from .mail import InboundMail, parse

_REFERENCE = re.compile(r"\[?(AM-\d{4}-\d{6})\]?", re.IGNORECASE)
_UUID = re.compile(r"<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@", re.IGNORECASE)


def _thread_case(mail: InboundMail) -> Case | None:
    """The case this mail answers: by the Message-IDs it replies to, else by the reference in the subject."""
    if mail.thread_ids:
        known = Message.objects.filter(email_message_id__in=mail.thread_ids).select_related("case").first()
        if known:
            return known.case
        outbox_ids = [uuid.UUID(m) for tid in mail.thread_ids for m in _UUID.findall(tid)]
        sent = OutboxMessage.objects.filter(public_id__in=outbox_ids, case__isnull=False).select_related("case").first()
        if sent and sent.case:
            return sent.case
    match = _REFERENCE.search(mail.subject)
    if match:
        # A reference alone is easy to guess, so it threads only mail from the case's own customer.
        return Case.objects.filter(reference=match.group(1).upper(), customer__email=mail.sender).first()
    return None


def email_receive(*, raw: bytes) -> Case:
    """Take one inbound e-mail. Raises UnreadableMail or ValidationError (with a reason to bounce) on bad mail."""
    mail = parse(raw)
    if mail.message_id:
        seen = Message.objects.filter(email_message_id=mail.message_id).select_related("case").first()
        if seen:
            return seen.case  # the same mail delivered twice is one message
    case = _thread_case(mail)
    uploads = [Upload(name=a.name, content=a.content) for a in mail.attachments]
    if case is None:
        return case_open(
            request=IntakeRequest(
                email=mail.sender,
                name=mail.sender_name,
                description=mail.body,
                subject=mail.subject,
                channel=Channel.EMAIL,
                language=languages.normalize(mail.language) or "" if mail.language else "",
                uploads=uploads,
            ),
            email_message_id=mail.message_id,
        ).case
    checked = [(upload, validate_upload(upload)) for upload in uploads]
    with transaction.atomic():
        message = case_add_customer_message(
            case=case, body=mail.body, channel=Channel.EMAIL, email_message_id=mail.message_id, actor_label=mail.sender
        )
        for upload, content_type in checked:
            attachment_store(
                case=case, message=message, upload=upload, content_type=content_type, at=message.created_at
            )
    return case
