"""Bad input at the API's edge: every refusal is a 4xx naming what is wrong, in the caller's language, and stores
nothing. Through Django's test client (the whole request stack, in process); test_http.py repeats the byte-level
cases over a real socket."""

import base64
import json

import pytest
from django.test import Client

from amends.api.models import IdempotencyRecord
from amends.cases.models import Case, CaseEvent, Message
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

BODY = {
    "customer": {"email": "marko@example.com", "name": "Марко", "language": "sr-Cyrl", "external_id": "crm-7"},
    "description": "Наручио сам патике број 43, а стигле су 41.",
    "subject": "Погрешна величина",
    "order": {"reference": "SO-77", "value": "89.90", "currency": "RSD"},
    "remedy_sought": "Замена",
}
NOT_TEXT = {"surrogate": "\ud800", "low surrogate": "\udfff", "NUL": "\x00"}


def post(client: Client, path: str, body, **headers):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type=headers.pop("content_type", "application/json"), headers=headers)


def with_value(body: dict, path: str, value: object) -> dict:
    copy = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target = copy
    for part in parents:
        target = target[part]
    target[last] = value
    return copy


def nothing_stored() -> bool:
    return not (
        Case.objects.exists()
        or Message.objects.exists()
        or CaseEvent.objects.exists()
        or OutboxMessage.objects.exists()
        or IdempotencyRecord.objects.exists()
    )


CASE_TEXT_FIELDS = [
    "description",
    "subject",
    "remedy_sought",
    "customer.email",
    "customer.name",
    "customer.language",
    "customer.external_id",
    "order.reference",
    "order.currency",
]


@pytest.mark.parametrize("kind", NOT_TEXT)
@pytest.mark.parametrize("field", CASE_TEXT_FIELDS)
def test_it_refuses_text_that_is_not_text_in_any_field_of_a_case_by_name(api, field, kind):
    response = post(api, "/api/v1/cases", with_value(BODY, field, f"ab{NOT_TEXT[kind]}cd"))
    assert response.status_code == 422
    data = response.json()
    assert list(data["errors"]) == [field]
    assert f"character 3 is U+{ord(NOT_TEXT[kind]):04X}" in data["errors"][field][0]
    assert data["detail"].startswith(f"{field}: ")
    assert nothing_stored()


@pytest.mark.parametrize("kind", NOT_TEXT)
def test_it_refuses_text_that_is_not_text_in_a_message_or_a_draft(api, kind):
    case = open_case().case
    Message.objects.all().delete()
    bad = f"Any news?{NOT_TEXT[kind]}"
    response = post(api, f"/api/v1/cases/{case.public_id}/messages", {"body": bad, "kind": "reply"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["body"]
    assert not Message.objects.exists() and not OutboxMessage.objects.exclude(dedupe_key=f"ack:{case.pk}").exists()
    for draft in ({"text": bad}, {"text": "Sorry, our mistake.", "language": bad}):
        response = post(api, "/api/v1/coach", draft)
        assert response.status_code == 422 and list(response.json()["errors"]) == [
            next(k for k in draft if draft[k] == bad)
        ]


def test_a_lone_surrogate_in_a_key_is_refused_naming_it(api):
    response = post(api, "/api/v1/cases", {**BODY, "\ud800": 1})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["\\ud800"]
    assert nothing_stored()


@pytest.mark.parametrize(
    "raw",
    [
        b'{"customer": {"email": "a@b.co"}, "description": "ab\xed\xa0\x80cd"}',  # a surrogate encoded as UTF-8
        b'{"customer": {"email": "a@b.co"}, "description": "ab\xffcd"}',
        b'{"customer": {"email": "a@b.co"}, "description": "ab\xc3"}',
        '{"customer": {"email": "a@b.co"}, "description": "Çaj"}'.encode("latin-1"),
    ],
)
def test_a_body_that_is_not_utf8_is_a_400_saying_where(api, raw):
    response = post(api, "/api/v1/cases", raw)
    assert response.status_code == 400
    assert "not valid UTF-8: byte" in response.json()["detail"]
    assert nothing_stored()


@pytest.mark.parametrize("raw", ["[1, 2]", '"a complaint"', "42", "null", "true"])
def test_a_body_that_is_not_a_json_object_is_a_422(api, raw):
    response = post(api, "/api/v1/cases", raw)
    assert response.status_code == 422
    assert response.json()["errors"] == {"__all__": ["The request body must be a JSON object."]}
    assert nothing_stored()


@pytest.mark.parametrize("raw", ["{not json", '{"followers": NaN}', '{"followers": Infinity}', "\ufeff{}", ""])
def test_a_body_that_is_not_json_is_refused(api, raw):
    response = post(api, "/api/v1/cases", raw)
    assert response.status_code in (400, 422)  # an empty body is a missing one: 422 naming the whole request
    assert response.json()["detail"]
    assert nothing_stored()


@pytest.mark.parametrize(
    "content_type",
    ["application/xml", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_a_body_that_is_not_json_by_its_content_type_is_a_415(api, content_type):
    response = post(api, "/api/v1/cases", json.dumps(BODY), content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert nothing_stored()


def test_json_with_its_charset_named_is_accepted(api):
    assert post(api, "/api/v1/cases", BODY, content_type="application/json; charset=UTF-8").status_code == 201


def test_an_unknown_field_is_refused_by_name_not_dropped(api):
    response = post(api, "/api/v1/cases", {**BODY, "remedy_sougth": "refund"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["remedy_sougth"]
    response = post(api, "/api/v1/cases", with_value(BODY, "customer.phone", "+381"))
    assert list(response.json()["errors"]) == ["customer.phone"]
    assert nothing_stored()


def test_a_null_or_missing_message_body_is_named(api):
    case = open_case().case
    for body in ({"body": None}, {}, {"body": 5}):
        response = post(api, f"/api/v1/cases/{case.public_id}/messages", body)
        assert response.status_code == 422 and list(response.json()["errors"]) == ["body"], response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", ""),
        ("description", " \t\n\x01\u3000"),  # only what clean-up takes away
        ("description", "x" * 20_001),
        ("customer.email", ""),
        ("customer.email", "a@b"),
        ("customer.email", " marko@example.com"),
        ("customer.name", "x" * 201),
        ("customer.language", "tlh"),
        ("customer.language", "ru" + "-abc" * 20),
        ("order.value", "49.999"),
        ("order.value", "1e3"),
        ("order.value", " 49.90"),
        ("order.value", True),
        ("order.value", 10**10),
        ("order.currency", "eur"),
        ("order.currency", ""),
        ("channel", "pigeon"),
        ("followers", "5"),
        ("followers", True),
        ("followers", 1.5),
    ],
)
def test_what_the_document_refuses_the_api_refuses_by_name(api, field, value):
    response = post(api, "/api/v1/cases", with_value(BODY, field, value))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field], response.json()
    assert nothing_stored()


def test_an_amount_with_a_decimal_comma_is_read_as_the_form_reads_it(api):
    for value, stored in (("49,90", "49.90"), ("49.9", "49.90"), (49.9, "49.90"), (0.57, "0.57"), ("0", "0.00")):
        data = post(api, "/api/v1/cases", with_value(BODY, "order.value", value)).json()
        assert data["order"]["value"] == stored, value


def test_an_amount_the_form_refuses_the_api_refuses_with_the_same_message(api):
    from amends.intake.tests.test_form import csrf_client

    form, token = csrf_client("sk")
    page = form.post(
        "/",
        {"csrfmiddlewaretoken": token, "description": "Zlá veľkosť.", "email": "a@b.sk", "order_value": "49,999"},
    ).content.decode()
    answer = post(api, "/api/v1/cases", with_value(BODY, "order.value", "49,999"), **{"Accept-Language": "sk"})
    message = answer.json()["errors"]["order.value"][0]
    assert message != "The order value must have at most 10 digits and 2 decimals."  # in Slovak
    assert message in page
    assert nothing_stored()


def test_numbers_in_the_body_are_read_exactly(api):
    text = "Olga, sorry, our mistake. We will refund €80.10 today."
    over = post(api, "/api/v1/coach", {"text": text, "language": "en", "max_remedy_value": 80.09}).json()
    within = post(api, "/api/v1/coach", {"text": text, "language": "en", "max_remedy_value": 80.1}).json()
    assert over["blocking"] and not within["blocking"]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("-1", "max_remedy_value"),
        ("0.001", "max_remedy_value"),
        (1e300, "max_remedy_value"),
        ("NaN", "max_remedy_value"),
    ],
)
def test_the_authority_of_a_draft_is_an_amount(api, value, field):
    response = post(api, "/api/v1/coach", {"text": "Sorry.", "max_remedy_value": value})
    assert response.status_code == 422 and list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("created_after=0001-01-01T00:00:00%2B01:00", 1),  # before the first moment there is: everything
        ("created_before=0001-01-01T00:00:00%2B01:00", 0),
        ("created_before=9999-12-31T23:59:59-01:00", 1),  # after the last one: everything
        ("created_after=9999-12-31T23:59:59-01:00", 0),
        ("created_after=0000-01-01T00:00:00Z", 1),
        ("created_after=2000-06-30T23:59:60Z", 1),  # a leap second
    ],
)
def test_dates_at_the_edge_of_the_calendar_keep_their_meaning(api, query, count):
    open_case()
    response = api.get(f"/api/v1/cases?{query}")
    assert response.status_code == 200
    assert len(response.json()["items"]) == count


@pytest.mark.parametrize(
    "value", ["0.5", "1700000000", "2026-05-01", "2026-05-01T09:30:00", "2026-02-30T00:00:00Z", "2026-05-01 09:30Z"]
)
def test_a_date_that_is_not_an_rfc3339_date_time_is_a_422_naming_the_filter(api, value):
    response = api.get("/api/v1/cases", {"created_before": value})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["created_before"]


@pytest.mark.parametrize(
    "decoded",
    [b"0001-01-01T00:00:00+01:00|5", b"9999-12-31T23:59:59-01:00|5", b"2026-01-01T00:00:00|5", b"2026|5", b"x|99" * 9],
)
def test_a_cursor_that_decodes_to_what_the_api_never_gives_out_is_a_400(api, decoded):
    cursor = base64.urlsafe_b64encode(decoded).decode()
    response = api.get(f"/api/v1/cases?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["detail"] == "The cursor is not one this API gave out."


def test_a_cursor_with_an_id_past_what_a_database_holds_is_a_400(api):
    cursor = base64.urlsafe_b64encode(f"2026-01-01T00:00:00+00:00|{2**64}".encode()).decode()
    assert api.get(f"/api/v1/cases?cursor={cursor}").status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("status=lost", "status"),
        ("channel=pigeon", "channel"),
        ("customer_email=a%00b", "customer_email"),
        ("language=%00", "language"),
    ],
)
def test_a_query_parameter_out_of_its_rules_is_a_422_naming_it(api, query, field):
    response = api.get(f"/api/v1/cases?{query}")
    assert response.status_code == 422 and list(response.json()["errors"]) == [field]


def test_a_query_percent_encoding_a_surrogate_reads_as_replacement_characters_not_a_crash(api):
    # Django decodes the query string with errors="replace": %ED%A0%80 arrives as three U+FFFD.
    assert api.get("/api/v1/cases?customer_email=%ED%A0%80").json()["items"] == []


@pytest.mark.parametrize(
    ("value", "status"),
    [("k" * 256, 422), ("key\x00", 422), (" ", None)],
)
def test_an_idempotency_key_out_of_its_rules_is_refused_and_burns_nothing(api, value, status):
    response = post(api, "/api/v1/cases", BODY, **{"Idempotency-Key": value})
    if status is None:  # blank: no key, the request is simply done
        assert response.status_code == 201 and not IdempotencyRecord.objects.exists()
        return
    assert response.status_code == status
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert nothing_stored()


@pytest.mark.parametrize(
    "authorization",
    ["Bearer amk_\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00_x", "Bearer amk_\ud800_x", "Bearer ✓"],
)
def test_a_key_of_the_wrong_shape_is_a_401_without_a_lookup(db, authorization, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = post(Client(), "/api/v1/cases", BODY, Authorization=authorization)
    assert response.status_code == 401


def test_an_address_under_the_api_that_is_no_endpoint_is_a_json_404(api):
    for path in ("/api/v1/nothing", "/api/v1/cases/a/b", "/api/v2/cases", "/api/v1/cases/x/messages/y"):
        response = api.get(path)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), path
        assert response.json()["detail"]


def test_an_unknown_case_is_a_404_in_the_callers_language(api):
    response = api.get("/api/v1/cases/00000000-0000-4000-8000-000000000000", headers={"Accept-Language": "ru"})
    assert response.status_code == 404 and response.json() == {"detail": "Обращения с таким идентификатором нет."}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Здесь нужен текст (строка JSON)."),
        ("bg", "Тук е нужен текст (JSON низ)."),
        ("sr", "Овде је потребан текст (JSON стринг)."),
        ("sr-latn", "Ovde je potreban tekst (JSON string)."),
        ("sk", "Sem patrí text (reťazec JSON)."),
        ("en", "Give a text (a JSON string) here."),
    ],
)
def test_refusals_at_the_edge_speak_the_callers_language(api, language, expected):
    response = post(api, "/api/v1/cases", {**BODY, "description": None}, **{"Accept-Language": language})
    assert response.json()["errors"] == {"description": [expected]}
    surrogate = post(api, "/api/v1/cases", {**BODY, "subject": "\ud800"}, **{"Accept-Language": language})
    assert "U+D800" in surrogate.json()["errors"]["subject"][0]
    not_json = post(api, "/api/v1/cases", "<a/>", content_type="application/xml", **{"Accept-Language": language})
    assert not_json.status_code == 415 and ("application/json" in not_json.json()["detail"])
    if language != "en":
        assert (
            not_json.json()["detail"] != "Send the request body as JSON in UTF-8, with Content-Type: application/json."
        )


def test_a_body_over_the_limit_is_a_413_in_json(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(api, "/api/v1/cases", {**BODY, "description": "x" * 2000})
    assert response.status_code == 413 and response.json()["detail"]
    assert nothing_stored()
