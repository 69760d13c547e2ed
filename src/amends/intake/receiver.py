"""The inbound mail server: an SMTP (or LMTP) receiver that the company's mail system forwards complaints to."""

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.db import close_old_connections

from amends.campaigns.feedback import mail_report_receive

from .mail import RefusedMail
from .services import email_receive

logger = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 30 * 1024 * 1024


def _receive(raw: bytes, mail_from: str | None) -> str:
    """The SMTP answer to one mail. It never names the case: that would tell whoever sent the mail which case a
    Message-ID or reference belongs to. The customer learns the reference from the acknowledgement."""
    close_old_connections()
    try:
        # Bounces, spam complaints and mailed unsubscribes come back to the same address; none is a complaint.
        if mail_report_receive(raw=raw) is not None:
            return "250 2.0.0 Report received"
        case = email_receive(raw=raw, mail_from=mail_from)
    except RefusedMail as exc:
        return f"550 5.6.0 {exc}".replace("\r", " ").replace("\n", " ")
    except ValidationError as exc:
        reasons = "; ".join(str(m) for m in exc.messages)[:400]
        return f"550 5.6.0 {reasons}".replace("\r", " ").replace("\n", " ")
    except Exception:
        logger.exception("inbound mail failed; the sender will retry")
        return "451 4.3.0 Temporary failure, please try again later"
    finally:
        close_old_connections()
    logger.info("inbound mail taken into case %s", case.reference)
    return "250 2.0.0 Accepted"


class IntakeHandler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        return await sync_to_async(_receive, thread_sensitive=False)(raw, envelope.mail_from)


class IntakeController(Controller):
    def __init__(self, *, hostname: str, port: int, lmtp: bool = False) -> None:
        self.lmtp = lmtp
        super().__init__(IntakeHandler(), hostname=hostname, port=port, data_size_limit=MAX_MESSAGE_BYTES)

    def factory(self) -> Any:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(
            self.handler,
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            hostname=self.hostname,
            decode_data=False,
        )
