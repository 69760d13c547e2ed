"""A batch's letters, rendered once per language and put together per customer, are the letters rendered one by
one; and the bytes built for the mail server say what Django's EmailMessage would."""

import uuid
from email import message_from_bytes, policy

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from amends.campaigns import letters, wire
from amends.campaigns.batch_letters import BatchLetters
from amends.campaigns.services import campaign_remedy
from amends.replies.models import ReplyTemplate

from .factories import make_campaign, make_incident

pytestmark = pytest.mark.django_db

CUSTOMERS = [
    ("Ольга", "ru", "A-1"),
    ("", "bg", ""),
    ("olga@example.com", "sr", "B 2  spaced"),  # an address is not a name: greeted neutrally
    ("Ján {customer_name} Novák", "sk", "{order_reference}"),  # braces are text, not variables
    ("Zoë\ue000N\ue001", "sr-latn", "C-3"),  # the stand-ins' own characters in a value
    ("Peter", "xx", "D-4"),  # a language without a template: the fallback
    ("Peter", "en", "E-5"),
]


def _batch() -> tuple[BatchLetters, dict]:
    incident = make_incident()
    campaign = make_campaign(incident)
    templates = letters.templates_now()
    shared = {"incident": incident, "brand": incident.brand, "remedy": campaign_remedy(campaign)}
    return BatchLetters(templates=templates, **shared), {**shared, "templates": templates}


def test_every_letter_of_a_batch_is_the_letter_rendered_on_its_own():
    batch, shared = _batch()
    for _round in range(2):  # the first of each kind is checked against a full render; the rest are put together
        for name, language, order in CUSTOMERS:
            values = {
                "public_id": uuid.uuid4(),
                "recipient": f"{uuid.uuid4().hex[:8]}@example.com",
                "name": name,
                "language": language,
                "order_reference": order,
                "code": "K7QM3XPA9TRDW2XY",
            }
            assert batch.letter(**values) == letters.letter(**values, **shared)


def test_the_shipped_templates_are_put_together_not_rendered_one_by_one(monkeypatch: pytest.MonkeyPatch):
    # Every link and value of a letter has a stand-in: a new per-customer value (a second signed link came with
    # the portal's status page) that has none turns each letter back into a full rendering, correct but slow.
    batch, _shared = _batch()
    for name, language, order in CUSTOMERS:
        batch.letter(
            public_id=uuid.uuid4(),
            recipient="a@example.com",
            name=name,
            language=language,
            order_reference=order,
            code="K7QM3XPA9TRDW2XY",
        )
    rendered = []
    monkeypatch.setattr(letters, "letter", lambda **kwargs: rendered.append(kwargs))
    for name, language, order in CUSTOMERS:
        made = batch.letter(
            public_id=uuid.uuid4(),
            recipient="b@example.com",
            name=name,
            language=language,
            order_reference=order,
            code="K7QM3XPA9TRDW2XY",
        )
        assert made.recipient == "b@example.com"
    assert rendered == []


def test_a_template_the_stand_ins_cannot_follow_is_rendered_in_full():
    ReplyTemplate.objects.update_or_create(
        purpose=letters.PURPOSE,
        language="en",
        category=None,
        defaults={
            "subject": "Sorry, {customer_name}",
            "body": "Dear {customer_name},\n{remedy_options}\n{status_link}",
            "updated_at": timezone.now(),
        },
    )
    batch, shared = _batch()
    long_name = "Peter " + "x" * 400  # past the subject's cut: the stand-in would be cut elsewhere
    for name in (long_name, "Anna", long_name):
        values = {
            "public_id": uuid.uuid4(),
            "recipient": "a@example.com",
            "name": name,
            "language": "en",
            "order_reference": "",
            "code": "K7QM3XPA9TRDW2XY",
        }
        assert batch.letter(**values) == letters.letter(**values, **shared)


def _django(mail: letters.Letter) -> bytes:
    email = EmailMessage(
        subject=mail.subject, body=mail.body, from_email=mail.sender, to=[mail.recipient], headers=mail.headers
    )
    return email.message(policy=policy.SMTP).as_bytes()


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("We are sorry", "Dear Peter,\nplain ASCII.\n"),
        ("Мы просим прощения, Ольга: " + "очень " * 20, "Здравствуйте, Ольга!\n" + "Текст. " * 300 + "\n.\n"),
        ("Omlouváme se", "Milá Zoë,\n" + "x" * 1200 + "\n"),
    ],
)
def test_the_bytes_for_the_server_read_as_django_would_write_them(subject: str, body: str):
    mail = letters.Letter(
        sender="=?utf-8?b?0KHQv9C+0YDRgg==?= <care@sportovia.example>",
        recipient="olga@example.com",
        subject=subject,
        body=body,
        headers={"Message-ID": "<1@sportovia.example>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    raw = wire.mime(
        sender=mail.sender, recipient=mail.recipient, subject=mail.subject, body=mail.body, headers=mail.headers
    )
    assert raw is not None and all(len(line) <= 998 for line in raw.split(b"\r\n"))
    ours, theirs = (message_from_bytes(data, policy=policy.default) for data in (raw, _django(mail)))
    for header in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe-Post", "Content-Type"):
        assert str(ours[header]) == str(theirs[header])
    assert ours.get_content() == theirs.get_content()


def test_what_the_bytes_cannot_carry_is_left_to_the_email_package():
    base = {"sender": "S <s@example.com>", "subject": "Hi", "body": "x", "headers": {"Message-ID": "<1@x>"}}
    assert wire.mime(recipient="olga@пример.рф", **base) is None  # type: ignore[arg-type]
    assert wire.mime(recipient="a@example.com", **{**base, "subject": "Hi\r\nBcc: x@y"}) is None  # type: ignore[arg-type]
    assert wire.mime(recipient="a@example.com", **{**base, "headers": {"X-A": "1\r\nBcc: x@y"}}) is None  # type: ignore[arg-type]
