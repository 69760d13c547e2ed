"""A customer's own status page for an incident apology, reached through the link in their message.

Opening the link (signed for that message alone, see apology_links) is swapped for a session grant, as a case's
status link is: a customer who complained about the incident lands on their case's status page (through a status
link of the portal's own, made on first use and withdrawn with the case's other links); anyone else lands on a page
of their own with the incident's public updates and their own code. Only what the message holds and the incident's
public side are shown: another customer's message, code or case is never reachable from a link.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from amends.campaigns.letters import Remedy, unsubscribe_url
from amends.campaigns.models import CampaignMessage
from amends.cases.models import Case
from amends.incidents.drafts import public_url
from amends.incidents.models import Incident, IncidentEvent
from amends.incidents.selectors import incident_timeline
from amends.outbox.suppression import is_suppressed
from amends.remedies import catalogue, codes

from .models import StatusLink

SESSION_KEY = "amends_apologies"


def apology_message(public_id: uuid.UUID) -> CampaignMessage | None:
    return (
        CampaignMessage.objects.select_related("campaign__incident__brand")
        .filter(public_id=public_id, state__in=[CampaignMessage.State.SENT, CampaignMessage.State.SENDING])
        .first()
    )


def apology_link_expires(message: CampaignMessage) -> datetime:
    """The link works for as long as a case's status link does, counted from when the message was sent."""
    sent = message.sent_at or message.campaign.started_at or message.due_at
    return sent + timedelta(days=settings.STATUS_LINK_DAYS)


def apology_case(message: CampaignMessage) -> Case | None:
    """The customer's own latest case about the incident (linked to it, or in its cluster), if they complained."""
    incident = message.campaign.incident
    about = Q(incident_link__incident=incident)
    if incident.cluster_id:
        about |= Q(triage__cluster_id=incident.cluster_id)
    return Case.objects.filter(about, customer_id=message.customer_id).order_by("-created_at").first()


def _case_link_key(message: CampaignMessage, case: Case) -> str:
    # A status link of the portal's own for this message and case: keyed by an HMAC, never by a hash of a token,
    # so no token given to the portal's /t/ door can ever stand for it.
    mac = hmac.new(
        settings.SECRET_KEY.encode(),
        b"amends.portal.apology-case:" + message.public_id.bytes + case.public_id.bytes,
        hashlib.sha256,
    )
    return "a" + mac.hexdigest()[:63]


def apology_case_link(*, message: CampaignMessage, case: Case, now: datetime | None = None) -> StatusLink | None:
    """The status link that lets this browser see the customer's case, made on first use; None when the case's
    links were withdrawn (an agent revoked them), which the apology link must not undo."""
    now = now or timezone.now()
    key = _case_link_key(message, case)
    expires = apology_link_expires(message)
    link = StatusLink.objects.filter(token_hash=key).first()
    if link is None:
        try:
            with transaction.atomic():
                link = StatusLink.objects.create(
                    case=case, token_hash=key, created_at=now, expires_at=expires, last_used_at=now
                )
        except IntegrityError:  # the same link opened twice at once: the other made it
            link = StatusLink.objects.get(token_hash=key)
    if link.revoked_at is not None or link.case_id != case.pk:
        return None
    StatusLink.objects.filter(pk=link.pk).update(last_used_at=now, expires_at=expires)
    link.case = case
    return link


def apology_grant(request: HttpRequest, *, message: CampaignMessage) -> None:
    granted = [p for p in request.session.get(SESSION_KEY, []) if p != str(message.public_id)]
    request.session[SESSION_KEY] = [*granted[-19:], str(message.public_id)]


def apology_granted(request: HttpRequest, *, public_id: uuid.UUID) -> CampaignMessage | None:
    """The message, if this browser opened its link and the link still works."""
    if str(public_id) not in request.session.get(SESSION_KEY, []):
        return None
    message = apology_message(public_id)
    if message is None or timezone.now() > apology_link_expires(message):
        return None
    return message


def apology_for_case(request: HttpRequest, *, case: Case) -> CampaignMessage | None:
    """The apology this browser opened that belongs to the case's customer, to show beside their case."""
    granted = request.session.get(SESSION_KEY, [])
    if not granted:
        return None
    message = (
        CampaignMessage.objects.select_related("campaign__incident__brand")
        .filter(public_id__in=granted, customer_id=case.customer_id)
        .order_by("-id")
        .first()
    )
    if message is None or timezone.now() > apology_link_expires(message):
        return None
    return message


@dataclass(frozen=True)
class ApologyView:
    message: CampaignMessage
    incident: Incident
    code: str
    remedy: str
    valid_until: datetime
    updates: list[IncidentEvent]
    public_page: str
    unsubscribe: str
    case: Case | None


def apology_view(message: CampaignMessage, *, language: str) -> ApologyView:
    campaign = message.campaign
    incident = campaign.incident
    terms = Remedy(
        kind=campaign.remedy_kind,
        percent=campaign.percent,
        amount=campaign.amount,
        currency=campaign.currency,
        valid_until=timezone.localtime(campaign.valid_until).date(),
    ).terms()
    return ApologyView(
        message=message,
        incident=incident,
        code=codes.group(message.code) if message.code else "",
        remedy=catalogue.describe(terms, language),
        valid_until=campaign.valid_until,
        updates=list(incident_timeline(incident=incident, public_only=True)[:50]),
        public_page=public_url(incident) if incident.published_at else "",
        unsubscribe="" if is_suppressed(message.recipient) else unsubscribe_url(message.public_id),
        case=apology_case(message),
    )
