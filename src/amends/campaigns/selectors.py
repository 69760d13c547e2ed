"""Reads for the campaign pages and the API: who is affected, and how far the sending has come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from amends.core import languages
from amends.incidents.models import Incident

from .models import AffectedCustomer, Campaign, CampaignMessage

RATE_WINDOW = 10  # seconds over which the rate actually achieved is measured


@dataclass(frozen=True)
class Progress:
    state: str
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    bounced: int
    suppressed: int
    cancelled: int
    rate: float  # messages a second over the last RATE_WINDOW seconds
    seconds_left: int | None

    @property
    def done_percent(self) -> int:
        finished = self.total - self.queued - self.sending
        return int(100 * finished / self.total) if self.total else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "total": self.total,
            "queued": self.queued,
            "sending": self.sending,
            "sent": self.sent,
            "failed": self.failed,
            "bounced": self.bounced,
            "suppressed": self.suppressed,
            "cancelled": self.cancelled,
            "rate": round(self.rate, 1),
            "seconds_left": self.seconds_left,
        }


def campaign_of(incident: Incident) -> Campaign | None:
    return Campaign.objects.filter(incident=incident).first()


def campaign_progress(campaign: Campaign) -> Progress:
    counts = dict(
        CampaignMessage.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    now = timezone.now()
    recent = CampaignMessage.objects.filter(
        campaign=campaign, state=CampaignMessage.State.SENT, sent_at__gte=now - timedelta(seconds=RATE_WINDOW)
    ).count()
    rate = recent / RATE_WINDOW
    left = counts.get("queued", 0) + counts.get("sending", 0)
    pace = min(rate, campaign.rate) if rate else 0.0
    if campaign.state == Campaign.State.SENDING and left:
        seconds_left: int | None = int(left / (pace or campaign.rate)) + 1
    else:
        seconds_left = 0 if not left else None
    return Progress(
        state=campaign.state,
        total=sum(counts.values()),
        queued=counts.get("queued", 0),
        sending=counts.get("sending", 0),
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        bounced=counts.get("bounced", 0),
        suppressed=counts.get("suppressed", 0),
        cancelled=counts.get("cancelled", 0),
        rate=rate,
        seconds_left=seconds_left,
    )


def affected_summary(incident: Incident) -> dict[str, object]:
    rows = AffectedCustomer.objects.filter(incident=incident)
    by_language = dict(rows.values_list("language").annotate(n=Count("id")).order_by("-n").values_list("language", "n"))
    return {"total": sum(by_language.values()), "by_language": by_language}


def affected_languages(incident: Incident) -> list[str]:
    """The languages the campaign's messages will be in (a row without one takes its customer's, then ours),
    normalised as the letters are; one language per preview."""
    pairs = AffectedCustomer.objects.filter(incident=incident).values_list("language", "customer__preferred_language")
    found = {
        languages.normalize(own or preferred or "") or settings.LANGUAGE_CODE for own, preferred in pairs.distinct()
    }
    return sorted(found)


def affected_sample(incident: Incident, language: str) -> AffectedCustomer | None:
    """A real customer to preview the message for, in `language`."""
    rows = AffectedCustomer.objects.filter(incident=incident).select_related("customer").order_by("id")
    for row in rows.filter(language=language)[:1]:
        return row
    for row in rows.filter(language="", customer__preferred_language=language)[:1]:
        return row
    return rows.first() if language == settings.LANGUAGE_CODE else None
