"""Reading an inbound e-mail into plain parts. Pure Python: no Django import.

Who wrote a mail is its one `From` address, read as a strict parser reads it: a mail whose `From` could be read
as two different people (two `From` fields, two addresses, a group, a display name that is an address outside
the angle brackets) is refused rather than guessed at. `Reply-To` and the envelope sender are not the author;
what the company's own mail system found when it checked the sender (SPF, DKIM, DMARC) is read from the
`Authentication-Results` header it added, and only from that one (see `authentication_verdicts`).
"""

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser

from amends.core.text import clean_text, html_to_text, invalid_character, single_line

# No control character (a NUL above all: PostgreSQL cannot compare it) can be part of a Message-ID we look up.
_MESSAGE_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")
# A reply is threaded by the nearest mails it names; a References list of thousands is not read to the end.
MAX_THREAD_IDS = 50
_QUOTE_HEADER = re.compile(
    r"^(On .+wrote:|.+ написа:|.+ написал\(а\):|.+ пише:|.+ napísal\(a\):|.+ je napisao:"
    r"|-----Original Message-----)\s*$",
    re.IGNORECASE,
)


class RefusedMail(ValueError):
    """A mail that is not taken; the message is the reason, given to the sending mail system with a 550."""


class UnreadableMail(RefusedMail):
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
    # The Message-IDs this mail answers, nearest first: In-Reply-To, then References from the last.
    thread_ids: list[str] = field(default_factory=list)
    language: str = ""
    attachments: list[InboundAttachment] = field(default_factory=list)
    # Every Authentication-Results field, top (added last, by the nearest mail system) first, unfolded.
    authentication_results: list[str] = field(default_factory=list)


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
    sender_name, sender = _author(message)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _text_of(body_part) if isinstance(body_part, EmailMessage) else ""
    attachments = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and part.get_content_maintype() != "message":
            attachments.append(InboundAttachment(name=part.get_filename() or "attachment", content=payload))
    replied = _MESSAGE_ID.findall(str(message.get("In-Reply-To") or ""))
    referenced = _MESSAGE_ID.findall(str(message.get("References") or ""))
    thread_ids = list(dict.fromkeys(tid[:255] for tid in replied + referenced[::-1]))[:MAX_THREAD_IDS]
    message_ids = _MESSAGE_ID.findall(str(message.get("Message-ID") or ""))
    return InboundMail(
        sender=sender,
        sender_name=single_line(sender_name),
        subject=single_line(str(message.get("Subject") or "")),
        body=strip_quoted(body) if thread_ids else body,
        message_id=message_ids[0][:255] if message_ids else None,
        thread_ids=thread_ids,
        language=single_line(str(message.get("Content-Language") or "")).split(",")[0],
        attachments=attachments,
        authentication_results=[
            " ".join(str(value).split()) for name, value in message.raw_items() if name.lower() == _AR_FIELD
        ],
    )


# Defects a strict reading of an address shrugs off: obsolete but unambiguous syntax, 8-bit (SMTPUTF8) text.
_HARMLESS_DEFECTS = (errors.ObsoleteHeaderDefect, errors.UndecodableBytesDefect, errors.NonASCIILocalPartDefect)


def _utf8(value: str) -> str:
    """Header text read from raw 8-bit bytes (SMTPUTF8 mail) holds them as surrogates: read them as UTF-8."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _author(message: EmailMessage) -> tuple[str, str]:
    """The one mailbox in the one From field, as (display name, lower-cased address); refused if ambiguous."""
    fields = message.get_all("From") or []
    if len(fields) > 1:
        raise UnreadableMail("the message has more than one From header")
    try:
        groups = fields[0].groups if fields else ()
        defects = list(fields[0].defects) if fields else []
    except (AttributeError, ValueError, TypeError, IndexError):
        raise UnreadableMail("the message has no sender address") from None
    mailboxes = [address for group in groups for address in group.addresses]
    if not mailboxes:
        raise UnreadableMail("the message has no sender address")
    if len(mailboxes) > 1 or any(group.display_name is not None for group in groups):
        raise UnreadableMail("the From header must name exactly one sender")
    if any(not isinstance(defect, _HARMLESS_DEFECTS) for defect in defects):
        # e.g. `From: customer@example.com <eve@example.net>`: mail programs and DMARC checkers disagree on
        # which of the two wrote it, so nobody may be taken for its author.
        raise UnreadableMail("the From header cannot be read as one unambiguous address")
    mailbox = mailboxes[0]
    if not mailbox.username or not mailbox.domain:
        raise UnreadableMail("the message has no sender address")
    address = _utf8(mailbox.addr_spec).strip().lower()
    # A NUL or line break in the address would reach a database lookup (PostgreSQL cannot compare a NUL).
    if invalid_character(address) or single_line(address) != address:
        raise UnreadableMail("the message has no sender address")
    return _utf8(mailbox.display_name), address


def address_domain(address: str) -> str:
    """The domain of an address, lower-case and in Unicode (an IDNA `xn--` label and its Unicode form match)."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    if "xn--" in domain:
        with contextlib.suppress(UnicodeError):  # not valid IDNA: compared as written
            domain = domain.encode("ascii").decode("idna").lower()
    return domain


def same_address(first: str, second: str) -> bool:
    """Whether two addresses name one mailbox: compared without regard to case, the domain in either IDNA form.

    Nothing else is folded: dots and `+tags` mean the same mailbox only at some providers, so `jan+x@` is not
    `jan@` here, and a customer who writes from another address is another sender.
    """

    def key(address: str) -> tuple[str, str]:
        local, _, _domain = address.strip().rpartition("@")
        return local.lower(), address_domain(address)

    return bool(first and second) and "@" in first and "@" in second and key(first) == key(second)


_AR_FIELD = "authentication-results"
_AR_METHODS = ("spf", "dkim", "dmarc")
_AR_PAIR = re.compile(r'([A-Za-z0-9_.\-/]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;"]+)')
_AR_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]+')
_AR_RESULT = re.compile(r"[a-z]{1,16}")


def _without_comments(value: str) -> str:
    """RFC 5322 comments (nested parentheses, quoted pairs) removed; quoted strings kept whole."""
    kept: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if not depth:
                kept.append(char)
        elif char == "\\":
            escaped = True
            if not depth:
                kept.append(char)
        elif quoted:
            kept.append(char)
            quoted = char != '"'
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            kept.append(char)
            quoted = char == '"'
    return "".join(kept)


def _split_outside_quotes(value: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted, escaped = False, False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_authentication_results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """One Authentication-Results field (RFC 8601) as its authserv-id and its (method, result, properties)."""
    segments = _split_outside_quotes(_without_comments(value), ";")
    head = _AR_VALUE.match(segments[0].strip())
    authserv_id = _unquote(head.group(0)).strip().lower() if head else ""
    results = []
    for segment in segments[1:]:
        pairs = _AR_PAIR.findall(segment)
        if not pairs:
            continue  # `none`: the server checked nothing
        (method, result), properties = pairs[0], pairs[1:]
        results.append(
            (
                method.split("/")[0].lower(),
                _unquote(result).lower(),
                {name.lower(): _unquote(prop) for name, prop in properties},
            )
        )
    return authserv_id, results


def authentication_verdicts(fields: Iterable[str], *, authserv_ids: Iterable[str]) -> dict[str, str]:
    """The SPF, DKIM and DMARC verdicts the company's own mail system wrote into the mail, and nothing else.

    Only fields whose authserv-id is one of ours count: anybody can write an Authentication-Results field into
    the mail they send, naming any server and any verdict. Our own mail system adds its fields on top, so for
    each method the topmost of our fields that reports it wins; a forged field lower down that claims our name
    is read only if our system reported nothing for that method, which is why it must remove such fields from
    incoming mail (RFC 8601, section 5). DKIM passes if any signature passed; DMARC names the From domain it
    judged (`dmarc_from`), which the caller compares with the From it reads.
    """
    trusted = {authserv_id.strip().lower() for authserv_id in authserv_ids if authserv_id.strip()}
    verdicts: dict[str, str] = {}
    for value in fields:
        authserv_id, results = parse_authentication_results(value)
        if authserv_id not in trusted:
            continue
        verdicts.setdefault("authserv_id", authserv_id)
        here: dict[str, tuple[str, dict[str, str]]] = {}
        for method, result, properties in results:
            if method not in _AR_METHODS or not _AR_RESULT.fullmatch(result):
                continue
            earlier = here.get(method)
            if earlier is None or (method == "dkim" and result == "pass"):
                here[method] = (result, properties)
            elif method == "dmarc" and earlier[0] == "pass" and result != "pass":
                here[method] = (result, properties)  # two DMARC verdicts in one field: the worse one stands
        for method, (result, properties) in here.items():
            if method in verdicts:
                continue
            verdicts[method] = result
            if method == "dmarc" and properties.get("header.from"):
                verdicts["dmarc_from"] = properties["header.from"].strip().lower()[:253]
    return verdicts


def dmarc_passed(verdicts: dict[str, str], *, sender: str) -> bool:
    """Whether our mail system found that the From domain of this mail passed DMARC."""
    if verdicts.get("dmarc") != "pass":
        return False
    judged = verdicts.get("dmarc_from")
    return not judged or address_domain("@" + judged) == address_domain(sender)
