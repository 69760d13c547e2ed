import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.cases.intake import IntakeRequest, Upload, case_open
from amends.cases.models import Attachment, Case, Message
from amends.conftest import open_case
from amends.customers.models import Customer
from amends.outbox.models import OutboxMessage
from amends.portal.models import StatusLink

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

pytestmark = pytest.mark.django_db


def nothing_stored():
    return not (
        Case.objects.exists()
        or Customer.objects.exists()
        or OutboxMessage.objects.exists()
        or Message.objects.exists()
        or Attachment.objects.exists()
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_complaint_is_stored_acknowledged_and_linked_in_one_call():
    opened = open_case(order_reference="SO-1", order_value="59.90", order_currency="eur", remedy_sought="Обмен")
    case = opened.case
    assert re.fullmatch(r"AM-\d{4}-\d{6,}", case.reference)
    assert case.status == "acknowledged"
    assert case.language == "ru"
    assert str(case.order_value) == "59.90" and case.order_currency == "EUR"
    assert case.messages.get().direction == "in"
    # A wrong size, low risk: the remedy policy priced it and offered its options with the acknowledgement.
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["opened", "acknowledged", "remedies_priced", "remedies_offered"]
    ack = OutboxMessage.objects.get(case=case)
    assert ack.recipient == "olga@example.com"
    assert case.reference in ack.subject and "Мы получили" in ack.subject
    assert opened.status_url in ack.body
    assert StatusLink.objects.filter(case=case).count() == 1
    # Only a hash of the token is stored.
    token = opened.status_url.rstrip("/").rsplit("/", 1)[-1]
    assert not StatusLink.objects.filter(token_hash=token).exists()


def test_references_are_sequential_and_unique():
    refs = [open_case(email=f"c{i}@example.com").case.reference for i in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_the_same_customer_is_found_again_by_email_in_any_case():
    first = open_case(email="Olga@Example.com").case
    second = open_case(email="olga@example.COM").case
    assert first.customer_id == second.customer_id


def test_it_rejects_an_empty_or_blank_story_and_stores_nothing():
    with pytest.raises(ValidationError) as excinfo:
        open_case(description="   \n\t ")
    assert "description" in errors_of(excinfo)
    assert nothing_stored()


def test_it_rejects_a_two_megabyte_story():
    with pytest.raises(ValidationError) as excinfo:
        open_case(description="ж" * 2_000_000)
    assert "too long" in errors_of(excinfo)["description"][0]
    assert nothing_stored()


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "x" * 250 + "@example.com", "a@b.c\r\nBcc: x@y.z"])
def test_it_rejects_an_invalid_email(email):
    with pytest.raises(ValidationError) as excinfo:
        open_case(email=email)
    assert "email" in errors_of(excinfo)
    assert nothing_stored()


def test_it_rejects_an_unknown_language_and_names_the_supported_ones():
    with pytest.raises(ValidationError) as excinfo:
        open_case(language="klingon")
    message = errors_of(excinfo)["language"][0]
    assert "klingon" in message and "sr-latn" in message


@pytest.mark.parametrize(
    ("raw", "expected"), [("sr-Latn", "sr-latn"), ("sr_Cyrl", "sr"), ("bg-BG", "bg"), ("SK", "sk")]
)
def test_it_accepts_bcp47_spellings_of_served_languages(raw, expected):
    assert open_case(language=raw).case.language == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("-5", "negative"),
        ("abc", "number"),
        ("1e400", "number"),
        ("12345678901", "10 digits"),
        ("NaN", "number"),
        ("12.345", "2 decimals"),
    ],
)
def test_it_rejects_a_bad_order_value(value, fragment):
    with pytest.raises(ValidationError) as excinfo:
        open_case(order_value=value, order_currency="EUR")
    assert fragment in errors_of(excinfo)["order_value"][0]
    assert nothing_stored()


def test_it_rejects_an_unknown_currency_and_a_value_without_currency():
    with pytest.raises(ValidationError) as excinfo:
        open_case(order_value="10", order_currency="XYZ")
    assert "XYZ" in errors_of(excinfo)["order_currency"][0]
    with pytest.raises(ValidationError) as excinfo:
        open_case(order_value="10")
    assert "currency" in errors_of(excinfo)["order_currency"][0]


def test_errors_come_in_the_callers_language():
    with translation.override("bg"), pytest.raises(ValidationError) as excinfo:
        open_case(description="")
    assert errors_of(excinfo)["description"][0] == "Моля, разкажете какво се случи: съобщението е празно."


def test_images_and_pdfs_are_kept_with_their_checked_type():
    case = open_case(uploads=[Upload(name="boot.png", content=PNG), Upload(name="invoice.pdf", content=PDF)]).case
    kinds = sorted(case.attachments.values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/png"]
    stored = case.attachments.get(content_type="image/png")
    assert stored.file.name.endswith(".png") and "boot" not in stored.file.name
    assert stored.file.read() == PNG


@pytest.mark.parametrize(
    ("name", "content"), [("photo.jpg", ELF), ("drawing.svg", SVG), ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 60)]
)
def test_it_rejects_files_that_are_not_images_or_pdf_whatever_their_name(name, content):
    with pytest.raises(ValidationError) as excinfo:
        open_case(uploads=[Upload(name=name, content=content)])
    assert name in errors_of(excinfo)["attachments"][0]
    assert nothing_stored()


def test_it_rejects_an_oversized_attachment():
    with pytest.raises(ValidationError) as excinfo:
        open_case(uploads=[Upload(name="big.png", content=PNG + b"\x00" * (10 * 1024 * 1024))])
    assert "too large" in errors_of(excinfo)["attachments"][0]
    assert nothing_stored()


def test_script_payloads_are_stored_exactly_as_typed():
    payload = '<script>alert("x")</script> javascript:alert(1)'
    case = open_case(description=payload, name=payload, subject=payload, remedy_sought=payload).case
    case.refresh_from_db()
    assert case.description == payload and case.subject == payload and case.customer.name == payload


def test_line_breaks_in_name_and_subject_cannot_reach_mail_headers():
    case = open_case(name="Olga\r\nBcc: victim@example.com", subject="Hi\r\nX-Evil: 1").case
    ack = OutboxMessage.objects.get(case=case)
    assert "\n" not in case.customer.name and "\r" not in case.subject
    assert all("\n" not in v and "\r" not in v for v in [ack.subject, ack.recipient, ack.sender, *ack.headers.values()])


def test_it_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as excinfo:
        case_open(
            request=IntakeRequest(email="nope", description="", language="xx", order_value="-1", order_currency="EUR")
        )
    assert {"email", "description", "language", "order_value"} <= set(errors_of(excinfo))


@pytest.mark.parametrize(
    "field", ["email", "description", "name", "subject", "external_id", "order_reference", "remedy_sought", "language"]
)
@pytest.mark.parametrize("character", ["\ud800", "\udc00", "\x00"])
def test_text_that_is_not_text_is_refused_by_name_on_every_channel(field, character):
    fields = {"email": "olga@example.com", "description": "Прислали не тот размер.", field: f"ab{character}cd"}
    with pytest.raises(ValidationError) as refused:
        case_open(request=IntakeRequest(**fields))
    assert list(refused.value.message_dict) == [field]
    assert f"U+{ord(character):04X}" in refused.value.message_dict[field][0]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("raw", "stored"), [("49,90", "49.90"), (" 49.9 ", "49.90"), ("0", "0.00"), (12, "12.00"), ("", None)]
)
def test_an_order_value_is_read_as_people_write_it(raw, stored):
    case = open_case(order_value=raw, order_currency="EUR").case
    assert (None if case.order_value is None else str(case.order_value)) == stored


@pytest.mark.parametrize("raw", ["49.999", "1e3", "1_000", "1.000,50", "-0", "12345678901", "٣"])
def test_an_order_value_that_is_not_an_amount_is_refused(raw):
    with pytest.raises(ValidationError) as refused:
        open_case(order_value=raw, order_currency="EUR")
    assert list(refused.value.message_dict) == ["order_value"]
    assert nothing_stored()
