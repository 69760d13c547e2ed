"""Who may write into a case by e-mail: only its customer, however the mail points at the case."""

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from django.test import Client

from amends.cases.models import Case, CaseEvent, Message
from amends.cases.services import case_reply
from amends.intake.mail import (
    RefusedMail,
    authentication_verdicts,
    dmarc_passed,
    parse,
    parse_authentication_results,
    same_address,
)
from amends.intake.tests.helpers import mail, receive, with_headers
from amends.outbox.models import OutboxMessage
from amends.portal.services import status_link_create

STRANGER_TEXT = "Please send the refund to my new account instead, thanks."
OURS = "mx.shop.example"


def set_from(raw: bytes, value: str) -> bytes:
    """Replace the From field of a mail built by `mail()` with a raw value, byte for byte."""
    head, _, body = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.startswith(b"From:")]
    return b"\n".join([f"From: {value}".encode(), *lines]) + b"\n\n" + body


def status_page(case: Case) -> str:
    _link, url = status_link_create(case=case)
    client = Client()
    location = client.get(url.replace("http://127.0.0.1:8000", ""))["Location"]
    return client.get(location).content.decode()


@pytest.fixture
def victim(db, agent) -> dict:  # type: ignore[no-untyped-def]
    """Ján's case: his first mail, our acknowledgement and an agent's answer, each with its Message-ID."""
    case = receive(mail())
    reply = case_reply(case=case, actor=agent, body="Prepáčte, posielame nové.")
    return {
        "case": case,
        "customer_mail": "<m1@example.sk>",
        "ack": OutboxMessage.objects.get(case=case, dedupe_key__startswith="ack:").headers["Message-ID"],
        "reply": reply.email_message_id,
    }


def untouched(victim: dict) -> None:
    case = victim["case"]
    bodies = list(case.messages.values_list("body", flat=True))
    assert bodies == ["Zdravím, topánky neprišli.", "Prepáčte, posielame nové."]
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_MESSAGE).exists()
    page = status_page(case)
    assert "Zdravím, topánky neprišli." in page and STRANGER_TEXT not in page


EVE = "Eve <eve@evil.test>"
ATTACKS: dict[str, Callable[[dict], bytes]] = {
    "in-reply-to the customer's mail": lambda v: mail(
        STRANGER_TEXT, sender=EVE, message_id="<e1@evil.test>", In_Reply_To=v["customer_mail"]
    ),
    "in-reply-to our acknowledgement": lambda v: mail(
        STRANGER_TEXT, sender=EVE, message_id="<e1@evil.test>", In_Reply_To=v["ack"]
    ),
    "in-reply-to the agent's answer": lambda v: mail(
        STRANGER_TEXT, sender=EVE, message_id="<e1@evil.test>", In_Reply_To=v["reply"]
    ),
    "a References chain of the case": lambda v: mail(
        STRANGER_TEXT,
        sender=EVE,
        message_id="<e1@evil.test>",
        References=f"{v['customer_mail']} {v['ack']} {v['reply']}",
    ),
    "Reply-To set to the customer": lambda v: mail(
        STRANGER_TEXT,
        sender=EVE,
        message_id="<e1@evil.test>",
        subject=f"Re: [{v['case'].reference}] Zásielka",
        In_Reply_To=v["ack"],
        Reply_To="Ján <jan@example.sk>",
    ),
    "the reference in the subject": lambda v: mail(
        STRANGER_TEXT, sender=EVE, message_id="<e1@evil.test>", subject=f"Re: [{v['case'].reference}] Zásielka"
    ),
    "the customer's Message-ID re-sent": lambda v: mail(
        STRANGER_TEXT, sender=EVE, message_id=v["customer_mail"], In_Reply_To=v["ack"]
    ),
    "our acknowledgement's Message-ID as its own": lambda v: mail(STRANGER_TEXT, sender=EVE, message_id=v["ack"]),
    "the customer's address as the display name": lambda v: set_from(
        mail(STRANGER_TEXT, message_id="<e1@evil.test>", In_Reply_To=v["ack"]),
        '"jan@example.sk" <eve@evil.test>',
    ),
    "the customer's address inside an encoded display name": lambda v: set_from(
        mail(STRANGER_TEXT, message_id="<e1@evil.test>", In_Reply_To=v["ack"]),
        "=?utf-8?q?J=C3=A1n_=3Cjan@example.sk=3E?= <eve@evil.test>",
    ),
    "the customer's address as a comment": lambda v: set_from(
        mail(STRANGER_TEXT, message_id="<e1@evil.test>", In_Reply_To=v["ack"]),
        "eve@evil.test (jan@example.sk)",
    ),
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_stranger_cannot_write_into_a_customers_case(victim, attack):
    taken = receive(attack(victim), mail_from="eve@evil.test")
    assert taken.pk != victim["case"].pk
    assert taken.customer.email == "eve@evil.test" and taken.description == STRANGER_TEXT
    untouched(victim)


def test_a_look_alike_address_is_another_sender(victim):
    raw = mail(STRANGER_TEXT, sender="jan@example.sk.evil.test", message_id="<e1@evil.test>", In_Reply_To=victim["ack"])
    assert receive(raw, mail_from="jan@example.sk.evil.test").pk != victim["case"].pk
    untouched(victim)


def test_a_known_message_id_from_a_stranger_is_not_recorded_again(victim):
    taken = receive(ATTACKS["the customer's Message-ID re-sent"](victim), mail_from="eve@evil.test")
    assert taken.messages.get().email_message_id is None
    assert Message.objects.get(email_message_id=victim["customer_mail"]).case_id == victim["case"].pk
    ack = OutboxMessage.objects.get(case=taken, dedupe_key__startswith="ack:")
    assert ack.recipient == "eve@evil.test" and victim["customer_mail"] not in ack.headers.values()


@pytest.mark.parametrize(
    "from_value",
    [
        "jan@example.sk <eve@evil.test>",
        "<jan@example.sk>eve@evil.test",
        "eve@evil.test, jan@example.sk",
        "Friends: jan@example.sk;",
        "",
    ],
)
def test_a_from_that_does_not_name_one_sender_clearly_is_refused(victim, from_value):
    raw = set_from(mail(STRANGER_TEXT, message_id="<e1@evil.test>", In_Reply_To=victim["ack"]), from_value)
    with pytest.raises(RefusedMail):
        receive(raw, mail_from="eve@evil.test")
    assert Case.objects.count() == 1
    untouched(victim)


@pytest.mark.parametrize("order", [("eve@evil.test", "jan@example.sk"), ("jan@example.sk", "eve@evil.test")])
def test_a_mail_with_two_from_fields_is_refused(victim, order):
    raw = set_from(mail(STRANGER_TEXT, message_id="<e1@evil.test>", In_Reply_To=victim["ack"]), order[0])
    with pytest.raises(RefusedMail, match="more than one From"):
        receive(f"From: {order[1]}\n".encode() + raw, mail_from="eve@evil.test")
    untouched(victim)


def test_a_mail_without_from_is_not_taken_for_its_reply_to(victim):
    raw = set_from(mail(STRANGER_TEXT, Reply_To="jan@example.sk", In_Reply_To=victim["ack"]), "x").replace(
        b"From: x\n", b""
    )
    with pytest.raises(RefusedMail, match="no sender"):
        receive(raw)
    untouched(victim)


@pytest.mark.parametrize("null", ["", "<>"])
def test_a_mail_with_an_empty_envelope_sender_is_refused(victim, null):
    with pytest.raises(RefusedMail, match="envelope"):
        receive(
            mail("Automatic reply: I am away", message_id="<m9@example.sk>", In_Reply_To=victim["ack"]), mail_from=null
        )
    assert victim["case"].messages.count() == 2 and Case.objects.count() == 1


REPLIES: dict[str, Callable[[dict], dict]] = {
    "in-reply-to his own mail": lambda v: {"In_Reply_To": v["customer_mail"]},
    "in-reply-to our acknowledgement": lambda v: {"In_Reply_To": v["ack"]},
    "in-reply-to the agent's answer": lambda v: {"In_Reply_To": v["reply"]},
    "a References chain": lambda v: {"References": f"{v['customer_mail']} {v['reply']}"},
    "the reference in the subject": lambda v: {"subject": f"RE: [{v['case'].reference.lower()}] Zásielka"},
}


@pytest.mark.parametrize("how", REPLIES.values(), ids=REPLIES.keys())
@pytest.mark.parametrize(
    ("sender", "mail_from"),
    [
        ("Ján <jan@example.sk>", "jan@example.sk"),
        ('"Novák, Ján" <JAN@Example.SK>', "JAN@EXAMPLE.SK"),
        # A forwarder (SRS) or a send-as alias: the envelope differs from From, which stays the sender.
        ("jan@example.sk", "SRS0=ab=cd=example.sk=jan@forwarder.test"),
    ],
    ids=["plain", "other-case", "forwarded"],
)
def test_the_customers_own_reply_threads_into_the_case(victim, how, sender, mail_from):
    fields = {"subject": "Re: Zásielka", **how(victim)}
    raw = mail("Ešte stále nič.", sender=sender, message_id="<m2@example.sk>", **fields)
    assert receive(raw, mail_from=mail_from).pk == victim["case"].pk
    assert victim["case"].messages.last().body == "Ešte stále nič."
    assert Case.objects.count() == 1


def test_a_reply_naming_another_customers_case_first_still_finds_the_senders_own(victim):
    own = receive(mail("Iná vec", sender="eve@evil.test", message_id="<e0@evil.test>"), mail_from="eve@evil.test")
    own_ack = OutboxMessage.objects.get(case=own, dedupe_key__startswith="ack:").headers["Message-ID"]
    raw = mail(
        STRANGER_TEXT,
        sender="eve@evil.test",
        message_id="<e1@evil.test>",
        In_Reply_To=victim["ack"],
        References=f"{own_ack} {victim['customer_mail']}",
    )
    assert receive(raw, mail_from="eve@evil.test").pk == own.pk
    untouched(victim)


def test_the_same_mail_delivered_twice_by_its_sender_is_one_message(victim):
    raw = mail("Ešte stále nič.", message_id="<m2@example.sk>", In_Reply_To=victim["ack"])
    assert receive(raw).pk == receive(raw).pk == victim["case"].pk
    assert victim["case"].messages.filter(body="Ešte stále nič.").count() == 1


def test_the_receiving_systems_verdicts_and_the_envelope_are_recorded(victim, settings):
    settings.MAIL_AUTHSERV_IDS = [OURS]
    raw = with_headers(
        mail("Ešte stále nič.", message_id="<m2@example.sk>", In_Reply_To=victim["ack"]),
        f"Authentication-Results: {OURS}; spf=pass smtp.mailfrom=example.sk; dkim=pass header.d=example.sk;"
        " dmarc=pass header.from=example.sk",
    )
    receive(raw, mail_from="bounces+x@example.sk")
    assert Message.objects.get(email_message_id="<m2@example.sk>").email_authentication == {
        "authserv_id": OURS,
        "spf": "pass",
        "dkim": "pass",
        "dmarc": "pass",
        "dmarc_from": "example.sk",
        "mail_from": "bounces+x@example.sk",
    }


def test_a_new_cases_first_message_records_the_verdicts(db, settings):
    settings.MAIL_AUTHSERV_IDS = [OURS]
    case = receive(with_headers(mail(), f"Authentication-Results: {OURS}; dmarc=fail header.from=example.sk"))
    assert case.messages.get().email_authentication == {
        "authserv_id": OURS,
        "dmarc": "fail",
        "dmarc_from": "example.sk",
        "mail_from": "jan@example.sk",
    }


def test_the_verdicts_are_not_shown_to_the_customer(victim, settings):
    settings.MAIL_AUTHSERV_IDS = [OURS]
    raw = with_headers(
        mail("Ešte stále nič.", message_id="<m2@example.sk>", In_Reply_To=victim["ack"]),
        f"Authentication-Results: {OURS}; spf=softfail smtp.mailfrom=example.sk; dmarc=none header.from=example.sk",
    )
    receive(raw, mail_from="jan@example.sk")
    page = status_page(victim["case"])
    assert "Ešte stále nič." in page and "softfail" not in page and OURS not in page


# With AMENDS_MAIL_REQUIRE_DMARC: the From must be vouched for by our own mail system's DMARC pass.


@pytest.fixture
def require_dmarc(settings):  # type: ignore[no-untyped-def]
    settings.MAIL_AUTHSERV_IDS = [OURS, "mx2.shop.example"]
    settings.MAIL_REQUIRE_DMARC = True
    return settings


def reply_with(victim: dict, *results: str) -> bytes:
    raw = mail("Ešte stále nič.", message_id="<m2@example.sk>", In_Reply_To=victim["ack"])
    return with_headers(raw, *(f"Authentication-Results: {value}" for value in results))


def test_with_dmarc_required_a_passing_reply_threads(victim, require_dmarc):
    raw = reply_with(victim, "MX2.shop.example; dmarc=pass (p=reject) header.from=example.sk")
    assert receive(raw).pk == victim["case"].pk


@pytest.mark.parametrize(
    "results",
    [
        [f"{OURS}; dmarc=fail header.from=example.sk"],
        [f"{OURS}; dmarc=none header.from=example.sk"],
        [f"{OURS}; spf=pass smtp.mailfrom=example.sk; dkim=pass header.d=example.sk"],
        [],
        # Forged further down, under another server's name: ignored.
        ["mail.evil.test; dmarc=pass header.from=example.sk"],
        [f"{OURS}.evil.test; dmarc=pass header.from=example.sk"],
        # Forged under our name below our own field: our own (topmost) verdict stands.
        [f"{OURS}; dmarc=fail header.from=example.sk", f"{OURS}; dmarc=pass header.from=example.sk"],
        # A pass for another From domain than the one the mail shows.
        [f"{OURS}; dmarc=pass header.from=evil.test"],
    ],
    ids=["fail", "none", "no-dmarc", "no-field", "foreign", "look-alike-id", "forged-below", "other-domain"],
)
def test_with_dmarc_required_a_reply_without_a_trusted_pass_opens_a_new_case(victim, require_dmarc, results):
    taken = receive(reply_with(victim, *results))
    assert taken.pk != victim["case"].pk and taken.customer_id == victim["case"].customer_id
    assert victim["case"].messages.count() == 2


def test_with_dmarc_required_the_subject_reference_does_not_thread_a_failing_mail(victim, require_dmarc):
    raw = with_headers(
        mail("Ešte stále nič.", message_id="<m2@example.sk>", subject=f"Re: [{victim['case'].reference}]"),
        f"Authentication-Results: {OURS}; dmarc=fail header.from=example.sk",
    )
    assert receive(raw).pk != victim["case"].pk


def test_without_dmarc_required_a_failing_reply_from_the_customer_still_threads(victim, settings):
    settings.MAIL_AUTHSERV_IDS = [OURS]
    raw = reply_with(victim, f"{OURS}; dmarc=fail header.from=example.sk")
    assert receive(raw).pk == victim["case"].pk
    assert Message.objects.get(email_message_id="<m2@example.sk>").email_authentication["dmarc"] == "fail"


def test_dmarc_required_without_an_authserv_id_stops_the_start():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_MAIL_")}
    environ["AMENDS_MAIL_REQUIRE_DMARC"] = "on"
    done = subprocess.run(
        [sys.executable, "-c", "import amends.settings"], env=environ, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "AMENDS_MAIL_AUTHSERV_ID" in done.stderr


# The pure parts: reading Authentication-Results and comparing addresses.


def test_it_reads_an_authentication_results_field_with_comments_and_quotes():
    authserv_id, results = parse_authentication_results(
        "mx.shop.example 1; spf=pass (sender IP is 192.0.2.1; ok) smtp.mailfrom=example.sk;"
        ' dkim=pass reason="good; signature" header.d=example.sk; dmarc=pass (p=reject dis=none) header.from=example.sk'
    )
    assert authserv_id == "mx.shop.example"
    assert results == [
        ("spf", "pass", {"smtp.mailfrom": "example.sk"}),
        ("dkim", "pass", {"reason": "good; signature", "header.d": "example.sk"}),
        ("dmarc", "pass", {"header.from": "example.sk"}),
    ]


def test_it_counts_only_fields_of_the_configured_servers():
    fields = [
        "evil.test; dmarc=pass header.from=example.sk",
        f"{OURS}; none",
        f"{OURS.upper()}; dkim=fail header.d=x.test; dkim=pass header.d=example.sk; dmarc=fail",
        f"{OURS}; dmarc=pass header.from=example.sk; spf=pass",
    ]
    assert authentication_verdicts(fields, authserv_ids=[OURS]) == {
        "authserv_id": OURS,
        "dkim": "pass",
        "dmarc": "fail",
        "spf": "pass",
    }
    assert authentication_verdicts(fields, authserv_ids=[]) == {}


def test_dmarc_passes_only_for_the_from_domain_it_judged():
    assert dmarc_passed({"dmarc": "pass", "dmarc_from": "example.sk"}, sender="jan@EXAMPLE.sk")
    assert dmarc_passed({"dmarc": "pass"}, sender="jan@example.sk")
    assert not dmarc_passed({"dmarc": "pass", "dmarc_from": "evil.test"}, sender="jan@example.sk")
    assert not dmarc_passed({"dmarc": "fail", "dmarc_from": "example.sk"}, sender="jan@example.sk")
    assert not dmarc_passed({}, sender="jan@example.sk")


def test_addresses_compare_without_case_and_in_either_form_of_an_international_domain():
    assert same_address("Jan@Example.SK", "jan@example.sk")
    assert same_address("jan@exämple.sk", "JAN@xn--exmple-cua.sk")
    assert not same_address("jan+x@example.sk", "jan@example.sk")
    assert not same_address("jan@example.sk.evil.test", "jan@example.sk")
    assert not same_address("", "")


def test_the_sender_is_from_not_reply_to():
    parsed = parse(mail(sender="Eve <EVE@Evil.test>", Reply_To="jan@example.sk"))
    assert (parsed.sender, parsed.sender_name) == ("eve@evil.test", "Eve")


def test_an_smtputf8_sender_is_read_as_utf8():
    raw = "From: Ján <ján@exämple.sk>\r\nSubject: x\r\n\r\nBody\r\n".encode()
    parsed = parse(raw)
    assert (parsed.sender, parsed.sender_name) == ("ján@exämple.sk", "Ján")


def test_only_the_nearest_fifty_message_ids_are_read():
    references = " ".join(f"<r{n}@example.sk>" for n in range(500))
    parsed = parse(mail(In_Reply_To="<irt@example.sk>", References=references))
    assert parsed.thread_ids[:3] == ["<irt@example.sk>", "<r499@example.sk>", "<r498@example.sk>"]
    assert len(parsed.thread_ids) == 50
