"""The inbound channel end to end: a real SMTP/LMTP server, a real SMTP client."""

import smtplib

import pytest

from amends.cases.models import Case
from amends.conftest import free_port
from amends.intake.receiver import IntakeController

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture(params=[False, True], ids=["smtp", "lmtp"])
def receiver(request):  # type: ignore[no-untyped-def]
    controller = IntakeController(hostname="127.0.0.1", port=free_port(), lmtp=request.param)
    controller.start()
    yield controller
    controller.stop()


def send(controller: IntakeController, raw: bytes) -> None:
    if controller.lmtp:
        client = smtplib.LMTP("127.0.0.1", controller.port)
    else:
        client = smtplib.SMTP("127.0.0.1", controller.port)
    with client:
        client.sendmail("customer@example.com", ["care@shop.example"], raw)


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
