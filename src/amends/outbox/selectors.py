from django.db.models import QuerySet

from amends.accounts.models import User
from amends.core.tallies import tally_totals

from .models import OutboxMessage


def outbox_failed_list(*, actor: User) -> QuerySet[OutboxMessage]:
    if not actor.is_manager:
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(state=OutboxMessage.State.FAILED).select_related("case").order_by("-created_at")


def outbox_counts() -> dict[str, int]:
    """Messages in each state, from the kept count (core.tallies): never a count of the whole outbox."""
    return tally_totals("outbox.state")
