"""One message over an open smtplib connection, pipelined (RFC 2920) when the server offers it.

`smtplib.SMTP.sendmail` waits for the server's reply to each of MAIL, RCPT and DATA and then to the message: four
round trips, each a write, a wake-up of the server and a read, which for a campaign of small messages over a local
connection cost more than the message itself. A server that announces PIPELINING takes MAIL, RCPT and DATA in one
write; the message follows once its 354 is read. Two round trips instead of four, and one message in flight at a
time per connection as before: the caller marks it sent after its 250 and before the next one goes, so a worker
killed mid-batch still repeats at most that one message.

Neither smtplib nor Django's mail backend pipelines; aiosmtplib is asyncio (the workers are synchronous Django
code) and does not pipeline either (its `sendmail` awaits the reply to MAIL, each RCPT and DATA in turn, as read in
cole/aiosmtplib's smtp.py). So this is done here,
on smtplib's own connection and reply parser, in a few lines; without PIPELINING it is `sendmail` itself. Errors
are smtplib's exceptions, raised in the same cases as `sendmail` raises them, so the caller handles one set.
"""

from __future__ import annotations

import contextlib
import re
import smtplib

_LEADING_DOT = re.compile(rb"(?m)^\.")


def pipelining(smtp: smtplib.SMTP) -> bool:
    smtp.ehlo_or_helo_if_needed()
    return bool(smtp.does_esmtp and smtp.has_extn("pipelining"))


def _failed(smtp: smtplib.SMTP, code: int) -> None:
    """What sendmail does after a refusal: a 421 closes the connection, anything else resets the transaction."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):  # the next message finds the connection gone
        smtp.rset()


def send(smtp: smtplib.SMTP, sender: str, recipient: str, raw: bytes, *, pipelined: bool) -> None:
    """`smtp.sendmail(sender, [recipient], raw)`, pipelined when `pipelined` (see `pipelining`). The addresses are
    ASCII envelope addresses (the caller has prepared them) and `raw` has CRLF line ends."""
    if not pipelined:
        smtp.sendmail(sender, [recipient], raw)
        return
    smtp.ehlo_or_helo_if_needed()
    if any(c in sender or c in recipient for c in "\r\n<>"):
        raise smtplib.SMTPRecipientsRefused({recipient: (501, b"malformed address")})
    smtp.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode("ascii"))
    mail, rcpt, data = smtp.getreply(), smtp.getreply(), smtp.getreply()
    if data[0] == 354 and (mail[0] != 250 or rcpt[0] not in (250, 251)):
        # The server went on to take the data although the envelope failed (RFC 2920 asks it to refuse DATA
        # then): an empty message ends that, and the transaction is reset below.
        smtp.send(b".\r\n")
        smtp.getreply()
    if mail[0] != 250:
        _failed(smtp, mail[0])
        raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    if rcpt[0] not in (250, 251):
        _failed(smtp, rcpt[0])
        raise smtplib.SMTPRecipientsRefused({recipient: rcpt})
    if data[0] != 354:
        _failed(smtp, data[0])
        raise smtplib.SMTPDataError(*data)
    quoted = _LEADING_DOT.sub(b"..", raw)
    smtp.send(quoted + (b".\r\n" if quoted.endswith(b"\r\n") else b"\r\n.\r\n"))
    code, reply = smtp.getreply()
    if code != 250:
        _failed(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
