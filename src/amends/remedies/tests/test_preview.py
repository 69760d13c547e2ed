"""The draft-policy preview: facts read from stored cases as the intake would make them, each case priced by the
draft and the active policy, per rule counts and costs, changed offers and the cost difference."""

from decimal import Decimal

import pytest

from amends.cases.models import Case
from amends.conftest import open_case
from amends.remedies.facts import case_facts
from amends.remedies.policy_service import policy_check
from amends.remedies.preview import cases_facts, policy_preview, recent_cases
from amends.remedies.selectors import policy_active, rate_table

from .conftest import SIMPLE, rate

pytestmark = pytest.mark.django_db

GOOD = SIMPLE.replace("{auto}", "false")


def test_the_preview_reads_the_same_facts_the_intake_makes(default_policy):
    rate("USD", "0.9")
    open_case(order_value="60", order_currency="EUR")
    open_case(order_value="30", order_currency="USD")  # the same customer again: a complaint in the history
    open_case(email="petra@example.com", description="The parcel is two weeks late.")
    windows = policy_active().windows
    rows = recent_cases()
    assert [r.reference for r in rows][::-1] == sorted(r.reference for r in rows)
    for row, facts in cases_facts(rows, windows):
        assert facts == case_facts(case=Case.objects.get(pk=row.pk), windows=windows)
    assert any(f.complaint_days for _row, f in cases_facts(rows, windows))


def test_the_preview_compares_the_draft_with_the_active_policy(default_policy):
    open_case(order_value="60", order_currency="EUR")
    open_case(email="petra@example.com", order_value="20", order_currency="EUR")
    open_case(email="ivan@example.com", order_value="80", order_currency="GBP")  # no GBP rate
    active = policy_active()
    same = policy_preview(draft=active.policy, active=active.policy, rates=rate_table())
    assert (same.cases, same.changed, same.delta) == (3, 0, Decimal(0))
    draft = policy_check(source=GOOD)
    preview = policy_preview(draft=draft, active=active.policy, rates=rate_table())
    every_case, default = preview.rules
    assert every_case.name == "Every case" and every_case.matched == 2
    assert dict(every_case.kind_counts) == {"store_credit": 2, "refund": 2}
    # The dearest option of each: 30 EUR credit against a half refund of 60 (30) and of 20 (10; 30 credit wins).
    assert every_case.costs == [Decimal("30.00"), Decimal("30.00")] and every_case.median == Decimal("30")
    assert default.matched == 0
    assert preview.unpriced_counts == [("GBP", 1)]
    assert preview.draft_total == Decimal("60.00")
    assert preview.delta == preview.draft_total - preview.active_total
    # The two priced cases change (the shipped policy offers them other things); the GBP one is unpriced under both.
    assert preview.changed == 2 and {c.case.reference for c in preview.listed} == {
        r.reference for r in recent_cases()[1:]
    }
