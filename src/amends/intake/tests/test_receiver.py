"""The inbound channel end to end: a real SMTP/LMTP server, a real SMTP client."""

import smtplib

import pytest

from amends.cases.models import Case
from amends.conftest import free_port
from amends.intake.receiver import IntakeController
from amends.intake.tests.helpers import mail
from amends.outbox.models import OutboxMessage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture(params=[False, True], ids=["smtp", "lmtp"])
def receiver(request):  # type: ignore[no-untyped-def]
    controller = IntakeController(hostname="127.0.0.1", port=free_port(), lmtp=request.param)
    controller.start()
    yield controller
    controller.stop()


def send_from(controller: IntakeController, mail_from: str, raw: bytes) -> None:
    if controller.lmtp:
        client = smtplib.LMTP("127.0.0.1", controller.port)
    else:
        client = smtplib.SMTP("127.0.0.1", controller.port)
    with client:
        client.sendmail(mail_from, ["care@shop.example"], raw)


def send(controller: IntakeController, raw: bytes) -> None:
    send_from(controller, "customer@example.com", raw)


def test_a_mail_sent_to_the_receiver_opens_a_case(receiver):
    raw = (
        "From: Petra <petra@example.sk>\r\nSubject: =?utf-8?q?Reklam=C3=A1cia?=\r\nMessage-ID: <r1@example.sk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nTopánky sú roztrhnuté.\r\n"
    ).encode()
    send(receiver, raw)
    case = Case.objects.get()
    assert case.subject == "Reklamácia" and case.description == "Topánky sú roztrhnuté."


def test_an_unreadable_mail_is_refused_with_a_reason(receiver):
    with pytest.raises(smtplib.SMTPDataError) as excinfo:
        send(receiver, b"Subject: no sender\r\n\r\nHello\r\n")
    assert excinfo.value.smtp_code == 550 and b"sender" in excinfo.value.smtp_error
    assert not Case.objects.exists()


def deliver(controller: IntakeController, raw: bytes, mail_from: str = "jan@example.sk") -> tuple[int, bytes]:
    """One mail through the real server, returning the server's answer to DATA (a refusal too)."""
    client = (
        smtplib.LMTP("127.0.0.1", controller.port) if controller.lmtp else smtplib.SMTP("127.0.0.1", controller.port)
    )
    with client:
        client.ehlo_or_helo_if_needed()
        assert client.mail(mail_from)[0] == 250
        assert client.rcpt("care@shop.example")[0] == 250
        return client.data(raw)


def test_the_answer_to_an_accepted_mail_names_no_case(receiver):
    code, answer = deliver(receiver, mail())
    case = Case.objects.get()
    assert code == 250 and answer == b"2.0.0 Accepted"
    assert case.reference.encode() not in answer and b"AM-" not in answer


def test_a_strangers_mail_naming_a_customers_message_opens_its_own_case(receiver):
    assert deliver(receiver, mail())[0] == 250
    victim = Case.objects.get()
    ack = OutboxMessage.objects.get(case=victim).headers["Message-ID"]
    stranger = mail(
        "Send the refund to me.",
        sender="Ján <eve@evil.test>",
        message_id="<e1@evil.test>",
        In_Reply_To="<m1@example.sk>",
        References=ack,
        Reply_To="jan@example.sk",
        subject=f"Re: [{victim.reference}]",
    )
    code, answer = deliver(receiver, stranger, mail_from="eve@evil.test")
    assert (code, answer) == (250, b"2.0.0 Accepted")
    assert list(victim.messages.values_list("body", flat=True)) == ["Zdravím, topánky neprišli."]
    assert Case.objects.exclude(pk=victim.pk).get().customer.email == "eve@evil.test"


def test_a_stranger_resending_a_known_message_id_learns_nothing(receiver):
    deliver(receiver, mail())
    code, answer = deliver(receiver, mail("Refund to me.", sender="eve@evil.test"), mail_from="eve@evil.test")
    assert (code, answer) == (250, b"2.0.0 Accepted")
    assert Case.objects.count() == 2


def test_the_customers_reply_threads_and_its_envelope_is_kept(receiver):
    deliver(receiver, mail())
    case = Case.objects.get()
    ack = OutboxMessage.objects.get(case=case).headers["Message-ID"]
    raw = mail("Ešte stále nič.", message_id="<m2@example.sk>", In_Reply_To=ack)
    assert deliver(receiver, raw, mail_from="jan@example.sk")[0] == 250
    assert Case.objects.count() == 1
    assert case.messages.get(body="Ešte stále nič.").email_authentication == {"mail_from": "jan@example.sk"}


def test_a_mail_with_an_empty_envelope_sender_is_refused(receiver):
    with pytest.raises(smtplib.SMTPDataError) as excinfo:
        send_from(receiver, "", mail())
    assert excinfo.value.smtp_code == 550 and b"envelope" in excinfo.value.smtp_error
    assert not Case.objects.exists()


def test_with_dmarc_required_a_forged_verdict_does_not_thread(receiver, settings):
    settings.MAIL_AUTHSERV_IDS = ["mx.shop.example"]
    settings.MAIL_REQUIRE_DMARC = True
    passed = "Authentication-Results: mx.shop.example; dmarc=pass header.from=example.sk\r\n"
    deliver(receiver, passed.encode() + mail())
    case = Case.objects.get()
    ack = OutboxMessage.objects.get(case=case).headers["Message-ID"]
    reply = mail("Ešte stále nič.", message_id="<m2@example.sk>", In_Reply_To=ack)
    forged = "Authentication-Results: mx.evil.test; dmarc=pass header.from=example.sk\r\n"
    assert deliver(receiver, forged.encode() + reply) == (250, b"2.0.0 Accepted")
    assert Case.objects.count() == 2 and case.messages.count() == 1
    reply = mail("Ešte stále nič.", message_id="<m3@example.sk>", In_Reply_To=ack)
    assert deliver(receiver, passed.encode() + reply)[0] == 250
    assert case.messages.count() == 2
