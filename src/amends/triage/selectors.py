"""Reads for the triage pages, each bounded by what a page shows, not by how many cases there are."""

import uuid
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from .models import CaseTriage, ComplaintCluster

CLUSTERS_SHOWN = 50
MEMBERS_SHOWN = 20


def clusters_growing(*, limit: int = CLUSTERS_SHOWN) -> list[ComplaintCluster]:
    """Open clusters of two complaints or more: probable incidents first (latest flagged first), then the others by
    their latest complaint. Two index walks that stop at `limit` (cluster_flagged, cluster_growing), not a sort of
    every open cluster."""
    # With each its incident, if promoted to one (the page links it): one join, not a query per cluster.
    open_many = ComplaintCluster.objects.filter(state=ComplaintCluster.State.OPEN, cases__gte=2).select_related(
        "category", "incident"
    )
    flagged = list(open_many.filter(flagged_at__isnull=False).order_by("-flagged_at", "-id")[:limit])
    if len(flagged) < limit:
        flagged += open_many.filter(flagged_at__isnull=True).order_by("-last_seen", "-id")[: limit - len(flagged)]
    return flagged


class ClusterMember(NamedTuple):
    """A case as the clusters page lists it."""

    public_id: uuid.UUID
    reference: str
    language: str
    subject: str


def cluster_members(*, cluster_ids: list[int], per_cluster: int = MEMBERS_SHOWN) -> dict[int, list[ClusterMember]]:
    """The newest `per_cluster` cases of each cluster. PostgreSQL: a LATERAL join, `per_cluster` rows read from the
    index per cluster. SQLite (no LATERAL): ROW_NUMBER() over each cluster's members."""
    if not cluster_ids:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.id FROM unnest(%s::bigint[]) AS c(id) CROSS JOIN LATERAL ("
                "SELECT id FROM triage_casetriage WHERE cluster_id = c.id ORDER BY created_at DESC, id DESC LIMIT %s"
                ") AS t",
                [cluster_ids, per_cluster],
            )
            ids = [row[0] for row in cursor.fetchall()]
        chosen = CaseTriage.objects.filter(id__in=ids)
    else:
        from django.db.models import F, Window
        from django.db.models.functions import RowNumber

        chosen = (
            CaseTriage.objects.filter(cluster_id__in=cluster_ids)
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=F("cluster_id"), order_by=(F("created_at").desc(), F("id").desc())
                )
            )
            .filter(rank__lte=per_cluster)
        )
    members = (
        CaseTriage.objects.filter(Q(id__in=chosen.values("id")))
        .order_by("-created_at", "-id")
        .values_list("cluster_id", "case__public_id", "case__reference", "case__language", "case__subject")
    )
    # Plain rows, not models: the page shows a thousand members, and two model instances each cost a fifth of it.
    by_cluster: dict[int, list[ClusterMember]] = {}
    for cluster_id, public_id, reference, language, subject in members:
        by_cluster.setdefault(cluster_id or 0, []).append(ClusterMember(public_id, reference, language, subject))
    return by_cluster
