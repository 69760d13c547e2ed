"""The coach's block holds on every path a reply can take: the service refuses, the API answers 422, an override
goes on the timeline."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from amends.accounts.models import AuthorityLimit
from amends.cases.models import CaseEvent, Message
from amends.cases.services import ReplyBlocked, case_add_note, case_reply
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

BLAMING = "Вы сами виноваты, надо было смотреть таблицу размеров."
PROMISE = "Ольга, спасибо и простите, наша ошибка. Сегодня вернём 120 € или пришлём новую пару, как вам удобнее."
GOOD = "Ольга, спасибо, что написали, и простите: это наша ошибка. Сегодня отправим нужный размер или вернём деньги."


def post(client: Client, path: str, body: dict, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def nothing_sent(case) -> bool:  # type: ignore[no-untyped-def]
    return (
        not case.messages.filter(direction=Message.Direction.OUT).exists()
        and not case.events.filter(kind__in=[CaseEvent.Kind.REPLY_SENT, CaseEvent.Kind.COACH_OVERRIDE]).exists()
        and not OutboxMessage.objects.filter(case=case).exclude(dedupe_key=f"ack:{case.pk}").exists()
    )


def test_it_refuses_a_reply_that_blames_the_customer_and_sends_nothing(agent):
    case = open_case().case
    with pytest.raises(ReplyBlocked) as refused:
        case_reply(case=case, actor=agent, body=BLAMING)
    assert [f.rule for f in refused.value.findings] == ["blame"]
    assert refused.value.findings[0].span and "сами виноваты" in refused.value.findings[0].span.text
    assert nothing_sent(case)


def test_an_override_sends_the_reply_and_the_timeline_records_who_and_which_rules(agent):
    case = open_case().case
    message = case_reply(case=case, actor=agent, body=BLAMING, override=True, override_reason="Quoted\nback to them")
    assert message.direction == Message.Direction.OUT
    event = case.events.get(kind=CaseEvent.Kind.COACH_OVERRIDE)
    assert event.actor == agent and event.actor_kind == "agent"
    assert event.data["rules"] == ["blame"] and event.data["reason"] == "Quoted back to them"
    assert event.data["message"] == str(message.public_id)


def test_a_promise_above_the_agents_authority_is_refused_and_a_managers_is_sent(agent, manager):
    case = open_case().case
    with pytest.raises(ReplyBlocked) as refused:
        case_reply(case=case, actor=agent, body=PROMISE)
    assert [f.rule for f in refused.value.findings] == ["authority"]
    assert nothing_sent(case)
    case_reply(case=case, actor=manager, body=PROMISE)
    assert not case.events.filter(kind=CaseEvent.Kind.COACH_OVERRIDE).exists()


def test_an_integration_is_held_to_an_agents_authority(db):
    case = open_case().case
    with pytest.raises(ReplyBlocked):
        case_reply(case=case, actor=None, body=PROMISE, actor_label="API key shop backend")
    AuthorityLimit.objects.filter(role="agent").update(amount=Decimal("150"))
    case_reply(case=case, actor=None, body=PROMISE, actor_label="API key shop backend")
    assert case.messages.filter(direction=Message.Direction.OUT).count() == 1


def test_a_good_reply_is_sent_with_no_override_on_the_timeline(agent):
    case = open_case().case
    case_reply(case=case, actor=agent, body=GOOD)
    assert case.events.filter(kind=CaseEvent.Kind.REPLY_SENT).count() == 1
    assert not case.events.filter(kind=CaseEvent.Kind.COACH_OVERRIDE).exists()


def test_an_internal_note_is_not_coached(agent):
    case = open_case().case
    case_add_note(case=case, actor=agent, body=BLAMING)
    assert case.messages.filter(direction=Message.Direction.NOTE, body=BLAMING).exists()


def test_the_api_refuses_a_blaming_reply_with_422_and_the_findings(api):
    case = open_case().case
    response = post(api, f"/api/v1/cases/{case.public_id}/messages", {"body": BLAMING, "kind": "reply"})
    assert response.status_code == 422
    data = response.json()
    assert "blame" in data["detail"] and "override" in data["detail"]
    [finding] = data["findings"]
    assert finding["rule"] == "blame" and finding["severity"] == "blocking" and finding["suggestion"]
    assert "сами виноваты" in finding["span"]["text"]
    assert nothing_sent(case)


def test_the_refusal_speaks_the_callers_language(api):
    case = open_case().case
    response = post(
        api, f"/api/v1/cases/{case.public_id}/messages", {"body": BLAMING, "kind": "reply"}, **{"Accept-Language": "ru"}
    )
    assert response.status_code == 422 and "ничего не отправлено" in response.json()["detail"]


def test_the_api_holds_a_key_to_an_agents_authority(api):
    case = open_case().case
    response = post(api, f"/api/v1/cases/{case.public_id}/messages", {"body": PROMISE, "kind": "reply"})
    assert response.status_code == 422 and [f["rule"] for f in response.json()["findings"]] == ["authority"]


def test_the_api_sends_an_overridden_reply_and_records_the_key(api):
    case = open_case().case
    path = f"/api/v1/cases/{case.public_id}/messages"
    body = {"body": BLAMING, "kind": "reply", "override": True, "override_reason": "Customer asked for it verbatim"}
    response = post(api, path, body)
    assert response.status_code == 201 and response.json()["kind"] == "reply"
    event = case.events.get(kind=CaseEvent.Kind.COACH_OVERRIDE)
    assert event.actor is None and event.actor_kind == "integration"
    assert event.actor_label == "API key shop backend" and event.data["rules"] == ["blame"]
    assert event.data["reason"] == "Customer asked for it verbatim"


def test_a_refused_reply_leaves_its_idempotency_key_free_for_the_fix(api):
    case = open_case().case
    path = f"/api/v1/cases/{case.public_id}/messages"
    refused = post(api, path, {"body": BLAMING, "kind": "reply"}, **{"Idempotency-Key": "reply-1"})
    assert refused.status_code == 422
    fixed = post(api, path, {"body": GOOD, "kind": "reply"}, **{"Idempotency-Key": "reply-1"})
    assert fixed.status_code == 201


def test_the_api_does_not_coach_a_note_or_the_customers_words(api):
    case = open_case().case
    path = f"/api/v1/cases/{case.public_id}/messages"
    assert post(api, path, {"body": BLAMING, "kind": "note"}).status_code == 201
    assert post(api, path, {"body": BLAMING, "kind": "customer"}).status_code == 201


def test_the_console_shows_the_override_and_its_rules_on_the_timeline(agent_client):
    case = open_case().case
    assert agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": BLAMING}).status_code == 400
    agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": BLAMING, "override": "1"})
    page = agent_client.get(f"/console/cases/{case.public_id}/").content.decode()
    assert "Coach finding overridden: blaming the customer" in page and "(blame)" not in page
