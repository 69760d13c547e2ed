"""Fixtures for the remedy engine's Django side: a policy the test controls, limits, budgets and rates."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from amends.accounts.models import AuthorityLimit
from amends.remedies.models import ExchangeRate, RemedyPolicy
from amends.remedies.selectors import policy_forget

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "data" / "default_policy.toml"

# Every case gets the same options, whatever triage makes of it: two, from one rule with no conditions.
SIMPLE = """\
version = 2
currency = "EUR"

[caps]
max_value = 200

[defaults]
auto_offer = false

[[defaults.options]]
kind = "store_credit"
fixed = 10

[[defaults.options]]
kind = "apology"

[[rules]]
name = "Every case"
auto_offer = {auto}

[[rules.options]]
kind = "store_credit"
fixed = 30

[[rules.options]]
kind = "refund"
percent_of_order = 50
at_least = 5
"""


def policy_activate(source: str, *, version: int | None = None) -> RemedyPolicy:
    """Make `source` the active policy, as a new version."""
    RemedyPolicy.objects.filter(is_active=True).update(is_active=False)
    number = version or (max(RemedyPolicy.objects.values_list("version", flat=True), default=0) + 1)
    record = RemedyPolicy.objects.create(
        version=number, source=source, is_active=True, created_at=timezone.now(), activated_at=timezone.now()
    )
    policy_forget()
    return record


@pytest.fixture
def default_policy(migration_seeds) -> RemedyPolicy:  # type: ignore[no-untyped-def]
    """The shipped policy, active (seeded again by `migration_seeds` after a transactional test's flush)."""
    record = RemedyPolicy.objects.get(version=1)
    if not record.is_active:
        RemedyPolicy.objects.filter(is_active=True).update(is_active=False)
        RemedyPolicy.objects.filter(pk=record.pk).update(is_active=True)
        policy_forget()
    return record


@pytest.fixture
def offering_policy(db) -> RemedyPolicy:  # type: ignore[no-untyped-def]
    """A 30 EUR store credit and half the order back, offered at intake."""
    return policy_activate(SIMPLE.replace("{auto}", "true"))


@pytest.fixture
def proposing_policy(db) -> RemedyPolicy:  # type: ignore[no-untyped-def]
    """The same options, proposed for an agent to offer or grant."""
    return policy_activate(SIMPLE.replace("{auto}", "false"))


def limits(role: str = "agent", *, per_case: str | None = "50", per_day: str | None = None) -> None:
    AuthorityLimit.objects.update_or_create(
        role=role,
        defaults={
            "amount": Decimal(per_case) if per_case is not None else None,
            "per_day": Decimal(per_day) if per_day is not None else None,
        },
    )


def rate(currency: str, value: str, on: date | None = None) -> ExchangeRate:
    row = ExchangeRate.objects.create(
        currency=currency, valid_from=on or date(2020, 1, 1), rate=Decimal(value), created_at=timezone.now()
    )
    policy_forget()
    return row
