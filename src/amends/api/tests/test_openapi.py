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
