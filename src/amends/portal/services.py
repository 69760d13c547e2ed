import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from amends.accounts.models import User
from amends.cases.models import ActorKind, Case, CaseEvent
from amends.cases.services import event_record

from .models import StatusLink


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_link_create(*, case: Case, single_use: bool = False) -> tuple[StatusLink, str]:
    """A new status link for the case and its absolute URL, which holds the only copy of the token. A single-use
    link (one posted in public) lets in only the first browser that opens it."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = StatusLink.objects.create(
        case=case,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.STATUS_LINK_DAYS),
        single_use=single_use,
    )
    return link, settings.BASE_URL + reverse("portal:redeem", kwargs={"token": token})


def status_link_find(*, token: str) -> StatusLink | None:
    """The live link a token stands for (claimed or not), or None for an unknown, expired or revoked one."""
    if not 20 <= len(token) <= 100:
        return None
    return (
        StatusLink.objects.select_related("case", "case__brand")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def status_link_claim(*, link: StatusLink) -> bool:
    """Claim a single-use link (one posted in a public reply) for the browser that confirmed it: of two browsers
    confirming at once, one gets it. The case's timeline says when it was claimed, so the agent knows the customer
    went on privately (or, if the customer says it was not them, that a new link is due)."""
    now = timezone.now()
    if not StatusLink.objects.filter(pk=link.pk, single_use=True, claimed_at__isnull=True).update(
        claimed_at=now, last_used_at=now
    ):
        return False
    link.claimed_at = now
    event_record(
        case=link.case, kind=CaseEvent.Kind.CONTINUATION_CLAIMED, actor_kind=ActorKind.CUSTOMER, data={}, at=now
    )
    return True


def status_link_redeem(*, token: str) -> StatusLink | None:
    """The live link a token stands for, or None for an unknown, expired or revoked one."""
    if not 20 <= len(token) <= 100:
        return None
    now = timezone.now()
    link = (
        StatusLink.objects.select_related("case")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None:
        return None
    if link.single_use:
        # Claimed atomically: of two browsers opening it at once, one gets in.
        if not StatusLink.objects.filter(pk=link.pk, claimed_at__isnull=True).update(claimed_at=now, last_used_at=now):
            return None
        return link
    StatusLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


@transaction.atomic
def status_links_revoke(*, case: Case, actor: User) -> int:
    revoked = StatusLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=timezone.now())
    event_record(
        case=case,
        kind=CaseEvent.Kind.STATUS_LINK_REVOKED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data={"revoked": revoked},
    )
    return revoked
