"""Reading an inbound e-mail into plain parts. Pure Python: no Django import."""

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from amends.core.text import clean_text, html_to_text, invalid_character, single_line

# No control character (a NUL above all: PostgreSQL cannot compare it) can be part of a Message-ID we look up.
_MESSAGE_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")
_QUOTE_HEADER = re.compile(
    r"^(On .+wrote:|.+ написа:|.+ написал\(а\):|.+ пише:|.+ napísal\(a\):|.+ je napisao:"
    r"|-----Original Message-----)\s*$",
    re.IGNORECASE,
)


class UnreadableMail(ValueError):
    pass


@dataclass
class InboundAttachment:
    name: str
    content: bytes


@dataclass
class InboundMail:
    sender: str
    sender_name: str
    subject: str
    body: str
    message_id: str | None
    thread_ids: list[str] = field(default_factory=list)
    language: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)


def _text_of(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        # Unknown or lying charset: keep what can be read rather than lose the complaint.
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    if not isinstance(content, str):
        content = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else str(content)
    return html_to_text(content) if part.get_content_type() == "text/html" else clean_text(content)


def strip_quoted(text: str) -> str:
    """Drop the quoted earlier conversation a mail program appends below a reply."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _QUOTE_HEADER.match(line.strip()):
            lines = lines[:index]
            break
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    kept = "\n".join(lines).strip()
    return kept or text.strip()


def parse(raw: bytes) -> InboundMail:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except (ValueError, TypeError, IndexError) as exc:
        raise UnreadableMail(f"the message cannot be parsed: {exc}") from None
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default always builds EmailMessage
    try:
        senders = getaddresses([str(message.get("Reply-To") or message.get("From") or "")])
    except (ValueError, TypeError, IndexError):
        senders = []
    sender_name, sender = senders[0] if senders else ("", "")
    if not sender or "@" not in sender or invalid_character(sender) or single_line(sender) != sender:
        raise UnreadableMail("the message has no sender address")
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _text_of(body_part) if isinstance(body_part, EmailMessage) else ""
    attachments = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and part.get_content_maintype() != "message":
            attachments.append(InboundAttachment(name=part.get_filename() or "attachment", content=payload))
    thread_ids = _MESSAGE_ID.findall(str(message.get("In-Reply-To") or "")) + _MESSAGE_ID.findall(
        str(message.get("References") or "")
    )
    message_ids = _MESSAGE_ID.findall(str(message.get("Message-ID") or ""))
    return InboundMail(
        sender=sender.strip().lower(),
        sender_name=single_line(sender_name),
        subject=single_line(str(message.get("Subject") or "")),
        body=strip_quoted(body) if thread_ids else body,
        message_id=message_ids[0][:255] if message_ids else None,
        thread_ids=thread_ids,
        language=single_line(str(message.get("Content-Language") or "")).split(",")[0],
        attachments=attachments,
    )
