import json
import random
from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal as D

import pytest

from amends.remedies.catalogue import Fulfilment, Kind
from amends.remedies.money import MissingRate, Money, RateTable
from amends.remedies.policy import (
    AboveCap,
    Caps,
    Condition,
    Fact,
    Facts,
    FactsError,
    Op,
    OptionSpec,
    Policy,
    PolicyError,
    Risk,
    Rule,
    StepCode,
    check_value,
    evaluate,
)

ON = date(2026, 3, 2)
RATES = RateTable.build("EUR", [("BGN", date(2026, 1, 1), "0.51129"), ("USD", date(2026, 1, 1), "0.90")])
CREDIT = OptionSpec(Kind.STORE_CREDIT, fixed=D(10))
APOLOGY = OptionSpec(Kind.APOLOGY)
REFUND_15 = OptionSpec(Kind.REFUND, percent_of_order=D(15), at_least=D(5), cap_share_of_order=D(30))
DISCOUNT_20 = OptionSpec(Kind.DISCOUNT_CODE, percent=D(20), minimum_order=D(30), valid_days=30)


def category(*slugs: str) -> Condition:
    return Condition(Fact.CATEGORY, Op.IN, values=frozenset(slugs))


def at_least(fact: Fact, low: str | int, **kw: int) -> Condition:
    return Condition(fact, Op.AT_LEAST, low=D(low), **kw)


def policy(*rules: Rule, caps: Caps | None = None, defaults: tuple[OptionSpec, ...] = (CREDIT, APOLOGY)) -> Policy:
    return Policy(1, "EUR", rules=rules, defaults=defaults, caps=caps or Caps())


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def facts(**kw: object) -> Facts:
    return Facts(on=ON, **kw)  # type: ignore[arg-type]


LATE = Rule("Late delivery", (category("late-delivery"), at_least(Fact.DELAY_DAYS, 3)), (REFUND_15, DISCOUNT_20))


def test_the_issues_example_computation_and_its_explanation():
    result = evaluate(policy(LATE), facts(category="late-delivery", delay_days=4, order_value=eur("89.90")), RATES)
    refund = result.options[0]
    assert refund.terms.value == eur("13.49")
    assert refund.explain() == (
        "15 % of order 89.90 EUR = 13.49 EUR; at least 5.00 EUR; cap 30 % of order = 26.97 EUR → 13.49 EUR"
    )
    assert [s.code for s in refund.steps] == [
        StepCode.PERCENT_OF_ORDER,
        StepCode.AT_LEAST,
        StepCode.CAP_SHARE_OF_ORDER,
        StepCode.RESULT,
    ]
    assert refund.steps[2].bound == eur("26.97") and refund.steps[2].applied is False
    assert refund.fulfilment is Fulfilment.SHOP


def test_the_first_matching_rule_fires_and_says_why():
    general = Rule("Any late parcel", (category("late-delivery"),), (CREDIT, APOLOGY))
    result = evaluate(policy(LATE, general), facts(category="late-delivery", delay_days=5), RATES)
    assert (result.rule, result.rule_index, result.fallback) == ("Late delivery", 1, False)
    assert result.reasons == ("category in late-delivery", "delay days ≥ 3")
    second = evaluate(policy(LATE, general), facts(category="late-delivery", delay_days=1), RATES)
    assert (second.rule, second.rule_index) == ("Any late parcel", 2)


def test_no_matching_rule_falls_back_to_the_default_set_and_says_so():
    result = evaluate(policy(LATE), facts(category="damaged"), RATES)
    assert result.fallback and result.rule is None and result.reasons == ("no rule matched",)
    assert [o.kind for o in result.options] == [Kind.STORE_CREDIT, Kind.APOLOGY]
    assert all(o.source == "default" for o in result.options)
    assert "no rule matched" in result.explain()


def test_caps_win_over_the_floor():
    result = evaluate(policy(LATE), facts(category="late-delivery", delay_days=3, order_value=eur("10")), RATES)
    refund = result.options[0]
    # 15 % of 10 = 1.50, raised to the 5.00 floor, then held to 30 % of the order: 3.00
    assert refund.terms.value == eur("3.00")
    assert [(s.code, s.applied) for s in refund.steps[:3]] == [
        (StepCode.PERCENT_OF_ORDER, True),
        (StepCode.AT_LEAST, True),
        (StepCode.CAP_SHARE_OF_ORDER, True),
    ]


def test_the_policys_caps_hold_every_option_and_show_only_where_they_bind():
    generous = Rule(
        "Generous", (), (OptionSpec(Kind.REFUND, full_order=True), OptionSpec(Kind.STORE_CREDIT, fixed=D(80)))
    )
    caps = Caps(max_share_of_order=D(50), max_value=D(60), per_kind={Kind.REFUND: D(40)})
    result = evaluate(policy(generous, caps=caps), facts(order_value=eur("200")), RATES)
    refund, credit = result.options
    assert refund.terms.value == eur("40.00") and not refund.terms.full
    assert credit.terms.value == eur("60.00")
    assert "cap for this kind 40.00 EUR" in refund.explain() and "cap for any remedy" not in refund.explain()
    assert "cap for any remedy 60.00 EUR" in credit.explain()
    small = evaluate(policy(generous, caps=caps), facts(order_value=eur("30")), RATES)
    assert small.options[0].terms.value == eur("15.00")  # half the order
    assert "policy cap 50 % of order = 15.00 EUR" in small.options[0].explain()


def test_a_refund_is_never_more_than_the_order():
    rule = Rule("Flat", (), (OptionSpec(Kind.REFUND, fixed=D(50)), CREDIT))
    refund = evaluate(policy(rule), facts(order_value=eur("20")), RATES).options[0]
    assert refund.terms.value == eur("20.00") and refund.terms.full
    assert refund.steps[-2].code is StepCode.CAP_ORDER and "no more than the order 20.00 EUR" in refund.explain()


def test_a_replacement_costing_more_than_a_cap_is_withdrawn_not_shrunk():
    rule = Rule("Replace", (), (OptionSpec(Kind.REPLACEMENT, full_order=True), CREDIT, APOLOGY))
    capped = policy(rule, caps=Caps(max_value=D(50)))
    dear = evaluate(capped, facts(order_value=eur("60"), order_item="shoes"), RATES)
    assert [o.kind for o in dear.options] == [Kind.STORE_CREDIT, Kind.APOLOGY]
    assert [(d.kind, d.reason) for d in dear.dropped] == [(Kind.REPLACEMENT, "over_cap")]
    cheap = evaluate(capped, facts(order_value=eur("40"), order_item="shoes"), RATES)
    assert cheap.options[0].terms.value == eur("40") and cheap.options[0].explain() == (
        "shoes; cost: the whole order 40.00 EUR → 40.00 EUR"
    )


def test_a_remedy_that_is_not_money_says_what_it_is():
    rule = Rule("Time", (), (OptionSpec(Kind.SERVICE_PERIOD, months=2, fixed=D("9.99")), OptionSpec(Kind.APPOINTMENT)))
    period, appointment = evaluate(policy(rule), facts(), RATES).options
    assert period.explain() == "2 months free; cost: fixed 9.99 EUR → 9.99 EUR"
    assert appointment.explain() == "3 times to choose from"


def test_a_full_refund_is_the_whole_order():
    rule = Rule("Full", (), (OptionSpec(Kind.REFUND, full_order=True), CREDIT))
    refund = evaluate(policy(rule), facts(order_value=eur("89.90")), RATES).options[0]
    assert refund.terms.value == eur("89.90") and refund.terms.full
    assert refund.explain() == "the whole order 89.90 EUR → 89.90 EUR"


def test_an_order_in_another_currency_is_offered_in_it_with_limits_converted_and_the_rate_named():
    result = evaluate(
        policy(LATE), facts(category="late-delivery", delay_days=3, order_value=Money.of("40", "BGN")), RATES
    )
    refund, discount = result.options
    assert result.currency == "BGN"
    # 15 % of 40 BGN = 6.00 BGN, below the 5 EUR floor = 9.78 BGN (rounded up so the floor is met)
    assert refund.terms.value == Money.of("9.78", "BGN")
    assert refund.value_home is not None and refund.value_home.value == eur("5.00")
    assert refund.value_home.rate_used is not None and refund.value_home.rate_used.rate == D("0.51129")
    assert "at least 5.00 EUR = 9.78 BGN" in refund.explain() and "0.51129" in refund.explain()
    assert discount.terms.minimum_order == Money.of("58.68", "BGN")
    assert result.order_home is not None and result.order_home.value == eur("20.45")


def test_a_converted_cap_is_never_exceeded_in_the_home_currency():
    rule = Rule("Capped", (), (OptionSpec(Kind.STORE_CREDIT, percent_of_order=D(100), at_most=D(7)), APOLOGY))
    credit = evaluate(policy(rule), facts(order_value=Money.of("100", "BGN")), RATES).options[0]
    assert credit.terms.value == Money.of("13.69", "BGN")  # 7 / 0.51129 = 13.6909…, rounded down
    assert credit.value_home is not None and credit.value_home.value <= eur("7")


def test_an_order_in_a_currency_with_no_rate_is_refused():
    with pytest.raises(MissingRate) as refused:
        evaluate(policy(LATE), facts(category="late-delivery", order_value=Money.of("40", "GBP")), RATES)
    assert refused.value.currency == "GBP"


def test_a_rate_table_in_another_home_currency_is_refused():
    with pytest.raises(ValueError, match="home currency"):
        evaluate(policy(LATE), facts(), RateTable("USD"))


def test_options_a_case_cannot_have_are_dropped_and_the_offer_topped_up_from_the_defaults():
    rule = Rule("Refund or replace", (), (OptionSpec(Kind.REFUND, full_order=True), OptionSpec(Kind.REPLACEMENT)))
    result = evaluate(policy(rule), facts(), RATES)  # no order
    assert [(d.kind, d.reason) for d in result.dropped] == [
        (Kind.REFUND, "needs_order"),
        (Kind.REPLACEMENT, "needs_order"),
    ]
    assert [(o.kind, o.source) for o in result.options] == [(Kind.STORE_CREDIT, "default"), (Kind.APOLOGY, "default")]
    assert result.topped_up and not result.fallback


def test_a_top_up_skips_a_kind_already_offered():
    rule = Rule("Credit or refund", (), (CREDIT, OptionSpec(Kind.REFUND, full_order=True)))
    result = evaluate(policy(rule), facts(), RATES)
    assert [o.kind for o in result.options] == [Kind.STORE_CREDIT, Kind.APOLOGY]


def test_an_apology_only_rule_offers_the_apology_alone():
    trivial = Rule("Trivial", (Condition(Fact.SEVERITY, Op.AT_MOST, high=D(1)),), apology_only=True)
    result = evaluate(policy(trivial), facts(severity=1), RATES)
    assert [o.kind for o in result.options] == [Kind.APOLOGY] and not result.topped_up
    assert result.options[0].fulfilment is Fulfilment.NONE


def test_a_rule_marked_auto_offer_is_low_risk_and_the_fallback_is_not():
    easy = Rule("Easy", (category("late-delivery"),), (CREDIT, APOLOGY), auto_offer=True)
    assert evaluate(policy(easy), facts(category="late-delivery"), RATES).risk is Risk.LOW
    fallback = evaluate(policy(easy), facts(category="other"), RATES)
    assert not fallback.auto_offer and fallback.risk is Risk.REVIEW


def test_complaints_in_the_last_days_count_this_one_too():
    repeat = Rule(
        "Repeat",
        (Condition(Fact.COMPLAINTS, Op.AT_LEAST, low=D(3), within_days=90),),
        (OptionSpec(Kind.STORE_CREDIT, fixed=D(25)), APOLOGY),
    )
    third = evaluate(policy(repeat), facts(complaint_days=(10, 80, 200)), RATES)
    assert third.rule == "Repeat" and third.reasons == ("complaints in the last 90 days ≥ 3",)
    assert evaluate(policy(repeat), facts(complaint_days=(10, 200)), RATES).fallback


@pytest.mark.parametrize(
    ("condition", "matching", "other"),
    [
        (Condition(Fact.SEVERITY, Op.BETWEEN, low=D(2), high=D(3)), {"severity": 3}, {"severity": 4}),
        (Condition(Fact.CUSTOMER_TIER, Op.IN, values=frozenset({"gold", "vip"})), {"customer_tier": "VIP"}, {}),
        (
            Condition(Fact.CHANNEL, Op.NOT_IN, values=frozenset({"public_thread"})),
            {"channel": "email"},
            {"channel": "public_thread"},
        ),
        (Condition(Fact.LANGUAGE, Op.IN, values=frozenset({"sr"})), {"language": "sr-Latn"}, {"language": "sk"}),
        (Condition(Fact.LANGUAGE, Op.IN, values=frozenset({"sr-latn"})), {"language": "sr_Latn"}, {"language": "sr"}),
        (Condition(Fact.INCIDENT, Op.IS, flag=True), {"incident": True}, {}),
        (Condition(Fact.CLUSTER, Op.IS, flag=False), {}, {"cluster": True}),
        (Condition(Fact.PUBLIC_RISK, Op.AT_LEAST, low=D("0.6")), {"public_risk": 0.6}, {"public_risk": 0.59}),
        (Condition(Fact.CHURN_RISK, Op.AT_MOST, high=D("0.2")), {"churn_risk": 0.2}, {"churn_risk": 0.21}),
        (Condition(Fact.ORDER_VALUE, Op.AT_LEAST, low=D(20)), {"order_value": Money.of("40", "BGN")}, {}),
        (Condition(Fact.ORDER_VALUE, Op.AT_MOST, high=D(20)), {"order_value": eur("20")}, {}),
        (Condition(Fact.LIFETIME_VALUE, Op.AT_LEAST, low=D(1000)), {"lifetime_value": eur("1000")}, {}),
        (Condition(Fact.LIFETIME_VALUE, Op.AT_MOST, high=D(10)), {}, {"lifetime_value": eur("10.01")}),
    ],
)
def test_each_fact_and_operator(condition, matching, other):
    rule = Rule("r", (condition,), (CREDIT, APOLOGY))
    assert evaluate(policy(rule), facts(**matching), RATES).rule == "r"
    assert evaluate(policy(rule), facts(**other), RATES).fallback


def test_a_case_without_an_order_never_matches_an_order_value_condition():
    low_orders = Rule("Small orders", (Condition(Fact.ORDER_VALUE, Op.AT_MOST, high=D(50)),), (CREDIT, APOLOGY))
    assert evaluate(policy(low_orders), facts(), RATES).fallback


def test_discount_codes_and_store_credit_expire_and_appointments_offer_times():
    rule = Rule(
        "Mixed", (), (DISCOUNT_20, CREDIT, OptionSpec(Kind.APPOINTMENT), OptionSpec(Kind.SERVICE_PERIOD, months=1))
    )
    discount, credit, appointment, period = evaluate(policy(rule), facts(), RATES).options
    assert discount.terms.valid_until == date(2026, 4, 1) and discount.terms.percent == D(20)
    assert credit.terms.valid_until == date(2026, 5, 31)  # 90 days by default
    assert appointment.terms.slots == 3 and appointment.fulfilment is Fulfilment.CALENDAR
    assert period.terms.period is not None and period.terms.period.count == 1


def test_a_replacement_names_the_order_line():
    rule = Rule("Wrong size", (), (OptionSpec(Kind.REPLACEMENT, full_order=True), CREDIT))
    replacement = evaluate(policy(rule), facts(order_value=eur("89.90"), order_item="pair in size 42"), RATES).options[
        0
    ]
    assert replacement.terms.item == {"*": "pair in size 42"}
    assert replacement.value_home is not None and replacement.value_home.value == eur("89.90")


def test_an_evaluation_serialises_to_json_with_decimals_as_text():
    result = evaluate(
        policy(LATE), facts(category="late-delivery", delay_days=3, order_value=Money.of("40", "BGN")), RATES
    )
    data = json.loads(json.dumps(result.as_dict()))
    assert data["rule"] == "Late delivery" and data["options"][0]["terms"]["value"] == {
        "amount": "9.78",
        "currency": "BGN",
    }
    assert data["options"][0]["value_home"]["rate"] == {"currency": "BGN", "date": "2026-01-01", "rate": "0.51129"}
    assert data["options"][0]["steps"][0]["code"] == "percent_of_order"


def test_a_new_policy_version_leaves_an_evaluation_already_made_as_it_was():
    first = evaluate(policy(LATE), facts(category="late-delivery", delay_days=3, order_value=eur("89.90")), RATES)
    richer = replace(
        policy(LATE), version=2, rules=(replace(LATE, options=(OptionSpec(Kind.REFUND, full_order=True), CREDIT)),)
    )
    second = evaluate(richer, facts(category="late-delivery", delay_days=3, order_value=eur("89.90")), RATES)
    assert (first.policy_version, second.policy_version) == (1, 2)
    assert first.options[0].terms.value == eur("13.49") and second.options[0].terms.value == eur("89.90")
    with pytest.raises(FrozenInstanceError):
        first.options[0].terms.value = eur("1")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: OptionSpec(Kind.REFUND), "needs a value"),
        (lambda: OptionSpec(Kind.REFUND, fixed=D(-5)), "more than zero"),
        (lambda: OptionSpec(Kind.REFUND, fixed=D(0)), "more than zero"),
        (lambda: OptionSpec(Kind.REFUND, fixed=D("1e12")), "beyond any sane amount"),
        (lambda: OptionSpec(Kind.REFUND, fixed=D("NaN")), "needs an amount"),
        (lambda: OptionSpec(Kind.REFUND, fixed=5.0), "needs an amount"),  # type: ignore[arg-type]
        (lambda: OptionSpec(Kind.REFUND, percent_of_order=D(150)), "at most 100"),
        (lambda: OptionSpec(Kind.REFUND, percent=D(10)), "does not take percent"),
        (lambda: OptionSpec(Kind.REFUND, fixed=D(5), percent_of_order=D(10)), "one value formula"),
        (lambda: OptionSpec(Kind.REFUND, fixed=D(10), at_least=D(20), at_most=D(15)), "above at_most"),
        (lambda: OptionSpec(Kind.APOLOGY, fixed=D(5)), "does not take fixed"),
        (lambda: OptionSpec(Kind.APPOINTMENT, at_most=D(5)), "does not take at_most"),
        (lambda: OptionSpec(Kind.DISCOUNT_CODE, percent=D(10), at_most=D(5)), "bounds a money value"),
        (lambda: OptionSpec(Kind.SERVICE_PERIOD), "exactly one of days or months"),
        (lambda: OptionSpec(Kind.SERVICE_PERIOD, days=5, months=1), "exactly one of days or months"),
        (lambda: OptionSpec(Kind.SERVICE_PERIOD, months=40), "from 1 to 36"),
        (lambda: OptionSpec(Kind.GIFT), "needs item"),
        (lambda: OptionSpec(Kind.REPLACEMENT, full_order=True, at_least=D(5)), "takes no floor"),
        (lambda: OptionSpec(Kind.APPOINTMENT, slots=0), "slots"),
        (lambda: OptionSpec(Kind.DISCOUNT_CODE, percent=D(10), valid_days=0), "valid_days"),
        (lambda: Condition(Fact.SEVERITY, Op.IN, values=frozenset({"3"})), "takes at_least"),
        (lambda: Condition(Fact.SEVERITY, Op.AT_LEAST, low=D(5)), "between 1 and 4"),
        (lambda: Condition(Fact.SEVERITY, Op.AT_LEAST, low=D("2.5")), "whole numbers"),
        (lambda: Condition(Fact.PUBLIC_RISK, Op.AT_LEAST, low=D("1.5")), "between 0 and 1"),
        (lambda: Condition(Fact.DELAY_DAYS, Op.BETWEEN, low=D(5), high=D(2)), "low end is above"),
        (lambda: Condition(Fact.COMPLAINTS, Op.AT_LEAST, low=D(2)), "within_days"),
        (lambda: Condition(Fact.CATEGORY, Op.IN), "at least one value"),
        (lambda: Condition(Fact.INCIDENT, Op.IS), "true or false"),
        (lambda: Rule("One", (), (CREDIT,)) and policy(Rule("One", (), (CREDIT,))), "2–4 options"),
        (lambda: policy(Rule("Five", (), (CREDIT,) * 5)), "2–4 options"),
        (lambda: policy(Rule("", (), (CREDIT, APOLOGY))), "needs a name"),
        (lambda: policy(Rule("A", (), (CREDIT, APOLOGY)), Rule("a", (), (CREDIT, APOLOGY))), "already rule 1"),
        (lambda: policy(Rule("Sorry", (), (CREDIT, APOLOGY), apology_only=True)), "apology alone"),
        (lambda: policy(defaults=(CREDIT,)), "default set holds"),
        (lambda: policy(defaults=(OptionSpec(Kind.REFUND, full_order=True), CREDIT)), "need no order"),
        (lambda: policy(caps=Caps(max_share_of_order=D(0))), "max_share_of_order"),
        (lambda: policy(caps=Caps(per_kind={Kind.APOLOGY: D(5)})), "carries no value"),
        (lambda: policy(Rule("Cents", (), (OptionSpec(Kind.REFUND, fixed=D("5.555")), CREDIT))), "more decimals"),
        (lambda: Policy(0, "EUR", (), (CREDIT, APOLOGY)), "version"),
        (lambda: Policy(1, "EURO", (), (CREDIT, APOLOGY)), "ISO 4217"),
    ],
)
def test_it_refuses_a_policy_that_makes_no_sense(build, reason):
    with pytest.raises(PolicyError) as refused:
        build()
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    "bad",
    [
        {"severity": 0},
        {"severity": 5},
        {"severity": "3"},
        {"delay_days": -1},
        {"public_risk": 1.5},
        {"churn_risk": -0.1},
        {"public_risk": True},
        {"complaint_days": (3, -1)},
        {"order_value": D("49.90")},
    ],
)
def test_it_refuses_facts_out_of_range(bad):
    with pytest.raises(FactsError):
        facts(**bad)


def test_a_policy_is_immutable():
    with pytest.raises(FrozenInstanceError):
        policy(LATE).version = 2  # type: ignore[misc]


# The screen (rules as bitsets) must pick exactly the rule that reading the rules in order would pick. Below, a
# plain reading of each condition, and random policies and cases to hold the two against each other.


def plainly_holds(c: Condition, f: Facts) -> bool:
    order = RATES.to_home(f.order_value, f.on).value.amount if f.order_value else None
    lifetime = RATES.to_home(f.lifetime_value, f.on).value.amount if f.lifetime_value else D(0)
    if c.fact in (Fact.CATEGORY, Fact.CUSTOMER_TIER, Fact.CHANNEL):
        value = str(getattr(f, c.fact.value)).lower()
        return (value in {v.lower() for v in c.values}) == (c.op is Op.IN)
    if c.fact is Fact.LANGUAGE:
        code = f.language.lower().replace("_", "-")
        hit = code in c.values or code.split("-")[0] in c.values
        return hit == (c.op is Op.IN)
    if c.fact in (Fact.INCIDENT, Fact.CLUSTER):
        return getattr(f, c.fact.value) == c.flag
    if c.fact is Fact.COMPLAINTS:
        value = 1 + sum(1 for d in f.complaint_days if d <= (c.within_days or 0))
    else:
        value = {Fact.ORDER_VALUE: order, Fact.LIFETIME_VALUE: lifetime}.get(c.fact, getattr(f, c.fact.value, None))
    if value is None:
        return False
    return (c.low is None or D(str(value)) >= c.low) and (c.high is None or D(str(value)) <= c.high)


def plainly_first(p: Policy, f: Facts) -> int | None:
    for number, rule in enumerate(p.rules):
        if all(plainly_holds(c, f) for c in rule.conditions):
            return number + 1
    return None


def random_condition(rng, fact: Fact) -> list[Condition]:
    names = {
        Fact.CATEGORY: ["late", "lost", "wrong", "damaged"],
        Fact.CUSTOMER_TIER: ["standard", "silver", "gold", "vip"],
        Fact.CHANNEL: ["form", "email", "api", "phone"],
        Fact.LANGUAGE: ["en", "ru", "sr", "sr-latn", "sk"],
    }
    if fact in names:
        values = frozenset(rng.sample(names[fact], rng.randint(1, 3)))
        return [Condition(fact, rng.choice([Op.IN, Op.IN, Op.NOT_IN]), values=values)]
    if fact in (Fact.INCIDENT, Fact.CLUSTER):
        return [Condition(fact, Op.IS, flag=rng.random() < 0.5)]
    scale = {
        Fact.SEVERITY: [1, 2, 3, 4],
        Fact.DELAY_DAYS: [0, 1, 3, 7, 14],
        Fact.PUBLIC_RISK: ["0", "0.25", "0.5", "0.75", "1"],
        Fact.CHURN_RISK: ["0.1", "0.3", "0.6", "0.9"],
        Fact.ORDER_VALUE: [0, 10, "49.99", 50, 100, 250],
        Fact.LIFETIME_VALUE: [0, 100, 500, 1000],
        Fact.COMPLAINTS: [1, 2, 3],
    }[fact]
    window = rng.choice([30, 90]) if fact is Fact.COMPLAINTS else None
    low, high = sorted(D(str(rng.choice(scale))) for _ in range(2))
    op = rng.choice([Op.AT_LEAST, Op.AT_MOST, Op.BETWEEN])
    if op is Op.AT_LEAST:
        return [Condition(fact, op, low=low, within_days=window)]
    if op is Op.AT_MOST:
        return [Condition(fact, op, high=high, within_days=window)]
    return [Condition(fact, op, low=low, high=high, within_days=window)]


@pytest.mark.parametrize("seed", range(40))
def test_the_screen_fires_the_same_rule_as_reading_the_rules_in_order(seed):
    rng = random.Random(seed)
    rules = []
    for number in range(rng.randint(1, 60)):
        conditions: list[Condition] = []
        facts_used = rng.sample(list(Fact), rng.randint(0, 4))
        window = rng.choice([30, 90])
        for fact in facts_used:
            made = random_condition(rng, fact)
            if fact is Fact.COMPLAINTS:
                made = [replace(c, within_days=window) for c in made]
            conditions += made
        rules.append(Rule(f"r{number}", tuple(conditions), (CREDIT, APOLOGY)))
    p = policy(*rules)
    for _ in range(150):
        order = rng.choice([None, eur(str(rng.choice([5, "49.99", 50, 120, 300]))), Money.of("100", "BGN")])
        f = facts(
            category=rng.choice(["late", "lost", "wrong", "damaged", "other"]),
            severity=rng.randint(1, 4),
            order_value=order,
            customer_tier=rng.choice(["standard", "silver", "gold", "vip", "Gold"]),
            lifetime_value=rng.choice([None, eur("100"), eur("999.99"), eur("1000")]),
            complaint_days=tuple(rng.randint(0, 120) for _ in range(rng.randint(0, 3))),
            delay_days=rng.choice([0, 1, 3, 7, 14, 20]),
            incident=rng.random() < 0.5,
            cluster=rng.random() < 0.5,
            public_risk=rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]),
            churn_risk=rng.choice([0.1, 0.3, 0.6, 0.9]),
            channel=rng.choice(["form", "email", "api", "phone", "chat"]),
            language=rng.choice(["en", "ru", "sr", "sr-latn", "sr_Latn", "sk", "de"]),
        )
        assert evaluate(p, f, RATES).rule_index == plainly_first(p, f), (seed, f)


CAPPED = policy(LATE, caps=Caps(max_share_of_order=D(50), max_value=D(60), per_kind={Kind.REFUND: D(40)}))


@pytest.mark.parametrize(
    ("kind", "typed", "order", "cap"),
    [
        (Kind.REFUND, "40.01", "200", "cap for this kind 40.00 EUR"),
        (Kind.STORE_CREDIT, "60.01", "200", "cap for any remedy 60.00 EUR"),
        (Kind.STORE_CREDIT, "15.01", "30", "policy cap 50 % of order = 15.00 EUR"),
        (Kind.REFUND, "20.01", "20", None),  # half of 20 binds first
    ],
)
def test_a_typed_value_above_a_cap_is_refused_naming_the_cap(kind, typed, order, cap):
    with pytest.raises(AboveCap) as refused:
        check_value(CAPPED, kind, eur(typed), facts(order_value=eur(order)), RATES)
    if cap:
        assert refused.value.step.text() == cap


def test_a_typed_value_within_the_caps_comes_back_in_the_home_currency_with_its_rate():
    converted = check_value(
        CAPPED, Kind.REFUND, Money.of("70", "BGN"), facts(order_value=Money.of("200", "BGN")), RATES
    )
    assert converted.value == eur("35.79") and converted.rate_used is not None
    uncapped = policy(LATE)
    assert check_value(uncapped, Kind.REFUND, eur("20"), facts(order_value=eur("20")), RATES).value == eur("20")
    with pytest.raises(ValueError, match="priced in BGN"):
        check_value(CAPPED, Kind.REFUND, eur("5"), facts(order_value=Money.of("200", "BGN")), RATES)
    with pytest.raises(ValueError, match="carries no value"):
        check_value(CAPPED, Kind.APOLOGY, eur("5"), facts(), RATES)
    with pytest.raises(MissingRate):
        check_value(CAPPED, Kind.REFUND, Money.of("5", "GBP"), facts(order_value=Money.of("20", "GBP")), RATES)
