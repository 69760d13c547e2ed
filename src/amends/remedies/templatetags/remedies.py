from django import template

from amends.cases.models import Case
from amends.remedies.presenting import approval_reason as reason_words
from amends.remedies.presenting import offer_delay, seconds_between

register = template.Library()


@register.filter
def first_offer_delay(case: Case) -> str:
    """How long after the complaint the customer first had options: `0.4 s`, `3 min` (the 60-second rule)."""
    return offer_delay(seconds_between(case.created_at, case.first_offer_at))


@register.filter
def approval_reason(reason: str) -> str:
    """Why a grant waits for a manager, in the reader's language."""
    return reason_words(reason)
