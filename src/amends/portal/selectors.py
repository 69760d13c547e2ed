import uuid

from django.http import HttpRequest
from django.utils import timezone

from amends.cases.models import Case

from .models import StatusLink

SESSION_KEY = "amends_status_links"


def portal_grant(request: HttpRequest, *, link: StatusLink) -> None:
    """Remember in the customer's session which case this browser may see, and through which link."""
    grants = dict(request.session.get(SESSION_KEY, {}))
    grants[str(link.case.public_id)] = link.pk
    request.session[SESSION_KEY] = grants


def portal_case(request: HttpRequest, *, public_id: uuid.UUID) -> Case | None:
    """The case, if this browser redeemed a link to it that is still live; revoking the link ends access."""
    link_id = request.session.get(SESSION_KEY, {}).get(str(public_id))
    if link_id is None:
        return None
    link = (
        StatusLink.objects.select_related("case", "case__customer", "case__brand")
        .filter(pk=link_id, case__public_id=public_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return link.case if link else None


def portal_granted_link(request: HttpRequest, *, link: StatusLink) -> bool:
    """Whether this browser entered the case through this very link (the one that claimed a single-use link)."""
    return bool(request.session.get(SESSION_KEY, {}).get(str(link.case.public_id)) == link.pk)
