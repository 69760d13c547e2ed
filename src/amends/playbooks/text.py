"""Playbook values as people read them."""

from datetime import timedelta

from django.utils.translation import pgettext

from . import targets


def human_duration(value: timedelta) -> str:
    """A target in the largest unit that measures it exactly: "2 d", "4 h", "30 min" (abbreviated, so that no
    language needs plural forms the catalogues do not declare)."""
    amount, unit = targets.as_amount(value)
    if unit == targets.Unit.DAYS:
        return pgettext("playbooks", "%(n)s d") % {"n": amount}
    if unit == targets.Unit.HOURS:
        return pgettext("playbooks", "%(n)s h") % {"n": amount}
    return pgettext("playbooks", "%(n)s min") % {"n": amount}
