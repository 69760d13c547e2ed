from django import template

from amends.cases.models import Case
from amends.remedies.models import KIND_CHOICES
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


@register.filter
def kind_label(kind: object) -> str:
    """A remedy kind (`store_credit`) as the reader's language names it."""
    return str(dict(KIND_CHOICES).get(str(kind), kind))
