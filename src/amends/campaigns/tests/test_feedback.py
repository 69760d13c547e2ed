"""Bounces, complaints and unsubscribes that come back through the mail receiver: recorded, never a case."""

import pytest
from django.test import Client

from amends.campaigns import letters
from amends.campaigns.feedback import mail_report_receive
from amends.campaigns.models import CampaignMessage, MailReport
from amends.campaigns.services import campaign_start
from amends.cases.models import Case
from amends.intake.receiver import _receive
from amends.outbox.models import Suppression

from .factories import csv_bytes, import_csv, make_campaign, make_incident, people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):  # type: ignore[no-untyped-def]
    # The receiver closes stale connections around each mail; the test's transaction must outlive it.
    monkeypatch.setattr("amends.intake.receiver.close_old_connections", lambda: None)


def _sent(n: int = 2) -> list[CampaignMessage]:
    incident = make_incident()
    import_csv(incident, csv_bytes(people(n)))
    campaign_start(campaign=make_campaign(incident))
    CampaignMessage.objects.update(state="sent")
    return list(CampaignMessage.objects.order_by("id"))


def dsn(message_id: str, *, status: str = "5.1.1", action: str = "failed", rcpt: str = "person0@example.com") -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example\r\nTo: care@sportovia.example\r\nSubject: Undelivered Mail\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {rcpt}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {message_id}\r\nSubject: We are sorry\r\n\r\n"
        "--B--\r\n"
    ).encode()


def arf(message_id: str) -> bytes:
    return (
        "From: fbl@provider.example\r\nTo: care@sportovia.example\r\nSubject: Complaint\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nA complaint about a message.\r\n"
        "--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: fbl/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: person1@example.com\r\n\r\n"
        "--F\r\nContent-Type: message/rfc822\r\n\r\n"
        f"Message-ID: {message_id}\r\nSubject: We are sorry\r\nFrom: care@sportovia.example\r\n\r\nbody\r\n"
        "--F--\r\n"
    ).encode()


def _mid(message: CampaignMessage) -> str:
    return f"<{message.public_id}@sportovia.example>"


def test_a_hard_bounce_marks_the_message_bounced_and_suppresses_the_address():
    first, _second = _sent()
    assert _receive(dsn(_mid(first)), "MAILER-DAEMON@mx.example").startswith("250")
    first.refresh_from_db()
    assert first.state == "bounced" and "5.1.1" in first.last_error
    assert Suppression.objects.get(address=first.recipient).reason == "hard_bounce"
    assert not Case.objects.exists()


def test_a_soft_bounce_is_recorded_only():
    first, _second = _sent()
    report = mail_report_receive(raw=dsn(_mid(first), status="4.2.2", action="delayed"))
    assert report is not None and report.kind == "delay" and report.status == "4.2.2"
    first.refresh_from_db()
    assert first.state == "sent" and not Suppression.objects.exists()


def test_a_bounce_for_an_unknown_message_is_recorded_and_dropped_without_a_case():
    _sent()
    answer = _receive(dsn("<0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b11@elsewhere.example>"), "MAILER-DAEMON@mx.example")
    assert answer.startswith("250")
    report = MailReport.objects.get()
    assert report.campaign_message is None and report.kind == "bounce"
    assert not Suppression.objects.exists() and not Case.objects.exists()
    assert set(CampaignMessage.objects.values_list("state", flat=True)) == {"sent"}


def test_an_abuse_report_suppresses_the_address_as_complained():
    _first, second = _sent()
    assert _receive(arf(_mid(second)), "fbl@provider.example").startswith("250")
    assert Suppression.objects.get(address=second.recipient).reason == "complained"
    assert not Case.objects.exists()


def test_ordinary_mail_is_not_a_report():
    raw = b"From: olga@example.com\r\nTo: care@sportovia.example\r\nSubject: Hi\r\n\r\nMy order is late.\r\n"
    assert mail_report_receive(raw=raw) is None


def test_a_mail_to_the_unsubscribe_address_suppresses_only_with_a_valid_signature():
    first, _second = _sent()
    address = letters.unsubscribe_mailto(first.public_id, first.campaign.incident.brand)
    to = address.removeprefix("mailto:").split("?")[0]
    forged = to.replace(letters.signature(first.public_id), "A" * 22)
    assert mail_report_receive(raw=f"From: x@example.com\r\nTo: {forged}\r\n\r\nunsubscribe\r\n".encode()) is None
    assert mail_report_receive(raw=f"From: x@example.com\r\nTo: {to}\r\n\r\nunsubscribe\r\n".encode()) is not None
    assert Suppression.objects.get(address=first.recipient).reason == "unsubscribed"


def test_one_click_unsubscribe_posts_without_a_token_and_the_page_confirms():
    first, _second = _sent()
    url = letters.unsubscribe_url(first.public_id).removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and first.recipient in page.content.decode()
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Suppression.objects.get(address=first.recipient).reason == "unsubscribed"
    assert client.post(url.replace(letters.signature(first.public_id), "forged-signature")).status_code == 404


def test_the_status_link_shows_the_customers_own_code():
    first, _second = _sent()
    url = letters.status_url(first.public_id).removeprefix("http://127.0.0.1:8000")
    page = Client().get(url, follow=True)  # the link is swapped for a session on the customer's own page
    assert page.status_code == 200
    from amends.remedies import codes

    assert codes.group(first.code or "") in page.content.decode()
    assert Client().get(url[:-3] + "xx/").status_code == 404
