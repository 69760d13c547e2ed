"""Declaring, promoting, updating, resolving and linking, and the bad input each of them refuses."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amends.cases.models import CaseEvent
from amends.conftest import open_case
from amends.incidents.models import Incident, IncidentCase, IncidentEvent
from amends.incidents.selectors import incident_reach
from amends.incidents.services import (
    IncidentRefused,
    incident_link_case,
    incident_promote_cluster,
    incident_resolve,
    incident_unlink_case,
    incident_update,
    slug_for,
)
from amends.triage.models import ComplaintCluster

from .factories import declared, flagged_cluster

pytestmark = pytest.mark.django_db


def test_a_manager_declares_an_incident_with_a_readable_address(manager):
    incident = declared(manager, title="Оплата не проходит", entities=["error:500", "Checkout", "web:Shop.Example"])
    assert incident.slug == "oplata-ne-prohodit" and incident.state == Incident.State.OPEN
    assert incident.entities == ["error:500", "name:checkout", "web:shop.example"]
    assert list(incident.events.values_list("kind", flat=True)) == ["declared"]


def test_an_agent_may_not_declare(agent):
    with pytest.raises(IncidentRefused) as refused:
        declared(agent)
    assert refused.value.status == 403 and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": "y" * 5001}, "summary"),
        ({"title": "bad\x00title"}, "title"),
        ({"ended_at": timezone.now() - timedelta(days=2)}, "ended_at"),
        ({"started_at": timezone.now() + timedelta(days=1)}, "started_at"),
        ({"started_at": None}, "started_at"),
        ({"severity": 4}, "severity"),
        ({"severity": True}, "severity"),
        ({"entities": "error:500"}, "entities"),
        ({"entities": ["x" * 101]}, "entities"),
        ({"entities": [f"e{i}" for i in range(21)]}, "entities"),
        ({"category": "no_such_category"}, "category"),
        ({"remedy_kind": "discount_code", "remedy_value": "120"}, "remedy_value"),
        ({"remedy_kind": "teleport"}, "remedy_kind"),
        ({"remedy_kind": "store_credit", "remedy_value": "-5"}, "remedy_value"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_stored(manager, overrides, field):
    with pytest.raises(ValidationError) as refused:
        declared(manager, **overrides)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_same_titles_get_different_addresses(manager):
    first, second, third = (declared(manager, title="Checkout down") for _ in range(3))
    assert [first.slug, second.slug, third.slug] == ["checkout-down", "checkout-down-2", "checkout-down-3"]
    assert slug_for("!!!") == "incident"


def test_a_flagged_cluster_becomes_an_incident_and_its_complaints_join_it(manager):
    cluster = flagged_cluster()
    incident = incident_promote_cluster(
        actor=manager, cluster_id=cluster.public_id, remedy_kind="discount_code", remedy_value="20"
    )
    assert incident.cluster == cluster and incident.started_at == cluster.first_seen
    assert IncidentCase.objects.filter(incident=incident, how="cluster").count() == 5
    assert CaseEvent.objects.filter(kind="incident_linked").count() == 5
    assert "error:500" in incident.entities and str(incident.remedy_value) == "20.00"


def test_promoting_twice_an_unflagged_a_dismissed_or_an_unknown_cluster_is_refused(manager):
    cluster = flagged_cluster()
    incident_promote_cluster(actor=manager, cluster_id=cluster.public_id)
    with pytest.raises(IncidentRefused) as again:
        incident_promote_cluster(actor=manager, cluster_id=cluster.public_id)
    assert again.value.code == "already_promoted"
    with pytest.raises(IncidentRefused) as unknown:
        incident_promote_cluster(actor=manager, cluster_id="6f1c1d2e-0000-4000-8000-000000000000")
    assert unknown.value.status == 404
    with pytest.raises(IncidentRefused) as garbage:
        incident_promote_cluster(actor=manager, cluster_id="not-a-uuid")
    assert garbage.value.status == 404
    ComplaintCluster.objects.filter(pk=cluster.pk).update(flagged_at=None)
    Incident.objects.all().delete()
    with pytest.raises(IncidentRefused) as unflagged:
        incident_promote_cluster(actor=manager, cluster_id=cluster.public_id)
    assert unflagged.value.code == "not_flagged"
    ComplaintCluster.objects.filter(pk=cluster.pk).update(flagged_at=timezone.now(), state="dismissed")
    with pytest.raises(IncidentRefused) as dismissed:
        incident_promote_cluster(actor=manager, cluster_id=cluster.public_id)
    assert dismissed.value.code == "dismissed" and not Incident.objects.exists()


def test_a_complaint_in_the_window_naming_the_incident_is_linked_on_arrival(manager):
    incident = declared(manager, entities=["error:503"])
    later = open_case(email="late@example.com", language="en", description="Checkout shows error 503 again.").case
    other = open_case(email="else@example.com", language="en", description="My parcel is late by a week.").case
    link = IncidentCase.objects.get(case=later)
    assert link.incident == incident and link.how == "matched"
    assert not IncidentCase.objects.filter(case=other).exists()
    event = CaseEvent.objects.get(case=later, kind="incident_linked")
    assert event.data["incident"] == str(incident.public_id)
    assert incident.events.get(kind="case_linked").data["matched_on"] == "error:503"


def test_a_complaint_after_the_window_closed_is_not_linked(manager):
    start = timezone.now() - timedelta(hours=5)
    declared(manager, entities=["error:503"], started_at=start, ended_at=start + timedelta(hours=1))
    case = open_case(email="late@example.com", language="en", description="Checkout shows error 503 again.").case
    assert not IncidentCase.objects.filter(case=case).exists()


def test_a_complaint_joining_the_promoted_cluster_is_linked(manager):
    cluster = flagged_cluster()
    incident = incident_promote_cluster(actor=manager, cluster_id=cluster.public_id)
    Incident.objects.filter(pk=incident.pk).update(entities=[])  # only the cluster can match now
    case = open_case(
        email="six@example.com", language="en", description="The website is down, error 500 at checkout."
    ).case
    assert IncidentCase.objects.get(case=case).incident == incident


def test_updates_and_resolving_write_the_timeline_and_resolving_twice_is_refused(manager):
    incident = declared(manager)
    incident_update(incident=incident, actor=manager, body="We found the cause.", public=True)
    incident_update(incident=incident, actor=manager, body="Rolled back deploy 412.", public=False)
    with pytest.raises(ValidationError):
        incident_update(incident=incident, actor=manager, body="  ", public=True)
    incident_resolve(incident=incident, actor=manager, body="Fixed.")
    with pytest.raises(IncidentRefused) as again:
        incident_resolve(incident=incident, actor=manager)
    assert again.value.code == "already_resolved"
    kinds = list(incident.events.order_by("id").values_list("kind", "public"))
    assert kinds == [("declared", False), ("update", True), ("update", False), ("resolved", True)]
    assert Incident.objects.get(pk=incident.pk).ended_at is not None


def test_a_case_belongs_to_one_incident_and_linking_again_changes_nothing(manager):
    first, second = declared(manager, entities=[]), declared(manager, title="Other", entities=[])
    case = open_case().case
    assert incident_link_case(incident=first, case=case, actor=manager).created
    assert not incident_link_case(incident=first, case=case, actor=manager).created
    with pytest.raises(IncidentRefused) as other:
        incident_link_case(incident=second, case=case, actor=manager)
    assert other.value.code == "other_incident"
    incident_unlink_case(incident=first, case=case, actor=manager)
    with pytest.raises(IncidentRefused):
        incident_unlink_case(incident=first, case=case, actor=manager)
    assert list(CaseEvent.objects.filter(case=case, kind__startswith="incident").values_list("kind", flat=True)) == [
        "incident_linked",
        "incident_unlinked",
    ]


def test_the_reach_counts_customers_public_complaints_followers_and_press(manager):
    incident = declared(manager, entities=[], started_at=timezone.now() - timedelta(hours=4))
    cases = [
        open_case(
            email="a@example.com",
            language="en",
            description="Your site is broken, I will tell the newspaper journalist.",
        ).case,
        open_case(
            email="b@example.com",
            language="en",
            channel="public_thread",
            followers=25_000,
            description="@shop your checkout is broken again",
        ).case,
        open_case(email="a@example.com", language="en", description="Still broken, my lawyer will hear about it.").case,
    ]
    for case in cases:
        incident_link_case(incident=incident, case=case, actor=manager)
    reach = incident_reach(incident=incident, extra_customers=10)
    assert reach.customers == 12 and reach.public_complaints == 1 and reach.followers == 25_000
    assert reach.press == 1 and reach.legal == 1 and 3.9 < reach.hours < 4.1
