"""The e-mail a reply goes out as: threaded under the customer's own mail, a clean subject with the case tag once,
the status link, and a greeting that never greets an e-mail address."""

import re

import pytest

from amends.cases.intake import IntakeRequest, case_open
from amends.cases.services import case_add_customer_message, case_reply
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.portal.services import status_link_redeem
from amends.replies.models import ReplyTemplate
from amends.replies.services import template_render, template_values

pytestmark = pytest.mark.django_db
REPLY = "Простите нас, это наша ошибка. Правильная пара уже в пути."


def reply_mail(case, agent) -> OutboxMessage:  # type: ignore[no-untyped-def]
    message = case_reply(case=case, actor=agent, body=REPLY)
    return next(
        m
        for m in OutboxMessage.objects.filter(case_id=case.pk)
        if m.headers.get("Message-ID") == message.email_message_id
    )


def test_a_reply_threads_under_the_customers_last_mail_and_names_the_conversation(agent):
    opened = case_open(
        request=IntakeRequest(
            email="olga@example.com", name="Ольга", language="ru", description="Не тот размер.", channel="email"
        ),
        email_message_id="<first@customer.example>",
    )
    case = opened.case
    first = reply_mail(case, agent)
    assert first.headers["In-Reply-To"] == "<first@customer.example>"
    assert first.headers["References"] == "<first@customer.example>"
    case_add_customer_message(
        case=case, body="Так и не пришло.", channel="email", email_message_id="<second@customer.example>"
    )
    second = reply_mail(case, agent)
    assert second.headers["In-Reply-To"] == "<second@customer.example>"
    assert second.headers["References"].split() == [
        "<first@customer.example>",
        first.headers["Message-ID"],
        "<second@customer.example>",
    ]


def test_a_reply_to_a_form_complaint_threads_under_our_own_last_mail(agent):
    case = open_case().case
    first = reply_mail(case, agent)
    assert "In-Reply-To" not in first.headers
    second = reply_mail(case, agent)
    assert second.headers["In-Reply-To"] == first.headers["Message-ID"] == second.headers["References"]


def test_a_reply_subject_has_the_case_tag_once_and_no_pile_of_reply_markers(agent):
    case = open_case().case
    case.subject = f"Re: Re: [{case.reference}] Re: Wrong size"
    case.save(update_fields=["subject"])
    assert reply_mail(case, agent).subject == f"[{case.reference}] Wrong size"


def test_a_reply_carries_a_working_status_link(agent):
    case = open_case().case
    mail = reply_mail(case, agent)
    assert mail.body.startswith(REPLY)
    token = re.search(r"/t/([^/\s]+)/", mail.body)
    assert token and case.reference in mail.body
    link = status_link_redeem(token=token.group(1))
    assert link is not None and link.case_id == case.pk


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Hello,"), ("ru", "Здравствуйте!"), ("bg", "Здравейте,"), ("sr", "Поштовани,"), ("sk", "Dobrý deň,")],
)
def test_a_customer_without_a_name_is_greeted_neutrally_never_by_an_email_fragment(language, greeting):
    opened = open_case(email="a@example.com", name="", language=language, description="Wrong size, wrong colour.")
    ack = OutboxMessage.objects.get(case_id=opened.case.pk, dedupe_key=f"ack:{opened.case.pk}")
    assert ack.body.splitlines()[0] == greeting, ack.body
    assert "Dear a," not in ack.body and ", a," not in ack.body and " a!" not in ack.body
    template = ReplyTemplate.objects.get(purpose="apology", language=language, category__isnull=True)
    _subject, body = template_render(template=template, values=template_values(case=opened.case))
    assert body.splitlines()[0] == greeting


def test_a_name_that_is_an_email_address_is_not_a_name():
    case = open_case(email="a@example.com", name="a@example.com", language="en").case
    assert template_values(case=case)["customer_name"] == ""


def test_a_customer_with_a_name_is_greeted_by_it():
    case = open_case(name="Olga Novak", language="en").case
    template = ReplyTemplate.objects.get(purpose="apology", language="en", category__isnull=True)
    assert template_render(template=template, values=template_values(case=case))[1].startswith("Dear Olga Novak,")
