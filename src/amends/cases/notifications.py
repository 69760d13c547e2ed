"""E-mails to the customer, composed in the case's language and sent under the brand identity."""

from collections.abc import Sequence
from email.utils import formataddr

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_email_enqueue
from amends.replies.services import acknowledgement_compose

from .models import Case, Message
from .subjects import mail_subject


def _sender(case: Case) -> str:
    return formataddr((case.brand.sender_name, case.brand.sender_email))


# How many earlier Message-IDs a reply names in References: enough for any mail program to thread it, short enough
# that a long conversation does not grow the header without bound (RFC 5322 allows trimming from the middle).
THREAD_REFERENCES = 10


def _thread_headers(case: Case, replying_to: str | None = None) -> dict[str, str]:
    """Point replies at the customer's own last e-mail, so their mail program threads the conversation.

    In-Reply-To names the customer's last e-mail (else our own last mail on the case); References names the
    conversation so far, oldest first, ending with that one."""
    headers = {"Reply-To": case.brand.sender_email, "X-Amends-Case": case.reference}
    if replying_to is not None:  # the acknowledgement: only the customer's first e-mail, if any, came before
        if replying_to:
            headers["In-Reply-To"] = headers["References"] = replying_to
        return headers
    thread: list[tuple[str, str]] = [
        (direction, mid or "")
        for direction, mid in Message.objects.filter(case=case, email_message_id__isnull=False)
        .exclude(direction=Message.Direction.NOTE)
        .order_by("created_at", "id")
        .values_list("direction", "email_message_id")
    ]
    if not thread:
        return headers
    from_customer = [mid for direction, mid in thread if direction == Message.Direction.IN]
    parent = from_customer[-1] if from_customer else thread[-1][1]
    earlier = [mid for _direction, mid in thread if mid != parent]
    # The first message of the thread and the latest ones: the middle is what RFC 5322 lets us leave out.
    references = earlier[:1] + earlier[1:][-(THREAD_REFERENCES - 2) :]
    headers["In-Reply-To"] = parent
    headers["References"] = " ".join([*references, parent])
    return headers


def acknowledgement_enqueue(
    *,
    case: Case,
    status_url: str,
    replying_to: str | None = None,
    options: Sequence[tuple[str, str]] = (),
) -> OutboxMessage:
    """The mail that tells a new case's customer we have it; `replying_to` is their Message-ID if they e-mailed.
    `options` are the remedies offered at once (their words, and the link that chooses each): the company's
    template places them at {remedy_options}, or they follow its text."""
    lines = [f"{text}\n  {url}" for text, url in options]
    composed = acknowledgement_compose(case=case, status_url=status_url, remedy_options=lines)
    if composed:
        subject, body = composed
        # The customer's answer threads back by the tag; a template that names the reference itself keeps it.
        if case.reference not in subject:
            subject = mail_subject(reference=case.reference, subject=subject, fallback=subject)
        if options and options[0][1] not in body:
            with translation.override(case.language):
                block = render_to_string("cases/email/_remedy_options.txt", {"options": options}).strip("\n")
            body = f"{body.rstrip()}\n\n{block}\n"
    else:
        with translation.override(case.language):
            subject = mail_subject(reference=case.reference, subject=_("We have received your message"), fallback="")
            body = render_to_string(
                "cases/email/acknowledgement.txt",
                {"case": case, "customer": case.customer, "status_url": status_url, "options": options},
            )
    return outbox_email_enqueue(
        recipient=case.customer.email or "",  # callers acknowledge only a customer with an address
        subject=subject,
        body=body,
        sender=_sender(case),
        case_id=case.pk,
        headers=_thread_headers(case, replying_to or ""),
        dedupe_key=f"ack:{case.pk}",
    )


def reply_email_enqueue(*, case: Case, message: Message) -> str:
    """Queue the agent's reply; returns its Message-ID so the customer's answer threads back to the case."""
    from amends.portal.services import status_link_create

    _link, status_url = status_link_create(case=case)
    with translation.override(case.language):
        subject = mail_subject(reference=case.reference, subject=case.subject, fallback=_("Your message"))
        body = render_to_string(
            "cases/email/reply.txt",
            {"case": case, "customer": case.customer, "message": message, "status_url": status_url},
        )
    outbox = outbox_email_enqueue(
        recipient=case.customer.email or "",  # a public-thread reply goes to the connector instead
        subject=subject,
        body=body,
        sender=_sender(case),
        case_id=case.pk,
        headers=_thread_headers(case),
    )
    return outbox.headers["Message-ID"]
