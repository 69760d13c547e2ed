"""The API over a real socket, against the app served by a live server thread on the test database (SQLite or
PostgreSQL): what only shows over HTTP — two requests at once, bytes as they travel."""

import itertools
import threading

import httpx
import pytest

from amends.api import idempotency
from amends.api.models import IdempotencyRecord
from amends.api.services import apikey_create
from amends.cases.models import Case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {
    "customer": {"email": "olga@example.com", "name": "Ольга"},
    "description": "Прислали кроссовки не того размера, а нужны к субботе.",
}


def test_two_requests_with_one_key_at_once_open_one_case(live_server, api_key, monkeypatch):
    # Both requests look for the key and find nothing before either goes on: the race the unique constraint and
    # the transaction around the work must settle.
    both_looked = threading.Barrier(2, timeout=20)
    first_lookups = itertools.count()
    lookup = idempotency.recorded

    def look_then_wait(api_key, key):  # type: ignore[no-untyped-def]
        found = lookup(api_key, key)
        if next(first_lookups) < 2:
            both_looked.wait()
        return found

    monkeypatch.setattr(idempotency, "recorded", look_then_wait)
    responses: list[httpx.Response] = []

    def send() -> None:
        responses.append(
            httpx.post(
                f"{live_server.url}/api/v1/cases",
                json=BODY,
                headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": "order-77"},
                timeout=60,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in responses) in ([201, 201], [201, 409])
    if all(r.status_code == 201 for r in responses):
        assert responses[0].json() == responses[1].json()
        assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    case = Case.objects.get()
    assert OutboxMessage.objects.filter(dedupe_key=f"ack:{case.pk}").count() == 1
    assert OutboxMessage.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
    assert case.events.filter(kind="opened").count() == 1


def test_one_idempotency_key_from_two_api_keys_opens_two_cases(live_server, api_key):
    _record, other_key = apikey_create(name="another shop")
    answers = [
        httpx.post(
            f"{live_server.url}/api/v1/cases",
            json=BODY,
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "order-77"},
            timeout=60,
        )
        for key in (api_key, other_key, api_key)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, None, "true"]
    assert answers[0].json()["id"] != answers[1].json()["id"] and answers[2].json() == answers[0].json()
    assert Case.objects.count() == 2 and IdempotencyRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"customer": {"email": "a@b.co"}, "description": "ab\xed\xa0\x80cd"}', "application/json", 400),
        (b'{"customer": {"email": "a@b.co"}, "description": "ab\\ud800cd"}', "application/json", 422),
        (b'{"customer": {"email": "a@b.co"}, "description": "ab\\u0000cd"}', "application/json", 422),
        (b"[]", "application/json", 422),
        (b"description=ab", "application/x-www-form-urlencoded", 415),
    ],
)
def test_bytes_that_are_not_a_complaint_are_refused_over_the_wire(live_server, api_key, content, content_type, status):
    response = httpx.post(
        f"{live_server.url}/api/v1/cases",
        content=content,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": content_type, "Accept-Language": "bg"},
        timeout=60,
    )
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["detail"] and response.headers["Content-Language"] == "bg"
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()
