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


def _sender(case: Case) -> str:
    return formataddr((case.brand.sender_name, case.brand.sender_email))


def _thread_headers(case: Case, replying_to: str | None = None) -> dict[str, str]:
    """Point replies at the customer's own last e-mail, so their mail program threads the conversation."""
    last_in = replying_to
    if last_in is None:
        last_in = (
            Message.objects.filter(case=case, direction=Message.Direction.IN, email_message_id__isnull=False)
            .order_by("-created_at", "-id")
            .values_list("email_message_id", flat=True)
            .first()
        )
    headers = {"Reply-To": case.brand.sender_email, "X-Amends-Case": case.reference}
    if last_in:
        headers["In-Reply-To"] = last_in
        headers["References"] = last_in
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
        if case.reference not in subject:  # the customer's answer threads back by it
            subject = f"[{case.reference}] {subject}"
        if options and options[0][1] not in body:
            with translation.override(case.language):
                block = render_to_string("cases/email/_remedy_options.txt", {"options": options}).strip("\n")
            body = f"{body.rstrip()}\n\n{block}\n"
    else:
        with translation.override(case.language):
            subject = f"[{case.reference}] " + _("We have received your message")
            body = render_to_string(
                "cases/email/acknowledgement.txt",
                {"case": case, "customer": case.customer, "status_url": status_url, "options": options},
            )
    return outbox_email_enqueue(
        recipient=case.customer.email,
        subject=subject,
        body=body,
        sender=_sender(case),
        case_id=case.pk,
        headers=_thread_headers(case, replying_to or ""),
        dedupe_key=f"ack:{case.pk}",
    )


def reply_email_enqueue(*, case: Case, message: Message) -> str:
    """Queue the agent's reply; returns its Message-ID so the customer's answer threads back to the case."""
    with translation.override(case.language):
        subject = f"[{case.reference}] " + (case.subject or _("Your message"))
        body = render_to_string("cases/email/reply.txt", {"case": case, "customer": case.customer, "message": message})
    outbox = outbox_email_enqueue(
        recipient=case.customer.email,
        subject=subject,
        body=body,
        sender=_sender(case),
        case_id=case.pk,
        headers=_thread_headers(case),
    )
    return outbox.headers["Message-ID"]
