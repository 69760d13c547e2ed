from django.db.models import Count, QuerySet

from amends.accounts.models import User

from .models import OutboxMessage


def outbox_failed_list(*, actor: User) -> QuerySet[OutboxMessage]:
    if not actor.is_manager:
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(state=OutboxMessage.State.FAILED).select_related("case").order_by("-created_at")


def outbox_counts() -> dict[str, int]:
    rows = OutboxMessage.objects.values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}
