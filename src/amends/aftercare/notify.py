"""Mail to staff (managers, a case's assignee) about aftercare: through the outbox, like every side effect."""

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from amends.accounts.models import User
from amends.outbox.services import outbox_email_enqueue


def managers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=[User.Role.MANAGER, User.Role.ADMIN])
        .exclude(email="")
        .order_by("id")
    )


def staff_mail(
    *, people: Iterable[User], template: str, subject: str, context: dict, case_id: int | None, dedupe: str
) -> int:
    """One mail per person, at most once per `dedupe` key. Staff read the product's language (settings)."""
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        for person in people:
            if not person.email:
                continue
            outbox_email_enqueue(
                recipient=person.email,
                subject=str(subject),
                body=body,
                sender=settings.DEFAULT_FROM_EMAIL,
                case_id=case_id,
                dedupe_key=f"{dedupe}:{person.pk}"[:200],
            )
            count += 1
    return count
