"""One message over an smtplib connection, pipelined when the server offers it: what the server receives is
what `sendmail` would have sent, and refusals raise what `sendmail` raises."""

import smtplib

import pytest

from amends.campaigns import smtp_send
from amends.conftest import SmtpSink

pytestmark = pytest.mark.integration

RAW = b"Subject: s\r\nMessage-ID: <1@x>\r\n\r\n.a line that starts with a dot\r\n..and two\r\nend\r\n"


@pytest.mark.parametrize("pipelining", [True, False])
def test_the_server_receives_the_message_as_sendmail_sends_it(smtp_sink: SmtpSink, pipelining: bool):
    smtp_sink.pipelining = pipelining
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        assert smtp_send.pipelining(smtp) is pipelining
        for _n in range(3):
            smtp_send.send(smtp, "care@example.com", "olga@example.com", RAW, pipelined=pipelining)
        smtplib_too = smtp.sendmail("care@example.com", ["olga@example.com"], RAW)
        assert smtplib_too == {}
    bodies = [m.get_content().replace("\r\n", "\n") for m in smtp_sink.received]
    assert len(bodies) == 4 and len(set(bodies)) == 1
    assert bodies[0].startswith(".a line that starts with a dot\n..and two\n")


def test_a_refused_recipient_raises_and_the_connection_goes_on(smtp_sink: SmtpSink):
    smtp_sink.pipelining = True
    smtp_sink.refused_recipients = {"gone@example.com"}
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp_send.send(smtp, "care@example.com", "gone@example.com", RAW, pipelined=True)
        smtp_sink.fail_next = 1
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp_send.send(smtp, "care@example.com", "olga@example.com", RAW, pipelined=True)
        assert refused.value.smtp_code == 451
        smtp_send.send(smtp, "care@example.com", "olga@example.com", RAW, pipelined=True)
    assert len(smtp_sink.received) == 1


def test_an_address_that_would_break_the_envelope_is_refused_before_anything_is_sent(smtp_sink: SmtpSink):
    smtp_sink.pipelining = True
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp_send.send(smtp, "care@example.com", "a@example.com>\r\nRCPT TO:<b@example.com", RAW, pipelined=True)
        smtp_send.send(smtp, "care@example.com", "olga@example.com", RAW, pipelined=True)
    assert len(smtp_sink.received) == 1
