"""An apology as the bytes that go to the mail server: a plain-text MIME message built directly.

Python's `email` package (which Django's EmailMessage uses) parses and re-folds every header it is given, and
that cost about half of a campaign worker's time per message, more than the SMTP exchange and the database commit
together. A campaign's message is always the same shape (one text/plain part in UTF-8 and a fixed set of headers
whose values amends made), so it is written here in a few string operations, with the encodings in C
(`binascii`): RFC 2047 encoded words for a non-ASCII subject, quoted-printable or base64 for a non-ASCII body
(whichever is shorter, as the `email` package chooses), CRLF line ends.

`mime()` returns None for anything outside that shape (a non-ASCII address, a line break in a header value); the
caller then sends the message the ordinary way, through Django's EmailMessage. Pure Python, no Django import.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime

_ENCODED_WORD_BYTES = 45  # 45 bytes of UTF-8 are 60 base64 characters: with "=?utf-8?b?" and "?=", 72 a word
_MAX_LINE = 998  # RFC 5322: no line longer than this (without its CRLF)


def _header_safe(value: str) -> bool:
    return value.isascii() and "\r" not in value and "\n" not in value and len(value) <= _MAX_LINE - 40


def encoded_words(text: str) -> str:
    """`text` as a header value: itself when it is short ASCII, else RFC 2047 encoded words, one a folded line,
    each split on a character boundary."""
    if text.isascii() and len(text) <= 70 and "=?" not in text:
        return text
    words = []
    chunk = bytearray()
    for char in text:
        encoded = char.encode()
        if len(chunk) + len(encoded) > _ENCODED_WORD_BYTES:
            words.append(chunk)
            chunk = bytearray()
        chunk += encoded
    if chunk:
        words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(bytes(word)).decode('ascii')}?=" for word in words)


def body_part(body: str) -> tuple[str, bytes]:
    """The transfer encoding and the encoded body (CRLF line ends)."""
    canonical = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    data = canonical.encode()
    if canonical.isascii() and all(len(line) <= _MAX_LINE for line in canonical.split("\r\n")):
        return "7bit", data
    quoted = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return ("quoted-printable", quoted) if len(quoted) <= len(encoded) else ("base64", encoded)


def mime(
    *, sender: str, recipient: str, subject: str, body: str, headers: Mapping[str, str], date: datetime | None = None
) -> bytes | None:
    """The message as bytes, or None when it is not of the shape this builds (the caller then uses the email
    package). `sender` is a From value already encoded for a header (`email.utils.formataddr` does that)."""
    if not (_header_safe(sender) and _header_safe(recipient)):
        return None
    if any(not (_header_safe(name) and name.isprintable() and ":" not in name) for name in headers):
        return None
    if any(not _header_safe(value) for value in headers.values()):
        return None
    if "\r" in subject or "\n" in subject:
        return None
    encoding, payload = body_part(body)
    lines = [
        f"Subject: {encoded_words(subject)}",
        f"From: {sender}",
        f"To: {recipient}",
        f"Date: {format_datetime(date or datetime.now(UTC))}",
        *(f"{name}: {value}" for name, value in headers.items()),
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        f"Content-Transfer-Encoding: {encoding}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + payload
