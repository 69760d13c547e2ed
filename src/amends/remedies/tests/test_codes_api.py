"""The shop's API for codes, over HTTP: look a code up, report a redemption (idempotent), and every refusal."""

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from amends.remedies import codes
from amends.remedies.codes_service import code_issue, codes_void
from amends.remedies.models import RemedyCode

pytestmark = pytest.mark.django_db


def issue(**overrides: object) -> RemedyCode:
    fields: dict = {"amount": "12.5", "currency": "EUR", "expires_at": timezone.now() + timedelta(days=30)}
    fields.update(overrides)
    return code_issue(**fields)


def redeem(client: Client, code: str, body: object, **headers: str):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        f"/api/v1/codes/{quote(code)}/redemption", data, content_type="application/json", headers=headers
    )


def test_it_shows_a_codes_state_value_and_expiry(api):
    code = issue(minimum_order="40")
    typed = codes.group(code.code).lower().replace("-", " ")
    response = api.get(f"/api/v1/codes/{quote(typed)}")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == codes.group(code.code) and data["state"] == "issued"
    assert (data["amount"], data["percent"], data["currency"], data["minimum_order"]) == ("12.50", None, "EUR", "40.00")
    assert data["expires_at"].startswith(code.expires_at.date().isoformat())
    assert data["redeemed_at"] is None and data["order_reference"] is None


def test_a_percentage_code_shows_its_percentage(api):
    code = issue(amount=None, percent="15", currency="")
    data = api.get(f"/api/v1/codes/{code.code}").json()
    assert (data["amount"], data["percent"], data["currency"]) == (None, "15.00", "")


def test_it_redeems_a_code_and_the_same_report_again_gets_the_same_answer(api):
    code = issue()
    first = redeem(api, code.code, {"order_reference": "SO-1001", "order_value": "59.90", "currency": "EUR"})
    assert first.status_code == 200
    assert first.json()["state"] == "redeemed" and first.json()["order_reference"] == "SO-1001"
    again = redeem(api, codes.group(code.code), {"order_reference": "SO-1001"})
    assert again.status_code == 200 and again.json() == first.json()
    code.refresh_from_db()
    assert code.state == "redeemed" and code.redeemed_order == "SO-1001"
    assert api.get(f"/api/v1/codes/{code.code}").json() == first.json()


def test_a_redeemed_code_reported_for_another_order_is_a_conflict(api):
    code = issue()
    redeem(api, code.code, {"order_reference": "SO-1001"})
    response = redeem(api, code.code, {"order_reference": "SO-2002"})
    assert response.status_code == 409
    assert "redeemed already" in response.json()["detail"] and "another order" in response.json()["detail"]
    code.refresh_from_db()
    assert code.redeemed_order == "SO-1001"


def test_an_unknown_code_is_404_and_a_malformed_one_422(api):
    unknown = redeem(api, codes.new_code(), {"order_reference": "SO-1"})
    assert unknown.status_code == 404 and unknown.json()["detail"] == "No code like this was issued."
    real = issue().code
    mistyped = real[:-1] + ("0" if real[-1] != "0" else "1")
    for text in [mistyped, real[:10], "nonsense!"]:
        response = redeem(api, text, {"order_reference": "SO-1"})
        assert response.status_code == 422 and response.json()["detail"] == "This is not a code this shop issued."
        assert api.get(f"/api/v1/codes/{quote(text)}").status_code == 422
    assert api.get(f"/api/v1/codes/{codes.new_code()}").status_code == 404
    assert RemedyCode.objects.get(code=real).state == "issued"


def test_an_expired_code_is_gone(api):
    code = issue()
    RemedyCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    response = redeem(api, code.code, {"order_reference": "SO-1"})
    assert response.status_code == 410 and "expired on" in response.json()["detail"]
    assert api.get(f"/api/v1/codes/{code.code}").json()["state"] == "expired"


def test_a_void_code_is_a_conflict(api):
    code = issue()
    codes_void(code=code.code)
    response = redeem(api, code.code, {"order_reference": "SO-1"})
    assert response.status_code == 409 and "withdrawn" in response.json()["detail"]
    assert api.get(f"/api/v1/codes/{code.code}").json()["state"] == "void"


def test_an_order_below_the_minimum_or_in_another_currency_is_refused(api):
    code = issue(minimum_order="50")
    without = redeem(api, code.code, {"order_reference": "SO-1"})
    assert without.status_code == 422 and "at least 50.00 EUR" in without.json()["detail"]
    below = redeem(api, code.code, {"order_reference": "SO-1", "order_value": "49.99"})
    assert below.status_code == 422 and "49.99" in below.json()["detail"]
    other = redeem(api, code.code, {"order_reference": "SO-1", "order_value": "500", "currency": "USD"})
    assert other.status_code == 422 and "USD" in other.json()["detail"]
    assert RemedyCode.objects.get(pk=code.pk).state == "issued"
    assert redeem(api, code.code, {"order_reference": "SO-1", "order_value": 50}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"order_reference": ""}, {"order_reference": "x" * 101}, {"order_reference": "SO-1", "order_value": "abc"},
     {"order_reference": "SO-1", "order_value": "-5"}, {"order_reference": "SO-1", "order_value": "1e40"},
     {"order_reference": "SO-1", "currency": "EUX"}],
)  # fmt: skip
def test_a_report_with_bad_input_is_422_and_changes_nothing(api, body):
    code = issue()
    response = redeem(api, code.code, body)
    assert response.status_code == 422 and response.json()["detail"]
    assert RemedyCode.objects.get(pk=code.pk).state == "issued"


def test_a_body_that_is_not_json_is_a_bad_request(api):
    code = issue()
    assert redeem(api, code.code, "order_reference=SO-1").status_code == 400
    assert RemedyCode.objects.get(pk=code.pk).state == "issued"


def test_the_refusals_speak_the_shops_language(api):
    response = redeem(api, codes.new_code(), {"order_reference": "SO-1"}, **{"Accept-Language": "sk"})
    assert response.status_code == 404 and response.json()["detail"] == "Taký kód nebol vydaný."


def test_an_idempotency_key_replays_the_first_answer(api):
    code = issue()
    first = redeem(api, code.code, {"order_reference": "SO-1"}, **{"Idempotency-Key": "r-1"})
    replay = redeem(api, code.code, {"order_reference": "SO-1"}, **{"Idempotency-Key": "r-1"})
    assert first.status_code == replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert redeem(api, code.code, {"order_reference": "SO-2"}, **{"Idempotency-Key": "r-1"}).status_code == 409


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer amk_nope_nope"}])
def test_it_needs_an_api_key(db, headers):
    code = issue()
    assert Client(headers=headers).get(f"/api/v1/codes/{code.code}").status_code == 401
    assert redeem(Client(headers=headers), code.code, {"order_reference": "SO-1"}).status_code == 401
    assert RemedyCode.objects.get(pk=code.pk).state == "issued"


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/codes/{code}", "/api/v1/codes/{code}/redemption"} <= set(paths)
    assert set(paths["/api/v1/codes/{code}/redemption"]["post"]["responses"]) >= {"200", "404", "409", "410", "422"}
    # The document says what a code looks like, so a client generated from it sends nothing else.
    for path, method in (("/api/v1/codes/{code}", "get"), ("/api/v1/codes/{code}/redemption", "post")):
        (code,) = [p for p in paths[path][method]["parameters"] if p["name"] == "code"]
        assert code["schema"]["pattern"] == codes.TYPED_PATTERN
