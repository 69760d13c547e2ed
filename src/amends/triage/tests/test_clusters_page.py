"""The clusters page reads what it shows and no more: the top clusters (flagged first), 20 newest members each."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from amends.cases.models import Case
from amends.conftest import open_case
from amends.triage.models import CaseTriage, ComplaintCluster
from amends.triage.selectors import cluster_members, clusters_growing

pytestmark = pytest.mark.django_db


def cluster(title: str, *, flagged: bool = False, hours_ago: int = 0, cases: int = 2) -> ComplaintCluster:
    now = timezone.now()
    return ComplaintCluster.objects.create(
        public_id=uuid.uuid4(),
        title=title,
        first_seen=now - timedelta(days=1),
        last_seen=now - timedelta(hours=hours_ago),
        cases=cases,
        flagged_at=now - timedelta(hours=hours_ago) if flagged else None,
    )


def members(group: ComplaintCluster, count: int, model: Case) -> list[Case]:
    now = timezone.now()
    made = Case.objects.bulk_create(
        Case(
            public_id=uuid.uuid4(),
            reference=f"AM-2026-{group.pk:03d}{n:04d}",
            customer=model.customer,
            brand=model.brand,
            channel=model.channel,
            description="copy",
            language="ru",
            first_response_due_at=now,
            resolution_due_at=now,
            created_at=now - timedelta(minutes=n),
            updated_at=now,
        )
        for n in range(count)
    )
    CaseTriage.objects.bulk_create(
        CaseTriage(
            case=c, result={}, model_version="t", language="ru", severity=2, cluster=group, created_at=c.created_at
        )
        for c in made
    )
    return made


def test_each_cluster_shows_its_twenty_newest_members():
    model = open_case().case
    big, small = cluster("big", flagged=True), cluster("small", hours_ago=1)
    big_cases, small_cases = members(big, 25, model), members(small, 3, model)
    shown = cluster_members(cluster_ids=[big.pk, small.pk])
    assert [c.reference for c in shown[big.pk]] == [c.reference for c in big_cases[:20]]
    assert [c.reference for c in shown[small.pk]] == [c.reference for c in small_cases]


def test_probable_incidents_come_first_then_the_latest_growing_and_no_lone_or_dismissed_ones():
    older_flag = cluster("older incident", flagged=True, hours_ago=5)
    newer_flag = cluster("newer incident", flagged=True, hours_ago=2)
    growing = cluster("growing", hours_ago=1)
    quiet = cluster("quiet", hours_ago=9)
    cluster("lonely", cases=1)
    dismissed = cluster("dismissed")
    ComplaintCluster.objects.filter(pk=dismissed.pk).update(state=ComplaintCluster.State.DISMISSED)
    assert clusters_growing() == [newer_flag, older_flag, growing, quiet]
    assert clusters_growing(limit=3) == [newer_flag, older_flag, growing]


def test_the_clusters_page_shows_twenty_members(agent_client):
    model = open_case().case
    group = cluster("the page", flagged=True)
    made = members(group, 22, model)
    body = agent_client.get("/console/clusters/").content.decode()
    assert made[0].reference in body and made[19].reference in body and made[20].reference not in body
