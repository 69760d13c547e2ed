"""Raw RFC 5322 mail for the e-mail channel's tests, and taking it in as the receiver does."""

from email.message import EmailMessage

from amends.cases.models import Case
from amends.intake.services import email_receive


def mail(
    body: str = "Zdravím, topánky neprišli.",
    *,
    subject: str = "Zásielka",
    sender: str = "Ján <jan@example.sk>",
    message_id: str = "<m1@example.sk>",
    **headers: str,
) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, "care@shop.example", subject, message_id
    msg.set_content(body)
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    return bytes(msg)


def with_headers(raw: bytes, *lines: str) -> bytes:
    """Put header fields on top of a mail, as the receiving mail system does with its trace fields."""
    return "".join(f"{line}\r\n" for line in lines).encode() + raw


def receive(raw: bytes, *, mail_from: str | None = "jan@example.sk") -> Case:
    return email_receive(raw=raw, mail_from=mail_from)
