"""Reading incidents: the console's lists and pages (any member of staff reads them), the public page (published
ones only), and the ladder's reading of an incident's reach."""

import re
import uuid
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from amends.accounts.models import User
from amends.cases.models import Case, Channel

from .ladder import Reach
from .models import Incident, IncidentCase, IncidentEvent

_FOLLOWERS = re.compile(r"^(\d+) followers$")
_LEGAL = "legal threat or regulator: "
_PRESS = "press: "


def incidents_list(*, actor: User) -> QuerySet[Incident]:
    """Open incidents first, the latest first; each with the number of its complaints."""
    return (
        Incident.objects.select_related("category", "declared_by")
        .annotate(complaints=Count("links"))
        .order_by("state", "-started_at", "-id")
    )


def incident_get(*, actor: User | None, public_id: uuid.UUID | str) -> Incident | None:
    return (
        Incident.objects.select_related("category", "brand", "cluster", "declared_by")
        .filter(public_id=public_id)
        .first()
    )


def incident_cases(*, incident: Incident, limit: int = 200) -> list[Case]:
    return list(
        Case.objects.filter(incident_link__incident=incident).select_related("customer").order_by("-created_at")[:limit]
    )


def incident_timeline(*, incident: Incident, public_only: bool = False) -> QuerySet[IncidentEvent]:
    events = IncidentEvent.objects.filter(incident=incident).select_related("actor")
    if public_only:
        events = events.filter(public=True)
    return events.order_by("-created_at", "-id")


def incident_for_case(*, case: Case) -> Incident | None:
    link = IncidentCase.objects.filter(case=case).select_related("incident").first()
    return link.incident if link else None


def incident_public(*, slug: str) -> Incident | None:
    """A published incident, for the public page and feed; an unpublished one does not exist to the public."""
    return Incident.objects.select_related("brand").filter(slug=slug, published_at__isnull=False).first()


def incidents_published() -> QuerySet[Incident]:
    return Incident.objects.filter(published_at__isnull=False).order_by("-started_at")[:50]


def incident_reach(*, incident: Incident, extra_customers: int = 0, now: datetime | None = None) -> Reach:
    """What the ladder reads: the complainants (plus `extra_customers`, e.g. those a campaign names), the public
    complaints, the loudest author's followers and the press and legal mentions triage found, and the duration."""
    rows = list(
        Case.objects.filter(incident_link__incident=incident).values_list("customer_id", "channel", "triage__result")
    )
    customers = len({customer for customer, _channel, _result in rows})
    public = sum(1 for _customer, channel, _result in rows if channel == Channel.PUBLIC_THREAD)
    followers = press = legal = 0
    for _customer, _channel, result in rows:
        if not isinstance(result, dict):
            continue
        for signal in (result.get("public_risk") or {}).get("signals") or []:
            found = _FOLLOWERS.match(str(signal))
            if found:
                followers = max(followers, int(found[1]))
        press += any(str(s).startswith(_PRESS) for s in (result.get("ladder") or {}).get("signals") or [])
        legal += any(str(s).startswith(_LEGAL) for s in (result.get("severity") or {}).get("signals") or [])
    end = incident.ended_at or now or timezone.now()
    hours = max(0.0, (end - incident.started_at).total_seconds() / 3600)
    return Reach(
        customers=customers + max(0, extra_customers),
        public_complaints=public,
        followers=followers,
        press=press,
        legal=legal,
        hours=hours,
    )
