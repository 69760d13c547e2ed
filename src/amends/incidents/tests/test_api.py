"""The incidents API over HTTP: declaring, reading, updating, resolving, linking and publishing, and refusals."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.conftest import open_case
from amends.incidents.models import Incident, IncidentEvent
from amends.outbox.models import OutboxMessage
from amends.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: object, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def body(**overrides: object) -> dict:
    data = {
        "title": "Checkout down",
        "summary": "Payments failed with error 500.",
        "started_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "entities": ["error:500"],
        "severity": 3,
        "remedy_kind": "discount_code",
        "remedy_value": 20,
    }
    data.update(overrides)
    return data


def test_an_integration_declares_reads_and_lists_incidents(api):
    created = post(api, "/api/v1/incidents", body())
    assert created.status_code == 201, created.content
    incident = created.json()
    assert incident["slug"] == "checkout-down" and incident["state"] == "open" and incident["remedy_value"] == "20.00"
    assert api.get(f"/api/v1/incidents/{incident['id']}").json()["title"] == "Checkout down"
    for n in range(3):
        post(api, "/api/v1/incidents", body(title=f"Other {n}"))
    first = api.get("/api/v1/incidents?limit=2").json()
    second = api.get(f"/api/v1/incidents?limit=2&cursor={first['next_cursor']}").json()
    titles = [i["title"] for i in first["items"] + second["items"]]
    assert titles == ["Other 2", "Other 1", "Other 0", "Checkout down"] and second["next_cursor"] is None
    assert api.get("/api/v1/incidents?cursor=bm9wZQ").status_code == 400


def test_idempotency_key_declares_once(api):
    same = body()
    one = post(api, "/api/v1/incidents", same, **{"Idempotency-Key": "k1"})
    two = post(api, "/api/v1/incidents", same, **{"Idempotency-Key": "k1"})
    assert one.json() == two.json() and Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ended_at": (timezone.now() - timedelta(days=1)).isoformat()}, "ended_at"),
        ({"title": ""}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"summary": "s" * 100_000}, "summary"),
        ({"severity": 7}, "severity"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"category": "nope"}, "category"),
        ({"remedy_value": 150}, "remedy_value"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_stores_nothing(api, overrides, field):
    response = post(api, "/api/v1/incidents", body(**overrides))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Incident.objects.exists()


def test_an_agent_session_is_refused_and_a_manager_session_declares(agent, manager):
    as_agent, as_manager = Client(), Client()
    as_agent.force_login(agent)
    as_manager.force_login(manager)
    refused = post(as_agent, "/api/v1/incidents", body())
    assert refused.status_code == 403 and "manager" in refused.json()["detail"]
    assert as_agent.get("/api/v1/incidents").status_code == 200
    assert post(as_manager, "/api/v1/incidents", body()).status_code == 201
    assert Incident.objects.get().declared_by == manager


def test_updates_resolve_and_link_over_http(api):
    incident = post(api, "/api/v1/incidents", body(entities=[])).json()
    base = f"/api/v1/incidents/{incident['id']}"
    update = post(api, f"{base}/updates", {"body": "We found the cause.", "public": True})
    assert update.status_code == 201 and update.json()["public"] is True
    assert post(api, f"{base}/updates", {"body": "x", "public": "yes"}).status_code == 422
    case = open_case().case
    linked = post(api, f"{base}/cases", {"case": str(case.public_id)})
    again = post(api, f"{base}/cases", {"case": str(case.public_id)})
    assert linked.json()["created"] is True and again.json()["created"] is False
    assert post(api, f"{base}/cases", {"case": "6f1c1d2e-0000-4000-8000-000000000000"}).status_code == 404
    early = (timezone.now() - timedelta(days=3)).isoformat()
    assert post(api, f"{base}/resolve", {"ended_at": early}).status_code == 422
    # A last word that says nothing is refused (the document's pattern), not taken for no last word.
    for blank in ("", "   ", "\n\t"):
        refused = post(api, f"{base}/resolve", {"body": blank})
        assert refused.status_code == 422 and "body" in refused.text
    assert Incident.objects.get(public_id=incident["id"]).state != "resolved"
    resolved = post(api, f"{base}/resolve", {"body": "Fixed."})
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert post(api, f"{base}/resolve", {}).status_code == 409
    assert api.get(base).json()["cases"] == 1
    assert api.get("/api/v1/incidents/6f1c1d2e-0000-4000-8000-000000000000").status_code == 404


def test_publishing_twice_sends_one_webhook_and_a_private_level_is_refused(api, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    webhook_endpoint_create(url="http://127.0.0.1:9/hooks", events=["incident.published"])
    incident = post(api, "/api/v1/incidents", body()).json()
    base = f"/api/v1/incidents/{incident['id']}"
    assert post(api, f"{base}/publish", {"level": "private_reply"}).status_code == 422
    first = post(api, f"{base}/publish", {"level": "blog_post"})
    second = post(api, f"{base}/publish", {"level": "blog_post"})
    assert first.status_code == 200 and first.json()["published"] is True, first.content
    assert second.status_code == 200 and second.json()["published"] is False
    hooks = OutboxMessage.objects.filter(kind="webhook", subject="incident.published")
    assert hooks.count() == 1
    payload = json.loads(hooks.get().body)["data"]["incident"]
    assert payload["url"].endswith("/incidents/checkout-down") and payload["level"] == "blog_post"
    assert {s["language"] for s in payload["statements"]} >= {"en", "ru", "bg", "sr", "sr-latn", "sk"}
    assert IncidentEvent.objects.filter(kind="published").count() == 1
