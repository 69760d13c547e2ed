"""Playbook values as people read them."""

from datetime import timedelta

from django.utils.translation import ngettext

from . import targets


def human_duration(value: timedelta) -> str:
    """A target in the largest unit that measures it exactly: "2 days", "4 hours", "30 minutes"."""
    amount, unit = targets.as_amount(value)
    if unit == targets.Unit.DAYS:
        return ngettext("%(n)s day", "%(n)s days", amount) % {"n": amount}
    if unit == targets.Unit.HOURS:
        return ngettext("%(n)s hour", "%(n)s hours", amount) % {"n": amount}
    return ngettext("%(n)s minute", "%(n)s minutes", amount) % {"n": amount}
