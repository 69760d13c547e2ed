"""Granting within authority, approvals, withdrawing, expiring, settling: the remedy services on their own."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from amends.accounts.models import Team, User
from amends.accounts.services import user_create
from amends.cases.models import Case, CaseEvent, Message
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due
from amends.remedies.lifecycle import IllegalTransition
from amends.remedies.models import ApprovalRequest, PersonalAuthority, Remedy, RemedyCode, TeamBudget
from amends.remedies.presenting import approval_reason
from amends.remedies.selectors import approvals_queue, month_start
from amends.remedies.services import (
    RemedyConflict,
    RemedyInvalid,
    RemedyRefused,
    remedy_approve,
    remedy_ask_other,
    remedy_expire_due,
    remedy_grant,
    remedy_offer,
    remedy_propose,
    remedy_reject,
    remedy_settle,
    remedy_withdraw,
)
from amends.webhooks.services import webhook_endpoint_create
from amends.webhooks.tests.test_webhooks import receiver, verify  # noqa: F401  (a fixture and a helper)

from .conftest import limits, rate


def case_with(order: str = "60", **fields: object) -> Case:
    return open_case(order_value=order, order_currency="EUR", **fields).case


def option(case: Case, kind: str) -> Remedy:
    return Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team").get(
        case=case, kind=kind
    )


def events(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


# -- granting within authority ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agent_grants_within_their_authority_in_one_click(proposing_policy, agent):
    limits(per_case="50")
    case = case_with()
    credit = option(case, "store_credit")
    result = remedy_grant(actor=agent, remedy=credit)
    assert result.granted and result.approval is None
    credit.refresh_from_db()
    assert credit.state == "granted" and credit.granted_by == agent and credit.granted_by_kind == "agent"
    assert credit.chosen_at is not None and credit.offered_at is not None
    case.refresh_from_db()
    assert case.first_offer_at is not None  # the customer has a remedy: that is an offer, and the first
    assert events(case)[-1] == "remedy_granted"
    code = RemedyCode.objects.get(remedy=credit)
    assert (code.amount, code.currency, code.state) == (Decimal("30.000"), "EUR", "issued")
    confirmation = OutboxMessage.objects.get(dedupe_key=f"remedy-granted:{credit.pk}")
    assert confirmation.recipient == "olga@example.com"
    assert "30,00" in confirmation.body and code.code[:4] in confirmation.body.replace("-", "")
    # The refund stays proposed, but the case has its remedy now: it cannot be granted as well.
    with pytest.raises(RemedyConflict):
        remedy_grant(actor=agent, remedy=option(case, "refund"))


@pytest.mark.django_db
def test_above_the_per_case_limit_the_grant_becomes_an_approval_request(proposing_policy, agent, manager):
    limits(per_case="20")
    case = case_with()
    credit = option(case, "store_credit")
    result = remedy_grant(actor=agent, remedy=credit)
    assert not result.granted and result.refused_by == "per_case" and result.limit == Decimal("20")
    credit.refresh_from_db()
    assert credit.state == "approval_requested" and credit.granted_at is None
    approval = ApprovalRequest.objects.get(remedy=credit)
    assert approval.requested_by == agent and approval.decision == ""
    assert approval.reason == "per_case: 30.00 EUR > 20.00 EUR"
    assert approval_reason(approval.reason) == "€30.00 is above the per-case limit of €20.00"
    assert Case.objects.get(pk=case.pk).first_offer_at is None  # nothing reached the customer yet
    assert list(approvals_queue(actor=manager)) == [approval]
    assert list(approvals_queue(actor=agent)) == []
    assert events(case)[-1] == "remedy_approval_requested"
    assert not OutboxMessage.objects.filter(dedupe_key=f"remedy-granted:{credit.pk}").exists()
    assert not RemedyCode.objects.exists()


@pytest.mark.django_db
def test_the_per_day_limit_sums_todays_grants(proposing_policy, agent):
    limits(per_case="50", per_day="40")
    first = remedy_grant(actor=agent, remedy=option(case_with(), "store_credit"))
    assert first.granted
    second = remedy_grant(actor=agent, remedy=option(case_with(email="b@example.com"), "store_credit"))
    assert not second.granted and second.refused_by == "per_day"


@pytest.mark.django_db
def test_a_personal_authority_overrides_the_roles(proposing_policy, agent):
    limits(per_case="20")
    PersonalAuthority.objects.create(user=agent, per_case=Decimal("100"))
    assert remedy_grant(actor=agent, remedy=option(case_with(), "store_credit")).granted


@pytest.mark.django_db
def test_a_team_budget_warns_at_80_percent_and_refuses_when_spent(proposing_policy, agent, manager):
    limits(per_case="500")
    team = Team.objects.create(name="Care")
    User.objects.filter(pk=agent.pk).update(team=team)
    agent.refresh_from_db()
    budget = TeamBudget.objects.create(team=team, month=month_start(), amount=Decimal("100"), spent=Decimal("50"))
    first = remedy_grant(actor=agent, remedy=option(case_with(), "store_credit"))
    assert first.granted and "80 %" in first.budget_warning
    budget.refresh_from_db()
    assert budget.spent == Decimal("80.00")
    refused = remedy_grant(actor=agent, remedy=option(case_with(email="b@example.com"), "store_credit"))
    assert not refused.granted and refused.refused_by == "budget"
    budget.refresh_from_db()
    assert budget.spent == Decimal("80.00")
    # Approval is still possible: a manager overrides the spent budget, and the spend counts it.
    approved = remedy_approve(actor=manager, remedy=refused.remedy, reason="A loyal customer")
    assert approved.granted
    budget.refresh_from_db()
    assert budget.spent == Decimal("110.00")


@pytest.mark.django_db
def test_an_integration_holds_an_agents_authority(proposing_policy):
    limits(per_case="20")
    result = remedy_grant(actor=None, remedy=option(case_with(), "store_credit"), actor_label="API key shop")
    assert not result.granted and result.refused_by == "per_case"


# -- approvals ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_approves_in_one_click_and_the_remedy_is_granted(proposing_policy, agent, manager):
    limits(per_case="20")
    credit = remedy_grant(actor=agent, remedy=option(case_with(), "store_credit")).remedy
    with pytest.raises(RemedyRefused):
        remedy_approve(actor=agent, remedy=credit)
    result = remedy_approve(actor=manager, remedy=credit, reason="Fine")
    assert result.granted
    credit.refresh_from_db()
    assert credit.state == "granted" and credit.granted_by == manager
    approval = ApprovalRequest.objects.get(remedy=credit)
    assert (approval.decision, approval.decided_by, approval.decision_reason) == ("approved", manager, "Fine")
    assert events(credit.case)[-3:] == ["remedy_approval_requested", "remedy_approved", "remedy_granted"]
    with pytest.raises(RemedyConflict):
        remedy_approve(actor=manager, remedy=credit)


@pytest.mark.django_db
def test_a_manager_rejects_with_a_reason_and_the_case_is_free_again(proposing_policy, agent, manager):
    limits(per_case="20")
    case = case_with()
    credit = remedy_grant(actor=agent, remedy=option(case, "store_credit")).remedy
    with pytest.raises(RemedyInvalid):
        remedy_reject(actor=manager, remedy=credit, reason="  ")
    assert Remedy.objects.get(pk=credit.pk).state == "approval_requested"
    remedy_reject(actor=manager, remedy=credit, reason="Too much for a late parcel")
    credit.refresh_from_db()
    assert credit.state == "rejected"
    event = CaseEvent.objects.get(case=case, kind="remedy_rejected")
    assert event.data["reason"] == "Too much for a late parcel" and event.data["requested_by"] == "Ana"
    limits(per_case="50")
    assert remedy_grant(actor=agent, remedy=option(case, "refund")).granted


# -- offering -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agent_offers_the_proposed_options_with_one_link_each(proposing_policy, agent):
    case = case_with()
    offered = remedy_offer(actor=agent, case=case)
    assert {r.state for r in offered} == {"offered"} and len(offered) == 2
    assert all(r.offered_by == agent and r.expires_at for r in offered)
    case.refresh_from_db()
    assert case.first_offer_at == offered[0].offered_at
    mail = OutboxMessage.objects.filter(case=case, kind="email").exclude(dedupe_key=f"ack:{case.pk}").get()
    assert mail.body.count("/r/") == 2
    with pytest.raises(RemedyConflict):
        remedy_offer(actor=agent, case=case)  # nothing proposed any more
    assert events(case).count("remedies_offered") == 1


@pytest.mark.django_db
def test_a_second_offer_keeps_the_first_offer_time(offering_policy, agent):
    case = case_with()
    first = Case.objects.get(pk=case.pk).first_offer_at
    remedy_propose(actor=agent, case=case, kind="gift", value="15")
    remedy_offer(actor=agent, case=case)
    assert Case.objects.get(pk=case.pk).first_offer_at == first


# -- proposing by hand, bad values --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-5", "negative"),
        ("0", "zero"),
        ("ten euros", "not_a_number"),
        ("1e30", "not_a_number"),
        ("100000000000", "too_large"),
        ("250", "above_cap"),
        ("12.3456", "too_precise"),
    ],
)
def test_a_value_typed_by_hand_is_refused_with_its_reason_and_nothing_stored(proposing_policy, agent, value, code):
    case = case_with()
    before = Remedy.objects.filter(case=case).count()
    with pytest.raises(RemedyInvalid) as refused:
        remedy_propose(actor=agent, case=case, kind="store_credit", value=value)
    assert refused.value.code == code
    assert refused.value.message
    assert Remedy.objects.filter(case=case).count() == before


@pytest.mark.django_db
def test_a_value_above_a_cap_names_the_cap(proposing_policy, agent):
    with pytest.raises(RemedyInvalid) as refused:
        remedy_propose(actor=agent, case=case_with(), kind="store_credit", value="250")
    assert refused.value.code == "above_cap" and "200" in refused.value.message


@pytest.mark.django_db
def test_a_value_in_a_currency_without_a_rate_is_refused(proposing_policy, agent):
    case = open_case(order_value="5000", order_currency="RSD").case
    with pytest.raises(RemedyInvalid) as refused:
        remedy_propose(actor=agent, case=case, kind="store_credit", value="500", currency="RSD")
    assert refused.value.code == "missing_rate"
    with pytest.raises(RemedyInvalid) as wrong:
        remedy_propose(actor=agent, case=case, kind="store_credit", value="5", currency="EUR")
    assert wrong.value.code == "currency"


@pytest.mark.django_db
def test_a_value_typed_by_hand_is_held_in_the_home_currency_with_its_rate(proposing_policy, agent):
    rate("USD", "0.90")
    case = open_case(order_value="100", order_currency="USD").case
    remedy = remedy_propose(actor=agent, case=case, kind="store_credit", value="20,00")
    assert (remedy.amount, remedy.currency, remedy.home_amount) == (Decimal("20.000"), "USD", Decimal("18.000"))
    assert remedy.state == "proposed" and remedy.why["agent"] == "Ana" and remedy.rate_used["rate"]["rate"]


# -- withdrawing, illegal moves, expiry, settling -----------------------------------------------------------


@pytest.mark.django_db
def test_illegal_transitions_are_refused_and_change_nothing(proposing_policy, agent):
    limits(per_case="50")
    case = case_with()
    refund = option(case, "refund")
    before = events(case)
    with pytest.raises(IllegalTransition):
        remedy_settle(remedy=refund, status="fulfilled")  # proposed, never granted
    credit = remedy_grant(actor=agent, remedy=option(case, "store_credit")).remedy
    after_grant = events(case)
    with pytest.raises(IllegalTransition):
        remedy_withdraw(actor=agent, remedy=credit)  # a granted remedy is a promise
    assert Remedy.objects.get(pk=credit.pk).state == "granted"
    assert Remedy.objects.get(pk=refund.pk).state == "proposed"
    assert events(case) == after_grant and after_grant[: len(before)] == before


@pytest.mark.django_db
def test_an_option_is_withdrawn_before_the_grant(proposing_policy, agent, manager):
    limits(per_case="20")
    case = case_with()
    credit = remedy_grant(actor=agent, remedy=option(case, "store_credit")).remedy
    remedy_withdraw(actor=agent, remedy=credit, reason="The customer called: they want a refund")
    credit.refresh_from_db()
    assert credit.state == "withdrawn"
    assert ApprovalRequest.objects.get(remedy=credit).decision == "rejected"
    assert list(approvals_queue(actor=manager)) == []
    assert CaseEvent.objects.get(case=case, kind="remedy_withdrawn").data["from"] == "approval_requested"


@pytest.mark.django_db
def test_offers_whose_time_ran_out_expire_in_the_sweep(offering_policy):
    case = case_with()
    assert remedy_expire_due() == 0
    later = timezone.now() + timedelta(days=15)
    assert remedy_expire_due(now=later) == 2
    assert set(case.remedies.values_list("state", flat=True)) == {"expired"}
    assert CaseEvent.objects.get(case=case, kind="remedies_expired").data == {"count": 2}
    assert remedy_expire_due(now=later) == 0


@pytest.mark.django_db
def test_a_fulfilment_report_is_idempotent(proposing_policy, agent):
    limits(per_case="50")
    case = case_with()
    credit = remedy_grant(actor=agent, remedy=option(case, "store_credit")).remedy
    remedy, changed = remedy_settle(remedy=credit, status="fulfilled", actor_label="shop")
    assert changed and remedy.state == "fulfilled" and remedy.settled_at
    again, changed_again = remedy_settle(remedy=credit, status="fulfilled", actor_label="shop")
    assert not changed_again and again.state == "fulfilled"
    assert events(case).count("remedy_fulfilled") == 1
    with pytest.raises(IllegalTransition):
        remedy_settle(remedy=credit, status="failed", reason="out of stock")
    with pytest.raises(RemedyInvalid):
        remedy_settle(remedy=credit, status="lost")


@pytest.mark.django_db
def test_a_failed_fulfilment_needs_its_reason(proposing_policy, agent):
    limits(per_case="50")
    credit = remedy_grant(actor=agent, remedy=option(case_with(), "refund")).remedy
    with pytest.raises(RemedyInvalid):
        remedy_settle(remedy=credit, status="failed")
    remedy, _changed = remedy_settle(remedy=credit, status="failed", reason="card expired")
    assert remedy.state == "failed" and remedy.failure_reason == "card expired"


@pytest.mark.django_db
def test_an_apology_is_fulfilled_by_its_grant(db, agent):
    from .conftest import policy_activate

    policy_activate(
        'version = 9\ncurrency = "EUR"\n[defaults]\n[[defaults.options]]\nkind = "apology"\n'
        '[[defaults.options]]\nkind = "store_credit"\nfixed = 5\n'
    )
    apology = option(case_with(), "apology")
    assert remedy_grant(actor=agent, remedy=apology).granted
    assert Remedy.objects.get(pk=apology.pk).state == "fulfilled"


@pytest.mark.django_db
def test_the_customer_asks_for_something_else_in_their_own_words(offering_policy):
    case = case_with()
    message = remedy_ask_other(case=case, text="Лучше обменяйте на 42 размер, пожалуйста.")
    assert message.direction == Message.Direction.IN and "42" in message.body
    kinds = events(case)
    assert "customer_message" in kinds and kinds[-1] == "remedy_other_asked"


# -- the shop hears of it: remedy.granted -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_grant_posts_a_signed_remedy_granted_webhook(proposing_policy, agent, receiver):  # noqa: F811
    limits(per_case="50")
    endpoint = webhook_endpoint_create(url=receiver.url, events=["remedy.granted"])
    case = case_with()
    credit = option(case, "store_credit")
    remedy_grant(actor=agent, remedy=credit)
    row = OutboxMessage.objects.get(kind="webhook", case=case)
    assert row.subject == "remedy.granted"
    payload = json.loads(row.body)
    assert payload["type"] == "remedy.granted"
    assert payload["data"]["remedy"]["id"] == str(credit.public_id)
    assert payload["data"]["remedy"]["amount"] == "30.000" and payload["data"]["remedy"]["currency"] == "EUR"
    assert payload["data"]["remedy"]["idempotency_key"] == f"remedy-{credit.public_id}-granted"
    assert payload["data"]["remedy"]["code"] and payload["data"]["case"]["reference"] == case.reference
    outbox_deliver_due()
    (headers, body), *_rest = [r for r in receiver.requests if json.loads(r[1])["type"] == "remedy.granted"]
    assert verify(endpoint.secret, headers, body)
    assert headers["X-Amends-Event"] == "remedy.granted"


# -- at the same moment -------------------------------------------------------------------------------------


def _at_once(*calls):  # type: ignore[no-untyped-def]
    """Run the calls in threads released together; each result or exception, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_agents_granting_at_once_make_exactly_one_grant(proposing_policy):
    limits(per_case="50")
    ana = user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    ivo = user_create(username="ivo", password="agent-password-2", first_name="Ivo", role=User.Role.AGENT)
    case = case_with()
    credit_id = option(case, "store_credit").pk

    def grant(user: User):  # type: ignore[no-untyped-def]
        return lambda: remedy_grant(actor=user, remedy=Remedy.objects.select_related("case").get(pk=credit_id))

    outcomes = _at_once(grant(ana), grant(ivo))
    granted = [o for o in outcomes if not isinstance(o, Exception) and o.granted]
    refused = [o for o in outcomes if isinstance(o, RemedyConflict)]
    assert len(granted) == 1 and len(refused) == 1, outcomes
    assert "already granted" in refused[0].message
    assert Remedy.objects.filter(case=case, state="granted").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="remedy_granted").count() == 1
    assert RemedyCode.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_agents_granting_different_options_at_once_give_the_case_one(proposing_policy):
    limits(per_case="50")
    ana = user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)
    ivo = user_create(username="ivo", password="agent-password-2", first_name="Ivo", role=User.Role.AGENT)
    case = case_with()
    ids = {kind: option(case, kind).pk for kind in ("store_credit", "refund")}

    def grant(user: User, kind: str):  # type: ignore[no-untyped-def]
        return lambda: remedy_grant(actor=user, remedy=Remedy.objects.select_related("case").get(pk=ids[kind]))

    outcomes = _at_once(grant(ana, "store_credit"), grant(ivo, "refund"))
    assert sum(1 for o in outcomes if isinstance(o, RemedyConflict)) == 1, outcomes
    assert Remedy.objects.filter(case=case, state="granted").count() == 1
