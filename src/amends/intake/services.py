"""The e-mail channel: a mail either continues a conversation of its sender's, or opens a case.

A mail joins an existing case only when its sender is that case's customer: every way a mail can point at a
case (In-Reply-To/References naming one of the case's messages or one of our own mails about it, the case
reference in the subject, a Message-ID delivered before) is only a claim, and anybody can make it. The sender
is the one address in `From` (never `Reply-To`), compared without regard to case; with
`MAIL_REQUIRE_DMARC`, it must also be vouched for by the DMARC pass our own mail system recorded. A mail that
names a case it may not join opens a case of its own for its real sender, as a new mail would: nothing of the
other case is shown, changed or confirmed to exist.
"""

import re
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from amends.cases.intake import IntakeRequest, Upload, attachment_store, case_open, validate_upload
from amends.cases.models import Case, Channel, Message
from amends.cases.references import IN_TEXT as _REFERENCE
from amends.cases.services import case_add_customer_message
from amends.core import languages
from amends.outbox.models import OutboxMessage

from .mail import InboundMail, RefusedMail, authentication_verdicts, dmarc_passed, parse, same_address

_UUID = re.compile(r"<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@", re.IGNORECASE)


def _owned(cases: Iterable[Case | None], *, sender: str) -> Case | None:
    """The first of these cases whose customer is the sender."""
    return next((case for case in cases if case is not None and same_address(case.customer.email or "", sender)), None)


def _thread_case(mail: InboundMail) -> Case | None:
    """The case of this sender's that the mail answers: by the Message-IDs it replies to (ours, or the customer's
    own earlier mail), nearest first, else by the reference in the subject. Cases of other customers that the
    mail names are passed over as if unknown."""
    if mail.thread_ids:
        by_message = {
            m.email_message_id: m.case
            for m in Message.objects.filter(email_message_id__in=mail.thread_ids).select_related("case__customer")
        }
        outbox_ids = {tid: uuid.UUID(found) for tid in mail.thread_ids for found in _UUID.findall(tid)}
        sent = {
            row.public_id: row.case
            for row in OutboxMessage.objects.filter(
                public_id__in=outbox_ids.values(), kind=OutboxMessage.Kind.EMAIL, case__isnull=False
            ).select_related("case__customer")
        }
        by_outbox = {tid: sent[public_id] for tid, public_id in outbox_ids.items() if public_id in sent}
        named = (by_message.get(tid) or by_outbox.get(tid) for tid in mail.thread_ids)
        case = _owned(named, sender=mail.sender)
        if case is not None:
            return case
    references = [found.upper() for found in _REFERENCE.findall(mail.subject)]
    if references:
        cases = {c.reference: c for c in Case.objects.filter(reference__in=references).select_related("customer")}
        return _owned((cases.get(reference) for reference in references), sender=mail.sender)
    return None


def _envelope_sender(mail_from: str | None) -> str | None:
    """The SMTP envelope sender (MAIL FROM) as given; None when not known (the mail did not come over SMTP)."""
    if mail_from is None:
        return None
    address = mail_from.strip()
    if address in ("", "<>"):
        # The null reverse-path marks a delivery report or an automatic reply (RFC 5321 4.5.5, RFC 3834): no
        # person wrote it, and answering it with an acknowledgement is how mail loops start.
        raise RefusedMail("delivery reports and automatic replies (empty envelope sender) are not taken")
    return address.strip("<>")[:320]


def email_receive(*, raw: bytes, mail_from: str | None) -> Case:
    """Take one inbound e-mail; `mail_from` is the envelope sender the SMTP/LMTP client gave (None if unknown).

    Raises RefusedMail or ValidationError (with a reason to bounce) on mail that is not taken.
    """
    envelope_sender = _envelope_sender(mail_from)
    mail = parse(raw)
    verdicts = authentication_verdicts(mail.authentication_results, authserv_ids=settings.MAIL_AUTHSERV_IDS)
    authentication = {**verdicts, **({"mail_from": envelope_sender} if envelope_sender else {})}
    message_id = mail.message_id
    if message_id:
        known = Message.objects.filter(email_message_id=message_id).select_related("case__customer").first()
        if known is not None:
            if known.direction == Message.Direction.IN and same_address(known.case.customer.email or "", mail.sender):
                return known.case  # the same mail delivered twice is one message
            # Somebody else's Message-ID (or one of ours): not this sender's to claim, so not recorded, and the
            # mail is taken as if it had none.
            message_id = None
    may_join = not settings.MAIL_REQUIRE_DMARC or dmarc_passed(verdicts, sender=mail.sender)
    case = _thread_case(mail) if may_join else None
    uploads = [Upload(name=a.name, content=a.content) for a in mail.attachments]
    if case is None:
        case = case_open(
            request=IntakeRequest(
                email=mail.sender,
                name=mail.sender_name,
                description=mail.body,
                subject=mail.subject,
                channel=Channel.EMAIL,
                language=languages.normalize(mail.language) or "" if mail.language else "",
                uploads=uploads,
            ),
            email_message_id=message_id,
        ).case
        # case_open has no say in mail headers; the verdicts are kept on its first message right after.
        if authentication:
            Message.objects.filter(case=case, direction=Message.Direction.IN).update(
                email_authentication=authentication
            )
        return case
    checked = [(upload, validate_upload(upload)) for upload in uploads]
    with transaction.atomic():
        message = case_add_customer_message(
            case=case, body=mail.body, channel=Channel.EMAIL, email_message_id=message_id, actor_label=mail.sender
        )
        if authentication:
            message.email_authentication = authentication
            message.save(update_fields=["email_authentication"])
        for upload, content_type in checked:
            attachment_store(
                case=case, message=message, upload=upload, content_type=content_type, at=message.created_at
            )
    return case
