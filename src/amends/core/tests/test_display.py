"""No internal value on screen: every event kind, status, priority, channel, language, triage value and signal is
shown as words, in the reader's language (core.display), on the console and the customer's pages."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from amends.accounts.models import User
from amends.cases.lifecycle import Priority, Status
from amends.cases.models import ActorKind, Case, CaseEvent, Channel
from amends.conftest import open_case
from amends.core import display
from amends.customers.models import Platform

# What each kind's data looks like as the services write it (cases.services, cases.intake, playbooks.services,
# portal.services, triage.views). A kind with no sample here is still rendered, with empty data.
EVENT_DATA: dict[str, dict] = {
    "opened": {"channel": "public_thread"},
    "acknowledged": {"from": "new", "to": "acknowledged"},
    "status_changed": {"from": "acknowledged", "to": "in_progress"},
    "reopened": {"from": "resolved", "to": "in_progress"},
    "customer_message": {"channel": "email"},
    "reply_sent": {"message": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b11"},
    "assigned": {"from": {"team": None, "assignee": None}, "to": {"team": "Web & App", "assignee": "agent"}},
    "priority_changed": {"from": 3, "to": 1},
    "target_breached": {"target": "first_response"},
    "resolution_rejected": {"from": "resolved", "to": "in_progress"},
    "resolution_accepted": {"from": "resolved", "to": "closed"},
    "status_link_revoked": {"revoked": 2},
    "coach_override": {"rules": ["blame", "public_private"], "score": 55, "reason": "customer asked for it"},
    "triage_corrected": {"category": "waiting_time"},
    "routed": {"playbook": "late_delivery", "routed_to": "Fulfilment"},
    "playbook_applied": {
        "first_response_due_at": "2026-11-30T10:00:00+00:00",
        "resolution_due_at": "2026-12-02T10:00:00+00:00",
        "from_team": None,
        "routed_to": "Customer Care",
        "playbook": "billing",
    },
    "checklist_step_done": {"step": "5d1b0c55-1a43-4a3d-93f4-3b9a1c8e7f10", "text": "Call the courier"},
    "checklist_step_undone": {"step": "5d1b0c55-1a43-4a3d-93f4-3b9a1c8e7f10", "text": "Call the courier"},
    # incidents.services
    "incident_linked": {"incident": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b13", "title": "Checkout down", "how": "matched"},
    "incident_unlinked": {
        "incident": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b13",
        "title": "Checkout down",
        "how": "manual",
    },
    # remedies.services
    "remedies_priced": {
        "policy_version": 2,
        "rule": "Late delivery",
        "fallback": False,
        "auto_offer": True,
        "options": [{"id": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b12", "kind": "store_credit"}],
    },
    "remedies_offered": {
        "options": [{"id": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b12", "kind": "refund"}],
        "by": "policy",
        "expires_at": "2026-12-02T10:00:00+00:00",
    },
    "remedy_chosen": {"remedy": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b12", "kind": "store_credit", "declined": 1},
    "remedy_approval_requested": {
        "remedy": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b12",
        "kind": "refund",
        "reason": "per_case",
        "limit": "20.00",
        "value": "30.00",
        "approval": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b13",
    },
    "remedy_approved": {"remedy": "x", "kind": "refund", "reason": "fair", "requested_by": "Ana Agent"},
    "remedy_granted": {"remedy": "x", "kind": "refund", "value": "30.00", "currency": "EUR"},
    "remedy_withdrawn": {"remedy": "x", "kind": "store_credit", "from": "offered", "reason": "sent twice"},
    "remedies_expired": {"count": 2},
    "remedy_fulfilled": {"remedy": "x", "kind": "store_credit", "reason": ""},
    "remedy_failed": {"remedy": "x", "kind": "store_credit", "reason": "payment provider down"},
    # aftercare.services, aftercare.surveys, aftercare.advocates
    "root_cause_recorded": {"category": "product-defect", "actions": 2},
    "recurrence": {"root_cause": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b14", "category": "it-outage", "on": "entities"},
    "survey_sent": {"language": "sr-latn"},
    "survey_answered": {"satisfaction": 2, "via": "email"},
    "advocate_action": {"kind": "invite_programme"},
    "public_reply_requested": {"message": "0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b11", "platform": "google_reviews"},
}

# Internals that must never reach a page: a dict or list repr, None, a snake_case code, a raw score, a seed
# reference, a model id.
RAW = [
    re.compile(r"\{'|\['|'\]|\}\s*$"),
    re.compile(r"\bNone\b"),
    re.compile(r"\b[a-z]+_[a-z_]+\b"),
    re.compile(r"(?<![\d.,])0\.\d\d\b"),
    re.compile(r"\(seed \d+\)"),
    re.compile(r"\bcat-\d{8}"),
    re.compile(r"\b(?:order|error|web|name):\w"),
]


class _Text(HTMLParser):
    """The text a person reads: element text and the attributes that are read out or shown on hover."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def raw_values(html: str) -> list[str]:
    return [line for line in visible_text(html) if any(p.search(line) for p in RAW)]


@pytest.fixture
def every_event(db) -> Case:  # type: ignore[no-untyped-def]
    """A case with one event of every kind there is, written as the services write them."""
    opened = open_case(channel=Channel.PUBLIC_THREAD)
    now = timezone.now()
    for kind in CaseEvent.Kind.values:
        CaseEvent.objects.create(
            case=opened.case,
            kind=kind,
            actor_kind=ActorKind.AGENT,
            actor_label="Ana Agent",
            public=kind in ("opened", "acknowledged", "status_changed", "reopened"),
            data=EVENT_DATA.get(kind, {}),
            created_at=now,
        )
    opened.case.status_url = opened.status_url  # type: ignore[attr-defined]
    return opened.case


def test_every_event_kind_reads_as_words_in_every_language(every_event):
    events = list(every_event.events.all())
    for language in ("en", "ru", "bg", "sr", "sr-latn", "sk"):
        with override(language):
            for event in events:
                text = display.event_text(event)
                assert text and not any(p.search(text) for p in RAW), (language, event.kind, text)


def test_remedy_events_name_the_remedy_its_value_and_the_reason(db):
    granted = CaseEvent(kind="remedy_granted", data=EVENT_DATA["remedy_granted"])
    asked = CaseEvent(kind="remedy_approval_requested", data=EVENT_DATA["remedy_approval_requested"])
    failed = CaseEvent(kind="remedy_failed", data=EVENT_DATA["remedy_failed"])
    with override("en"):
        assert "30.00" in display.event_text(granted) and "€" in display.event_text(granted)
        assert "per-case limit" in display.event_text(asked)
        assert display.event_text(failed).endswith("Reason: payment provider down")
    booked = CaseEvent(
        kind="remedy_chosen",
        data={
            "remedy": "x",
            "kind": "appointment",
            "declined": 1,
            "slot": {"id": "y", "starts_at": "2026-12-03T09:30:00+00:00", "ends_at": "2026-12-03T10:00:00+00:00"},
        },
    )
    with override("en"), timezone.override("UTC"):
        assert display.event_text(booked) == "Remedy chosen: Personal appointment, 12/03/2026 9:30 a.m."
    with override("ru"):
        assert "Remedy" not in display.event_text(granted)
        assert "30,00" in display.event_text(granted)


def test_every_code_has_a_label_and_an_unknown_one_is_still_words():
    with override("ru"):
        translated = [display.status_label("in_progress"), display.language_label("sr-Latn")]
    assert translated == ["В работе", "Сербский (латиница)"]
    codes = [
        *(display.status_label(s) for s in Status),
        *(display.priority_label(p) for p in Priority),
        *(display.channel_label(c) for c in Channel.values),
        *(display.platform_label(p) for p in Platform.values),
        *(display.ladder_label(level) for level in display.LADDER),
        *(display.category_label(slug) for slug in display.CATEGORY),
        *(display.coach_rule_label(rule) for rule in display.COACH_RULE),
        *(display.incident_event_label(kind) for kind in display.INCIDENT_EVENT),
        display.event_text(CaseEvent(kind="remedy_granted_later", data={"to": {"x": None}})),
        display.status_label("on_hold"),
        display.entity_label("name:saturday"),
        display.entity_label("order:SO-1"),
        display.language_label("sr-Latn"),
        display.language_label("sr-Cyrl"),
    ]
    for label in codes:
        assert not any(p.search(label) for p in RAW), label
    with override("en"):
        assert display.status_label("on_hold") == "On hold"
        assert display.language_label("sr-Latn") == "Serbian (Latin)"
        assert display.entity_label("name:saturday") == "name “saturday”"


def test_signals_are_plain_words():
    signals = [
        "detector: sr 0.91",
        "Bulgarian letter ъ or words",
        "no Serbian or Croatian marker",
        "then wrong_item 0.01",
        "order value 231.18",
        "money lost: order value 612.00",
        "repeated contact about the problem: 2 earlier case(s)",
        "3 exclamation marks",
        "public thread",
        "affected: 1",
        "close to hr 0.40",
        "uncertain",
        "sajt",
        "celo vece",
    ]
    for language in ("en", "ru"):
        with override(language):
            for line in display.signals_text(signals):
                assert not any(p.search(line) for p in RAW), (language, line)
    with override("en"):
        assert display.signal_text("then wrong_item 0.01") == "next most likely: Wrong item or size (1 %)"
        assert display.signal_text("detector: sr-Latn 0.60") == "the language detector read Serbian (Latin) (60 %)"
        assert display.signals_text(["sajt", "vece"]) == ["words in the complaint: sajt, vece"]
    with override("ru"):
        assert display.ladder_label("private_reply") != "Answer in private"


def test_serbian_or_croatian_signals_are_words_in_the_readers_language():
    """What triage.language and triage.south_slavic write when they tell Serbian from Croatian."""
    signals = [
        "Serbian 98%: Lingua reads it Bosnian, word “da”, letters “sle”, fused future",
        "Croatian 91%",
        "Serbian or Croatian: the text cannot tell (55% Serbian)",
        "Croatian, as the customer's earlier cases",
        "Serbian, as the company",
        "leaning Serbian",
        "Serbian letters ђ ћ or words: још, хвала",
        "too short to tell (2 letters)",
        "no served language fits",
    ]
    with override("en"):
        said = display.signals_text(signals)
        assert said[0] == (
            "Serbian (98 %): the language detector reads it as Bosnian, the word “da”, the letters “sle”, "
            "a future written as one word, as in “platiću”"
        )
        assert said[2] == "the text cannot tell Serbian from Croatian (55 % Serbian)"
        assert said[7] == "too short to tell: 2 letters"
    with override("ru"):
        for line in display.signals_text(signals):
            assert not any(p.search(line) for p in RAW), line
            assert not re.search(r"\b(?:Serbian|Croatian|Lingua|letters|leaning|tell)\b", line), line


def test_coach_findings_are_translated_and_cite_no_seed():
    with override("ru"):
        assert display.coach_text("The reply does not apologise.") != "The reply does not apologise."
        assert "Ольга" in display.coach_text("Address them as Ольга.")
        promise = display.coach_text("The reply promises 500, above your authority of 100.")
        assert "500" in promise and "100" in promise and "reply" not in promise
        offered = display.coach_text("The reply promises a full refund, which was not offered on this case.")
        assert offered != "The reply promises a full refund, which was not offered on this case."
        assert "refund" not in offered
        worth = display.coach_text("The reply promises a full refund (worth 120.00), above your authority of 50.")
        assert "120.00" in worth and "50" in worth and "refund" not in worth
        more = display.coach_text("The reply promises 20 %, more than the 10 % offered.")
        assert "20" in more and "10" in more and "offered" not in more
        listing = display.coach_text("Promise what was offered (Скидка 10 %), or ask a manager first.")
        assert "Скидка 10 %" in listing and "manager" not in listing
        assert "none" not in display.coach_text("Promise only what was offered (none), or add the option first.")
        assert display.coach_text("The reply holds only the signature or quoted text.").startswith("В ответе")
    with override("en"):
        assert "seed" not in display.coach_text("Offer two or three options so the customer regains control.")


def _published_incident(manager, case):  # type: ignore[no-untyped-def]
    """An incident with every kind of timeline entry, linked to `case`, published."""
    from datetime import timedelta

    from amends.incidents.services import (
        incident_declare,
        incident_link_case,
        incident_publish,
        incident_resolve,
        incident_unlink_case,
        incident_update,
    )

    incident = incident_declare(
        actor=manager,
        title="Checkout down",
        summary="Payments failed.",
        started_at=timezone.now() - timedelta(hours=3),
        entities=["error:503", "checkout"],
        remedy_kind="discount_code",
        remedy_value="20",
    )
    other = Case.objects.exclude(pk=case.pk).first()
    if other is not None:
        incident_link_case(incident=incident, case=other, actor=manager)
        incident_unlink_case(incident=incident, case=other, actor=manager)
    incident_link_case(incident=incident, case=case, actor=manager)
    incident_update(incident=incident, actor=manager, body="We found the cause.", public=True)
    incident_publish(incident=incident, actor=manager, level="blog_post")
    incident_resolve(incident=incident, actor=manager, body="Fixed.")
    return incident


@pytest.mark.parametrize("language", ["en", "ru"])
def test_console_and_customer_pages_show_no_internal_values(every_event, language):
    call_command("seed_demo", "--cases", "20", stdout=open("/dev/null", "w"))  # noqa: SIM115
    manager = User.objects.get(username="manager")
    client = Client(headers={"accept-language": language})
    client.force_login(manager)
    pages = ["/console/", "/console/clusters/", "/console/taxonomy/", "/console/playbooks/", "/console/outbox/"]
    pages += [f"/console/cases/{case.public_id}/" for case in Case.objects.order_by("-id")[:25]]
    incident = _published_incident(manager, every_event)
    pages += [
        f"/console/cases/{every_event.public_id}/",
        "/console/incidents/",
        f"/console/incidents/{incident.public_id}/",
    ]
    pages += [f"/console/incidents/{incident.public_id}/?level={level}" for level in display.LADDER]
    pages += [f"/incidents/{incident.slug}", "/incidents/"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert raw_values(response.content.decode()) == [], page
    customer = Client(headers={"accept-language": language})
    status_page = customer.get(every_event.status_url.replace("http://127.0.0.1:8000", ""), follow=True)
    assert status_page.status_code == 200
    assert raw_values(status_page.content.decode()) == []


def test_display_imports_no_feature_app():
    """Core depends on no feature app: remedies, outbox and triage lend their words from their AppConfig.ready."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(display.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in imported if m.startswith("amends.") and not m.startswith("amends.core")} == set()


def test_the_apps_lend_their_vocabulary_and_an_unknown_source_is_refused():
    with override("ru"):
        assert display.remedy_kind_label("store_credit") != "Store credit"
        assert display.outbox_state_label("sent") not in ("sent", "Sent")
        assert display.category_label("late_delivery") != "Late or missing delivery"
    assert "€" in display._home_money("30.00", "EUR")  # not the plain "30.00 EUR" of a core left alone
    with pytest.raises(TypeError):
        display.display_register(remedy_kind=dict)
