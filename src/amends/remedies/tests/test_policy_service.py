"""Managers' writes: policy versions (checked, numbered, never touching offers made), rates, budgets and
personal authority — each refused with a specific reason and nothing stored when anything is wrong."""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from amends.accounts.models import Team
from amends.conftest import open_case
from amends.remedies.models import ExchangeRate, PersonalAuthority, Remedy, RemedyPolicy, TeamBudget
from amends.remedies.policy_file import PolicyFileError
from amends.remedies.policy_service import (
    personal_authority_remove,
    personal_authority_set,
    policy_activate,
    policy_check,
    rate_add,
    team_budget_set,
)
from amends.remedies.selectors import authority_of, policy_active, rate_table

from .conftest import SIMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The reasons are asserted in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


GOOD = SIMPLE.replace("{auto}", "false")


def _problem(source: str) -> tuple[int | None, str]:
    with pytest.raises(PolicyFileError) as raised:
        policy_check(source=source)
    first = raised.value.problems[0]
    return first.line, first.reason


def _line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize(
    ("broken", "marker", "words"),
    [
        (GOOD.replace('kind = "refund"', 'kind = "refund'), 'kind = "refund', "not valid TOML"),
        (GOOD.replace("fixed = 30", "fixed = 30\ncolour = 3"), "colour", "colour"),
        (
            GOOD.replace('name = "Every case"', 'name = "Every case"\n[rules.when]\ncategory = ["no-such"]'),
            "no-such",
            "no-such",
        ),
        (GOOD.replace('currency = "EUR"', 'currency = "EUX"'), "EUX", "EUX"),
    ],
    ids=["syntax", "unknown-field", "unknown-category", "unknown-currency"],
)
def test_it_rejects_a_bad_policy_with_the_line_and_reason_and_replaces_nothing(
    default_policy, manager, broken, marker, words
):
    line, reason = _problem(broken)
    assert line == _line_of(broken, marker)
    assert words in reason
    with pytest.raises(PolicyFileError):
        policy_activate(actor=manager, source=broken)
    assert list(RemedyPolicy.objects.values_list("version", "is_active")) == [(1, True)]
    assert policy_active().version == 1


def test_activating_makes_the_next_version_and_keeps_the_old(default_policy, manager):
    first = policy_activate(actor=manager, source=GOOD, note="simpler")
    second = policy_activate(actor=manager, source=GOOD)
    assert (first.version, second.version) == (2, 3)
    assert list(RemedyPolicy.objects.filter(is_active=True).values_list("version", flat=True)) == [3]
    assert RemedyPolicy.objects.count() == 3
    # The stored source says which version it is, whatever the draft said.
    assert second.source.startswith("version = 3\n")
    assert first.created_by == manager and first.note == "simpler"
    assert policy_active().version == 3  # the cache was dropped on commit


def test_an_offer_made_before_activation_keeps_its_values_and_version(default_policy, manager):
    before = policy_activate(actor=manager, source=GOOD)
    case = open_case(order_value="60", order_currency="EUR").case
    made = {r.pk: (r.kind, r.amount, r.home_amount, r.policy_id, r.why) for r in case.remedies.all()}
    assert made and all(v[3] == before.pk for v in made.values())
    dearer = GOOD.replace("fixed = 30", "fixed = 90")
    after = policy_activate(actor=manager, source=dearer)
    kept = {r.pk: (r.kind, r.amount, r.home_amount, r.policy_id, r.why) for r in Remedy.objects.filter(case=case)}
    assert kept == made
    later = open_case(email="petra@example.com", order_value="60", order_currency="EUR").case
    credit = later.remedies.get(kind="store_credit")
    assert credit.policy_id == after.pk and credit.amount == Decimal("90")


def test_agents_cannot_activate_a_policy(default_policy, agent):
    with pytest.raises(PermissionDenied):
        policy_activate(actor=agent, source=GOOD)
    assert RemedyPolicy.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"currency": "ZZZ"}, "currency", "ISO 4217"),
        ({"currency": "EUR"}, "currency", "home currency"),
        ({"rate": "-1"}, "rate", "positive"),
        ({"rate": "0"}, "rate", "positive"),
        ({"rate": "abc"}, "rate", "number"),
        ({"rate": "1e400"}, "rate", "positive"),
        ({"rate": "1.123456789"}, "rate", "eight decimals"),
        ({"valid_from": "yesterday"}, "valid_from", "date"),
        ({"valid_from": (timezone.localdate() + timedelta(days=2)).isoformat()}, "valid_from", "future"),
    ],
)
def test_it_rejects_a_bad_rate(manager, fields, field, words):
    data = {"currency": "USD", "valid_from": "2026-01-05", "rate": "0.91", **fields}
    with pytest.raises(ValidationError) as raised:
        rate_add(actor=manager, **data)
    assert words in " ".join(raised.value.message_dict[field])
    assert not ExchangeRate.objects.exists()


def test_a_rate_is_added_and_priced_with_at_once(manager):
    with pytest.raises(LookupError):
        rate_table().rate_on("USD", date(2026, 2, 1))
    rate_add(actor=manager, currency="usd", valid_from="2026-01-05", rate="0,91")
    assert rate_table().rate_on("USD", date(2026, 2, 1)).rate == Decimal("0.91")
    with pytest.raises(ValidationError) as raised:
        rate_add(actor=manager, currency="USD", valid_from="2026-01-05", rate="0.92")
    assert "already has a rate" in raised.value.message_dict["valid_from"][0]
    assert ExchangeRate.objects.count() == 1


def test_agents_cannot_add_rates(agent):
    with pytest.raises(PermissionDenied):
        rate_add(actor=agent, currency="USD", valid_from="2026-01-05", rate="0.91")


@pytest.mark.parametrize(
    ("month", "amount", "field"),
    [
        ("2026-13", "100", "month"),
        ("soon", "100", "month"),
        ("2026-03", "-5", "amount"),
        ("2026-03", "x", "amount"),
        ("2026-03", "1.005", "amount"),
        ("2026-03", "", "amount"),
        ("2026-03", "99999999999", "amount"),
    ],
)
def test_it_rejects_a_bad_budget(manager, month, amount, field):
    team = Team.objects.create(name="Shoes")
    with pytest.raises(ValidationError) as raised:
        team_budget_set(actor=manager, team=team, month=month, amount=amount)
    assert field in raised.value.message_dict
    assert not TeamBudget.objects.exists()


def test_a_budget_is_set_and_changed_keeping_what_was_spent(manager):
    team = Team.objects.create(name="Shoes")
    team_budget_set(actor=manager, team=team, month="2026-03", amount="1000")
    TeamBudget.objects.update(spent=Decimal("850"))
    budget = team_budget_set(actor=manager, team=team, month=date(2026, 3, 17), amount="2000.50")
    stored = TeamBudget.objects.get()
    assert (stored.month, stored.amount, stored.spent) == (date(2026, 3, 1), Decimal("2000.50"), Decimal("850"))
    assert budget.amount == Decimal("2000.50")


def test_personal_authority_overrides_the_role_and_is_removed(manager, agent):
    with pytest.raises(ValidationError):
        personal_authority_set(actor=manager, user=agent, per_case="", per_day="")
    with pytest.raises(ValidationError):
        personal_authority_set(actor=manager, user=agent, per_case="-3", per_day="")
    assert not PersonalAuthority.objects.exists()
    personal_authority_set(actor=manager, user=agent, per_case="75", per_day="")
    own = authority_of(user=agent, actor_kind="agent")
    assert own.per_case == Decimal("75") and own.personal
    assert personal_authority_remove(actor=manager, user=agent)
    assert not authority_of(user=agent, actor_kind="agent").personal
    with pytest.raises(PermissionDenied):
        personal_authority_set(actor=agent, user=agent, per_case="1000", per_day="")
