import json

import pytest

from amends.api.management.commands.openapi import COMMITTED, current_schema


def test_the_committed_openapi_document_matches_the_code():
    assert COMMITTED.read_text() == current_schema(), "run 'manage.py openapi' and commit docs/openapi.json"


@pytest.mark.django_db
def test_the_document_is_served_and_names_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/messages"} <= set(schema["paths"])
    assert json.loads(COMMITTED.read_text())["info"]["title"] == "amends"


def test_the_document_declares_what_the_api_enforces():
    from amends.api.fields import AMOUNT_SCHEMA
    from amends.cases.public_threads import HANDLE_PATTERN, URL_PATTERN
    from amends.core.text import VISIBLE_TEXT_PATTERN

    document = json.loads(current_schema())
    schemas = document["components"]["schemas"]
    query = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 200)
    assert {"format": "date-time", "type": "string"} in query["created_before"]["anyOf"]
    # Optional for a public post (its author may be known only by a handle), required for everything else.
    email = schemas["CustomerIn"]["properties"]["email"]["anyOf"]
    assert email[0].items() >= {"format": "email", "maxLength": 254}.items() and email[1] == {"type": "null"}
    assert schemas["CaseIn"]["else"]["properties"]["customer"]["required"] == ["email"]
    assert schemas["CaseIn"]["then"]["required"] == ["public"]
    public = schemas["PublicIn"]["properties"]
    assert public["handle"]["pattern"] == HANDLE_PATTERN and public["handle"]["maxLength"] == 100
    assert public["post_url"]["pattern"] == URL_PATTERN and "enum" in str(schemas["Platform"])
    for schema, field in (("CaseIn", "description"), ("MessageIn", "body")):
        assert schemas[schema]["properties"][field]["pattern"] == VISIBLE_TEXT_PATTERN
        assert schemas[schema]["properties"][field]["maxLength"] == 20_000
    for schema, field in (("OrderIn", "value"), ("CoachIn", "max_remedy_value")):
        assert schemas[schema]["properties"][field]["anyOf"][:2] == AMOUNT_SCHEMA["anyOf"]
    assert schemas["OrderIn"]["then"]["required"] == ["currency"]
    for name in ("CaseIn", "CustomerIn", "OrderIn", "MessageIn", "CoachIn", "PublicIn"):
        assert schemas[name]["additionalProperties"] is False, name


def test_every_operation_declares_its_refusals_as_error_out():
    document = json.loads(current_schema())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            expected = {"400", "401", "422"} | ({"413", "415"} if method == "post" else set())
            assert expected <= codes, (method, path, codes)
            for code in codes - {"200", "201"}:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                # ReplyRefusedOut is ErrorOut with the coach's findings added, for a reply the coach refused.
                allowed = ["ErrorOut", "ReplyRefusedOut"] if code == "422" else ["ErrorOut"]
                assert schema in [{"$ref": f"#/components/schemas/{name}"} for name in allowed], (method, path, code)
