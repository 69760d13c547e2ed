import json

import pytest

from amends.conftest import open_case

pytestmark = pytest.mark.django_db


def post(api, body):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/coach", json.dumps(body), content_type="application/json")


def test_the_coach_scores_a_draft_for_a_case(api):
    case = open_case(name="Ольга Петрова").case
    response = post(
        api, {"text": "Вы сами виноваты, надо было читать таблицу размеров!!!", "case_id": str(case.public_id)}
    )
    data = response.json()
    assert response.status_code == 200 and data["language"] == "ru" and data["blocking"]
    assert {"blame", "name", "apology"} <= {f["rule"] for f in data["findings"]}


def test_a_language_without_rules_is_reported_not_ignored(api):
    data = post(api, {"text": "Es tut uns leid, das war unser Fehler.", "language": "de"}).json()
    assert data["coached"] is False and data["findings"][0]["rule"] == "language"


def test_bad_input_is_refused_clearly(api):
    assert post(api, {"text": 5}).status_code == 422
    assert post(api, {"text": "x" * 50_001}).status_code == 422
    assert post(api, {"text": "hi", "case_id": "00000000-0000-4000-8000-000000000000"}).status_code == 404


def test_a_promise_above_the_authority_given_blocks(api):
    text = "Olga, thank you, and sorry, our mistake. We will refund €80 today or send a voucher, as you prefer."
    over = post(api, {"text": text, "language": "en", "max_remedy_value": "50"}).json()
    within = post(api, {"text": text, "language": "en", "max_remedy_value": "100"}).json()
    assert over["blocking"] and [f["span"]["text"] for f in over["findings"] if f["rule"] == "authority"] == ["€80"]
    assert not within["blocking"]
    assert post(api, {"text": text, "max_remedy_value": "-1"}).status_code == 422


def test_a_mixed_language_draft_is_coached_in_the_case_language(api):
    case = open_case(name="Ольга").case  # a Russian customer; the company's language is English
    data = post(
        api, {"text": "Ольга, sorry, наша ошибка, we will refund today.", "case_id": str(case.public_id)}
    ).json()
    # Half Russian, half English: too mixed to call, so the case's language decides, not the company's.
    assert data["coached"] and data["language"] == "ru"
