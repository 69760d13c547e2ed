from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.core.exceptions import ValidationError

from amends.cases.models import Case, Message
from amends.cases.services import case_reply
from amends.intake.mail import UnreadableMail, parse
from amends.intake.services import email_receive
from amends.intake.tests.helpers import mail, receive
from amends.outbox.models import OutboxMessage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_legacy_cyrillic_charsets_are_decoded(charset):
    part = MIMEText("Здравствуйте! Мне прислали не ту куртку.", "plain", charset)
    part["From"], part["Subject"] = "ivan@example.ru", "=?koi8-r?b?" + "0KLQtdC80LA=" + "?="
    parsed = parse(part.as_bytes())
    assert parsed.body == "Здравствуйте! Мне прислали не ту куртку."
    assert parsed.sender == "ivan@example.ru"


def test_html_only_mail_becomes_safe_text():
    part = MIMEText("<p>Добър ден,</p><p>обувките са <b>скъсани</b>.</p><script>steal()</script>", "html", "utf-8")
    part["From"] = "maria@example.bg"
    body = parse(part.as_bytes()).body
    assert body == "Добър ден,\nобувките са скъсани."  # paragraphs kept, tags and the script's code gone


def test_multipart_prefers_plain_text_and_keeps_attachments():
    outer = MIMEMultipart("mixed")
    outer["From"] = "Ana <ana@example.rs>"
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("Đon se odlepio.", "plain", "utf-8"))
    alternative.attach(MIMEText("<p>HTML version</p>", "html", "utf-8"))
    outer.attach(alternative)
    from email.mime.image import MIMEImage

    image = MIMEImage(PNG, "png")
    image.add_header("Content-Disposition", "attachment", filename="đon.png")
    outer.attach(image)
    parsed = parse(outer.as_bytes())
    assert parsed.body == "Đon se odlepio." and parsed.sender_name == "Ana"
    assert [(a.name, a.content) for a in parsed.attachments] == [("đon.png", PNG)]


def test_mail_without_a_sender_is_unreadable():
    with pytest.raises(UnreadableMail):
        parse(b"Subject: hi\r\n\r\nno sender here")


def test_quoted_history_is_dropped_from_a_reply():
    parsed = parse(mail("Still broken.\n\nOn Mon, 1 Jan Care wrote:\n> Dear Ján,\n> sorry", In_Reply_To="<x@y>"))
    assert parsed.body == "Still broken."


@pytest.mark.django_db
def test_a_new_mail_opens_a_case_in_the_email_channel():
    case = receive(mail(Content_Language="sk"))
    assert case.channel == "email" and case.subject == "Zásielka" and case.language == "sk"
    assert case.customer.email == "jan@example.sk" and case.customer.name == "Ján"
    assert case.messages.get().email_message_id == "<m1@example.sk>"


@pytest.mark.django_db
def test_the_same_mail_delivered_twice_is_one_message():
    first = receive(mail())
    second = receive(mail())
    assert first.pk == second.pk and Message.objects.count() == 1


@pytest.mark.django_db
def test_a_reply_to_our_acknowledgement_threads_into_the_case():
    case = receive(mail())
    ack_id = OutboxMessage.objects.get(case=case).headers["Message-ID"]
    again = receive(mail("Any news?", message_id="<m2@example.sk>", In_Reply_To=ack_id, subject="Re: x"))
    assert again.pk == case.pk and Case.objects.count() == 1
    assert list(case.messages.values_list("body", flat=True)) == ["Zdravím, topánky neprišli.", "Any news?"]


@pytest.mark.django_db
def test_a_reply_to_an_agent_answer_threads_into_the_case(agent):
    case = receive(mail())
    reply = case_reply(case=case, actor=agent, body="Prepáčte, posielame nové.")
    again = receive(mail("Ďakujem", message_id="<m3@example.sk>", References=f"<a@b> {reply.email_message_id}"))
    assert again.pk == case.pk


@pytest.mark.django_db
def test_the_reference_in_the_subject_threads_only_for_the_same_customer():
    case = receive(mail())
    same = receive(mail("More", message_id="<m4@example.sk>", subject=f"Re: [{case.reference}] Zásielka"))
    stranger = receive(
        mail("Hijack", sender="eve@example.com", message_id="<m5@example.sk>", subject=f"[{case.reference}]"),
        mail_from="eve@example.com",
    )
    assert same.pk == case.pk and stranger.pk != case.pk


@pytest.mark.django_db
def test_an_executable_attachment_refuses_the_whole_mail():
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "jan@example.sk", "photo"
    msg.set_content("See photo")
    msg.add_attachment(b"\x7fELF\x02\x01\x01" + b"\x00" * 64, maintype="image", subtype="jpeg", filename="photo.jpg")
    with pytest.raises(ValidationError, match=r"photo\.jpg"):
        receive(bytes(msg))
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_an_empty_mail_is_refused():
    with pytest.raises(ValidationError):
        receive(mail("   "))


RAW_SURROGATE = b"\xed\xa0\x80"  # U+D800 as UTF-8 would spell it: no valid UTF-8 decoder accepts it


def raw_mail(
    *,
    body: bytes,
    subject: bytes = b"Z\xc3\xa1sielka",
    sender: bytes = b"Jan <jan@example.sk>",
    more: dict | None = None,
) -> bytes:
    headers = {b"From": sender, b"Subject": subject, b"Message-ID": b"<m9@example.sk>", **(more or {})}
    head = b"".join(k + b": " + v + b"\r\n" for k, v in headers.items())
    return (
        head
        + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body
        + b"\r\n"
    )


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_in_a_mail_become_replacement_characters_never_a_lone_surrogate():
    from amends.core.text import invalid_character

    case = email_receive(
        raw=raw_mail(
            body=b"Top\xc3\xa1nky " + RAW_SURROGATE + b" nepri\xc5\xa1li.\x00",
            subject=b"Z\xc3\xa1sielka " + RAW_SURROGATE,
            sender=b"J" + RAW_SURROGATE + b"n <jan@example.sk>",
        ),
        mail_from="jan@example.sk",
    )
    texts = [case.description, case.subject, case.customer.name, *case.messages.values_list("body", flat=True)]
    assert all(invalid_character(text) is None for text in texts), texts
    assert "\ufffd" in case.description and case.description.startswith("Topánky")


@pytest.mark.django_db
def test_a_nul_in_the_addresses_or_ids_of_a_mail_is_bounced_or_ignored_not_looked_up():
    with pytest.raises(UnreadableMail):
        email_receive(raw=raw_mail(body=b"Hello", sender=b"<jan\x00@example.sk>"), mail_from="jan@example.sk")
    case = email_receive(
        raw=raw_mail(body=b"Hello", more={b"Message-ID": b"<a\x00b@x>", b"In-Reply-To": b"<c\x00d@x>"}),
        mail_from="jan@example.sk",
    )
    assert case.messages.get().email_message_id is None
    assert not Case.objects.exclude(pk=case.pk).exists()
