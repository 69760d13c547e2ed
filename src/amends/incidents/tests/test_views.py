"""The console pages and the public page and feed, through Django's test client."""

import pytest
from django.test import Client

from amends.conftest import open_case
from amends.incidents.models import Incident, IncidentStatement
from amends.incidents.services import incident_link_case, incident_publish, incident_update

from .factories import declared, flagged_cluster

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_promotes_a_flagged_cluster_from_the_clusters_page(manager):
    cluster = flagged_cluster()
    client = signed_in(manager)
    page = client.get("/console/clusters/").content.decode()
    assert f"/console/incidents/promote/{cluster.public_id}/" in page
    response = client.post(f"/console/incidents/promote/{cluster.public_id}/")
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/console/incidents/{incident.public_id}/")
    detail = client.get(response["Location"]).content.decode()
    assert "5 complaints" in detail and 'data-testid="ladder-level"' in detail
    again = client.post(f"/console/incidents/promote/{cluster.public_id}/", follow=True)
    assert "is an incident already" in again.content.decode() and Incident.objects.count() == 1
    assert "Incident: " in client.get("/console/clusters/").content.decode()


def test_an_agent_reads_but_cannot_declare_or_promote(agent):
    cluster = flagged_cluster()
    client = signed_in(agent)
    assert client.get("/console/incidents/").status_code == 200
    assert "Promote to incident" not in client.get("/console/clusters/").content.decode()
    assert client.post(f"/console/incidents/promote/{cluster.public_id}/").status_code == 403
    declare = client.post(
        "/console/incidents/declare/",
        {"title": "Down", "summary": "It broke.", "started_at": "2026-11-30T10:00", "severity": "2"},
    )
    assert declare.status_code == 403 and not Incident.objects.exists()


def test_the_declare_form_shows_each_problem_and_stores_nothing(manager):
    client = signed_in(manager)
    response = client.post(
        "/console/incidents/declare/",
        {
            "title": "Down",
            "summary": "It broke.",
            "started_at": "2026-11-30T10:00",
            "ended_at": "2026-11-30T09:00",
            "severity": "2",
        },
    )
    assert response.status_code == 400 and "cannot end before it started" in response.content.decode()
    assert not Incident.objects.exists()
    ok = client.post(
        "/console/incidents/declare/",
        {
            "title": "Down",
            "summary": "It broke.",
            "started_at": "2026-11-30T10:00",
            "severity": "2",
            "entities": "checkout, 503",
            "remedy_kind": "discount_code",
            "remedy_value": "20",
        },
    )
    assert ok.status_code == 302 and Incident.objects.get().entities == ["name:checkout", "error:503"]


def test_the_case_page_says_part_of_incident_with_the_template_and_remedy_ready(agent, manager):
    incident = declared(manager, entities=[], remedy_kind="discount_code", remedy_value="20")
    case = open_case().case
    incident_link_case(incident=incident, case=case, actor=manager)
    page = signed_in(agent).get(f"/console/cases/{case.public_id}/").content.decode()
    assert 'data-testid="incident-banner"' in page and "Checkout down" in page
    assert f"/console/cases/{case.public_id}/template/incident_apology/" in page
    assert "20 %" in page


def test_statements_are_edited_coached_and_a_supplier_blamed_is_flagged(manager):
    incident = declared(manager)
    client = signed_in(manager)
    page = client.get(f"/console/incidents/{incident.public_id}/?level=blog_post").content.decode()
    assert 'data-testid="statement-ru"' in page and 'data-testid="statement-sr-latn"' in page
    saved = client.post(
        f"/console/incidents/{incident.public_id}/statement/blog_post/en/",
        {"en-title": "Checkout was down", "en-body": "It was our payment provider's outage, not ours. Sorry."},
    )
    assert saved.status_code == 302
    page = client.get(f"/console/incidents/{incident.public_id}/?level=blog_post").content.decode()
    assert "puts the failure on someone else" in page
    refused = client.post(f"/console/incidents/{incident.public_id}/publish/", {"level": "blog_post"}, follow=True)
    assert "must be fixed" in refused.content.decode() and Incident.objects.get().published_at is None
    empty = client.post(
        f"/console/incidents/{incident.public_id}/statement/blog_post/en/", {"en-title": "", "en-body": ""}
    )
    assert empty.status_code == 400
    bad_level = client.post(
        f"/console/incidents/{incident.public_id}/statement/private_reply/en/", {"en-title": "x", "en-body": "y"}
    )
    assert bad_level.status_code == 400


def test_the_public_page_speaks_the_visitors_language_and_an_unpublished_one_is_404(manager):
    incident = declared(manager)
    visitor = Client()
    assert visitor.get("/incidents/checkout-down").status_code == 404
    assert visitor.get("/incidents/checkout-down/feed.atom").status_code == 404
    incident_update(incident=incident, actor=manager, body="We found the cause.", public=True)
    incident_update(incident=incident, actor=manager, body="Internal: rollback of deploy 412.", public=False)
    assert incident_publish(incident=incident, actor=manager, level="company_page_post").published
    english = visitor.get("/incidents/checkout-down", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "We found the cause." in english and "deploy 412" not in english
    russian = visitor.get("/incidents/checkout-down", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    ru_title = IncidentStatement.objects.get(incident=incident, language="ru").title
    assert ru_title in russian and 'lang="ru"' in russian
    feed = visitor.get("/incidents/checkout-down/feed.atom", HTTP_ACCEPT_LANGUAGE="en")
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "<feed" in body and "We found the cause." in body and "deploy 412" not in body
    assert "checkout-down" in visitor.get("/incidents/").content.decode()
