"""The dashboard's figures over the API: what the page shows, bad periods refused with 422 and the reason."""

import pytest
from django.test import Client

from amends.conftest import open_case
from amends.insights.services import rollups_refresh

ENDPOINTS = (
    "volume",
    "weak-spots",
    "silent-customers",
    "remedy-value",
    "first-offer",
    "first-response",
    "breaches",
    "satisfaction",
    "recurrences",
)


@pytest.mark.django_db
def test_every_figure_answers_with_an_api_key(api):
    open_case(email="a@example.com", language="ru")
    open_case(email="b@example.com", language="bg", description="Пратката не пристигна, поръчка 4411.")
    rollups_refresh()
    for name in ENDPOINTS:
        response = api.get(f"/api/v1/insights/{name}")
        assert response.status_code == 200, (name, response.content)
        assert response.json()["period"]["days"] == 30
    volume = api.get("/api/v1/insights/volume?by=language").json()
    assert {k["key"]: k["opened"] for k in volume["keys"]} == {"ru": 1, "bg": 1}
    assert sum(s["total"] for s in volume["series"]) == 2
    silent = api.get("/api/v1/insights/silent-customers").json()
    assert (silent["complaints"], silent["factor"], silent["silent"]) == (2, 26, 52)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=2016-01-01&to=2026-01-01", "longer than two years"),
        ("from=2026-03-01&to=2026-01-01", "starts after it ends"),
    ],
)
def test_a_bad_period_is_a_422_with_the_reason(api, query, words):
    for name in ENDPOINTS:
        response = api.get(f"/api/v1/insights/{name}?{query}")
        assert response.status_code == 422, name
        assert words in response.json()["detail"]
        assert "from" in response.json()["errors"]


@pytest.mark.django_db
def test_a_date_that_is_no_date_and_an_unknown_dimension_are_422(api):
    assert api.get("/api/v1/insights/volume?from=yesterday").status_code == 422
    assert api.get("/api/v1/insights/volume?by=planet").status_code == 422
    assert api.get("/api/v1/insights/satisfaction?by=brand").status_code == 422


@pytest.mark.django_db
def test_a_manager_session_reads_the_figures_and_an_agent_session_may_not(manager, agent):
    manager_client, agent_client, anonymous = Client(), Client(), Client()
    manager_client.force_login(manager)
    agent_client.force_login(agent)
    assert manager_client.get("/api/v1/insights/volume").status_code == 200
    assert agent_client.get("/api/v1/insights/volume").status_code == 403
    assert anonymous.get("/api/v1/insights/volume").status_code == 401


@pytest.mark.django_db
def test_a_date_outside_the_calendar_the_product_counts_is_422_not_500(api):
    for query in ("from=0001-01-01&to=0001-01-10", "from=9999-12-01&to=9999-12-31", "to=0001-01-01"):
        response = api.get(f"/api/v1/insights/weak-spots?{query}")
        assert response.status_code == 422, query
        assert "2000-01-01" in response.json()["detail"]


def test_every_figure_is_one_row_of_the_table_and_documented_on_its_own():
    from amends.api.api import api as amends_api
    from amends.insights.api import FIGURES, PERIOD_RULES

    assert tuple(f.name for f in FIGURES) == ENDPOINTS
    paths = amends_api.get_openapi_schema()["paths"]
    summaries = set()
    for figure in FIGURES:
        operation = paths[f"/api/v1/insights/{figure.name}"]["get"]
        assert operation["operationId"] == "amends_insights_api_" + figure.name.replace("-", "_")
        assert operation["description"] == figure.description + PERIOD_RULES
        assert operation["responses"][200]["content"]["application/json"]["schema"]["$ref"].endswith(
            figure.out.__name__
        )
        assert {p["name"] for p in operation["parameters"]} >= {"from", "to"}
        summaries.add(operation["summary"])
    assert len(summaries) == len(FIGURES)
    by = {p["name"] for p in paths["/api/v1/insights/satisfaction"]["get"]["parameters"]}
    assert "by" in by


def test_a_new_figure_gets_the_period_checks_from_the_factory():
    from amends.api.edge import Refused
    from amends.insights.api import Figure, figure_endpoint
    from amends.insights.schemas import PeriodIn, SilentOut

    seen = []
    figure = Figure("days", "Days", "How many days.", PeriodIn, SilentOut, lambda p, g: seen.append(p) or {})
    endpoint = figure_endpoint(figure)
    answer = endpoint(None, PeriodIn.model_validate({"from": "2026-01-01", "to": "2026-01-10"}))
    assert answer["period"]["days"] == 10 and seen[0].days == 10
    with pytest.raises(Refused) as refused:
        endpoint(None, PeriodIn.model_validate({"from": "2026-03-01", "to": "2026-01-01"}))
    assert refused.value.status == 422 and "from" in refused.value.errors
