"""The API: affected customers as NDJSON (all or nothing, idempotent), the campaign's set-up, actions, progress."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.campaigns.models import AffectedCustomer, CampaignMessage

from .factories import make_incident

pytestmark = pytest.mark.django_db
NDJSON = "application/x-ndjson"


def _lines(*rows: dict) -> str:
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def _post(api: Client, url: str, body: str, **headers: str):  # type: ignore[no-untyped-def]
    return api.post(url, body, content_type=NDJSON, headers=headers)


def test_ndjson_names_affected_customers_and_the_same_batch_again_changes_nothing(api: Client):
    incident = make_incident()
    url = f"/api/v1/incidents/{incident.public_id}/affected"
    body = _lines({"email": "Ana@Example.com", "name": "Ana", "language": "sk"}, {"email": "bo@example.com"})
    first = _post(api, url, body)
    assert first.status_code == 200, first.content
    assert first.json()["added"] == 2 and first.json()["customers_created"] == 2
    again = _post(api, url, body)
    assert again.status_code == 200 and again.json()["added"] == 0 and again.json()["repeated"] == 2
    assert AffectedCustomer.objects.filter(incident=incident).count() == 2
    assert set(AffectedCustomer.objects.values_list("source", flat=True)) == {"api"}


def test_an_idempotency_key_replays_the_first_answer(api: Client):
    incident = make_incident()
    url = f"/api/v1/incidents/{incident.public_id}/affected"
    body = _lines({"email": "ana@example.com"})
    first = _post(api, url, body, **{"Idempotency-Key": "batch-1"})
    second = _post(api, url, body, **{"Idempotency-Key": "batch-1"})
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"


def test_a_line_that_is_not_json_is_named_and_nothing_is_stored(api: Client):
    incident = make_incident()
    body = _lines({"email": "ana@example.com"}) + "{not json\n" + _lines({"email": "bo@example.com"})
    answer = _post(api, f"/api/v1/incidents/{incident.public_id}/affected", body)
    assert answer.status_code == 400 and "Line 2" in answer.json()["detail"]
    assert not AffectedCustomer.objects.exists()


def test_a_line_that_breaks_a_rule_refuses_the_batch_naming_every_such_line(api: Client):
    incident = make_incident()
    body = _lines({"email": "ana@example.com"}, {"email": "nope"}, {"email": "c@example.com", "language": "xx"})
    answer = _post(api, f"/api/v1/incidents/{incident.public_id}/affected", body)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"line 2", "line 3"}
    assert not AffectedCustomer.objects.exists()


def test_other_content_types_an_empty_body_and_unknown_incidents_are_refused(api: Client):
    incident = make_incident()
    url = f"/api/v1/incidents/{incident.public_id}/affected"
    assert api.post(url, _lines({"email": "a@example.com"}), content_type="application/json").status_code == 415
    assert _post(api, url, "\n\n").status_code == 422
    assert _post(api, url, "[1]\n").status_code == 400
    other = "/api/v1/incidents/0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b11/affected"
    assert _post(api, other, _lines({"email": "a@example.com"})).status_code == 404


def test_the_campaign_through_the_api_start_once_pause_resume_cancel_progress(api: Client):
    incident = make_incident()
    base = f"/api/v1/incidents/{incident.public_id}"
    until = (timezone.localdate() + timedelta(days=1)).isoformat()
    setup = {"remedy_kind": "discount_code", "percent": "20", "valid_until": until, "rate": 100}
    created = api.post(f"{base}/campaign", setup, content_type="application/json")
    assert created.status_code == 200, created.content
    assert created.json()["state"] == "draft"
    refused = api.post(f"{base}/campaign/start")
    assert refused.status_code == 409 and "Nobody" in refused.json()["detail"]
    _post(api, f"{base}/affected", _lines({"email": "a@example.com"}, {"email": "b@example.com"}))
    started = api.post(f"{base}/campaign/start")
    assert started.status_code == 200 and started.json()["progress"]["queued"] == 2
    assert api.post(f"{base}/campaign/start").status_code == 409
    assert CampaignMessage.objects.count() == 2
    assert api.post(f"{base}/campaign/pause").json()["state"] == "paused"
    assert api.post(f"{base}/campaign/pause").status_code == 409
    assert api.post(f"{base}/campaign/resume").json()["state"] == "sending"
    cancelled = api.post(f"{base}/campaign/cancel").json()
    assert cancelled["state"] == "cancelled" and cancelled["progress"]["cancelled"] == 2
    progress = api.get(f"{base}/campaign").json()["progress"]
    assert progress["total"] == 2


def test_a_campaign_with_a_bad_remedy_is_refused_by_field(api: Client):
    incident = make_incident()
    base = f"/api/v1/incidents/{incident.public_id}"
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    answer = api.post(
        f"{base}/campaign",
        {"remedy_kind": "store_credit", "percent": "10", "valid_until": past, "rate": 10},
        content_type="application/json",
    )
    assert answer.status_code == 422 and {"percent", "valid_until"} <= set(answer.json()["errors"])


def test_a_lone_surrogate_or_a_nul_in_a_line_is_refused_not_stored(api: Client):
    incident = make_incident()
    body = '{"email": "a@example.com", "name": "\\ud800"}\n{"email": "b@example.com", "name": "x\\u0000"}\n'
    answer = _post(api, f"/api/v1/incidents/{incident.public_id}/affected", body)
    assert answer.status_code == 422 and set(answer.json()["errors"]) == {"line 1", "line 2"}
    assert not AffectedCustomer.objects.exists()
