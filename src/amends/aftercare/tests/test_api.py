import json
from datetime import timedelta

import pytest
from django.utils import timezone

from amends.aftercare.models import CorrectiveAction, RootCause, Survey
from amends.aftercare.surveys import surveys_send_due
from amends.conftest import open_case
from amends.customers.models import Customer, Order


def _post(api, url: str, body: object, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return api.post(url, data=data, content_type=content_type)


def test_root_cause_on_an_open_case_is_a_409(api, opened):
    response = _post(api, f"/api/v1/cases/{opened.case.public_id}/root-causes", {"category": "process", "text": "x"})
    assert response.status_code == 409
    assert "still open" in response.json()["detail"]
    assert not RootCause.objects.exists()


def test_root_cause_with_actions_and_bad_actions(api, resolved, team):
    url = f"/api/v1/cases/{resolved.public_id}/root-causes"
    today = timezone.localdate()
    bad = {
        "category": "logistics",
        "text": "Depot lost it",
        "actions": [
            {"what": "A", "team": "Nobody", "due_date": str(today)},
            {"what": "B", "team": team.name, "due_date": str(today - timedelta(days=1))},
        ],
    }
    response = _post(api, url, bad)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "actions.0.team" in errors and "actions.1.due_date" in errors
    assert not RootCause.objects.exists()
    good = {**bad, "actions": [{"what": "Switch courier", "team": team.name, "due_date": str(today)}]}
    response = _post(api, url, good)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category"] == "logistics" and body["actions"][0]["status"] == "open"
    assert api.get(url).json()[0]["id"] == body["id"]
    assert _post(api, url, {**good, "surprise": 1}).status_code == 422


def test_actions_move_forward_and_an_api_key_cannot_verify(api, resolved, team):
    url = f"/api/v1/cases/{resolved.public_id}/root-causes"
    today = str(timezone.localdate())
    body = _post(
        api,
        url,
        {"category": "process", "text": "Slow", "actions": [{"what": "Line 2", "team": team.name, "due_date": today}]},
    ).json()
    action = body["actions"][0]["id"]
    status_url = f"/api/v1/corrective-actions/{action}/status"
    assert _post(api, status_url, {"status": "done"}).json()["status"] == "done"
    assert _post(api, status_url, {"status": "in_progress"}).status_code == 409
    assert _post(api, status_url, {"status": "verified"}).status_code == 403
    assert _post(api, status_url, {"status": "reopened"}).status_code == 422
    assert CorrectiveAction.objects.get().status == "done"
    assert api.get("/api/v1/corrective-actions").json()[0]["id"] == action


def test_survey_over_the_api_once_and_in_range(api, resolved):
    survey = Survey.objects.get(case=resolved)
    surveys_send_due(now=survey.due_at)
    url = f"/api/v1/cases/{resolved.public_id}/survey"
    assert api.get(url).json()["state"] == "sent"
    for bad in ({"satisfaction": 6}, {"satisfaction": 0}, {"satisfaction": "5"}, {"satisfaction": 5, "recommend": 11}):
        assert _post(api, url + "/answer", bad).status_code == 422, bad
    first = _post(api, url + "/answer", {"satisfaction": 5, "recommend": 10, "comment": "Thank you!"})
    assert first.status_code == 200 and first.json()["survey"]["satisfaction"] == 5
    second = _post(api, url + "/answer", {"satisfaction": 1})
    assert second.status_code == 409 and "first answer stands" in second.json()["detail"]
    assert api.get(url).json()["satisfaction"] == 5


def test_advocates_list_names_the_reasons(api, resolved):
    survey = Survey.objects.get(case=resolved)
    surveys_send_due(now=survey.due_at)
    _post(
        api,
        f"/api/v1/cases/{resolved.public_id}/survey/answer",
        {"satisfaction": 5, "recommend": 10, "comment": "Спасибо, отлично!"},
    )
    Order.objects.create(
        customer=resolved.customer,
        external_id="SO-9",
        placed_at=timezone.now(),
        value=40,
        currency="EUR",
        created_at=timezone.now(),
    )
    found = api.get("/api/v1/advocates").json()
    assert found[0]["customer"] == str(resolved.customer.public_id)
    assert len(found[0]["reasons"]) == 3  # scores, kind words, an order after


@pytest.fixture
def shop_customer(db) -> Customer:  # type: ignore[no-untyped-def]
    return open_case(email="buyer@example.com", external_id="C-1").case.customer


def test_orders_batch_is_idempotent_and_all_or_nothing(api, shop_customer):
    row = {
        "external_id": "SO-1",
        "customer_external_id": "C-1",
        "placed_at": "2026-11-01T10:00:00Z",
        "value": "49.90",
        "currency": "EUR",
    }
    first = _post(api, "/api/v1/orders", {"orders": [row]})
    assert first.status_code == 201 and first.json()["created"] == ["SO-1"]
    again = _post(api, "/api/v1/orders", {"orders": [row]})
    assert again.status_code == 200 and again.json() == {"created": [], "unchanged": ["SO-1"]}
    unknown = {**row, "external_id": "SO-2", "customer_external_id": "C-404"}
    fresh = {**row, "external_id": "SO-3"}
    refused = _post(api, "/api/v1/orders", {"orders": [fresh, unknown]})
    assert refused.status_code == 422
    assert "C-404" in refused.json()["errors"]["orders.1.customer"][0]
    assert not Order.objects.filter(external_id="SO-3").exists()  # nothing half-stored
    changed = _post(api, "/api/v1/orders", {"orders": [{**row, "value": "1.00"}]})
    assert changed.status_code == 422 and "orders.0.external_id" in changed.json()["errors"]
    shop_customer.refresh_from_db()
    assert str(shop_customer.lifetime_value) == "49.90"


def test_orders_as_ndjson_and_bad_bodies(api, shop_customer):
    lines = "\n".join(
        json.dumps(
            {
                "external_id": f"N-{i}",
                "customer_email": "BUYER@example.com",
                "placed_at": "2026-11-02T10:00:00+01:00",
                "value": 10,
                "currency": "EUR",
            }
        )
        for i in range(3)
    )
    response = _post(api, "/api/v1/orders", lines, content_type="application/x-ndjson")
    assert response.status_code == 201 and len(response.json()["created"]) == 3
    assert _post(api, "/api/v1/orders", "not json\n", content_type="application/x-ndjson").status_code == 400
    assert _post(api, "/api/v1/orders", "a,b", content_type="text/csv").status_code == 415
    assert _post(api, "/api/v1/orders", {"orders": []}).status_code == 422
    bad_value = {
        "external_id": "X",
        "customer_email": "buyer@example.com",
        "placed_at": "yesterday",
        "value": "-1",
        "currency": "EUR",
    }
    errors = _post(api, "/api/v1/orders", {"orders": [bad_value]}).json()["errors"]
    assert "orders.0.placed_at" in errors and "orders.0.value" in errors
    too_big = {
        "orders": [
            {
                "external_id": "Y" * 10,
                "customer_email": "buyer@example.com",
                "placed_at": "2026-11-02T10:00:00Z",
                "value": 1,
                "currency": "EUR",
                "pad": "x" * (4 * 1024 * 1024),
            }
        ]
    }
    assert _post(api, "/api/v1/orders", too_big).status_code == 413
