"""Remedy engine figures (see ./remedies): policy evaluation latency with 200 rules on one core, and the time to
make a million codes in memory.

Two policies: a realistic one (rules for a few categories each, with two to five conditions and two to four
options) evaluated for varied cases; and a worst case, where every rule names the case's category and fails
only on its last condition, all different, so nothing rules a rule out early or answers twice, and the last rule
fires and prices four options for an order in another currency. Latency is wall-clock per evaluation, and the
CPU time of the thread (what is left of it when other processes take the core away).

Usage: remedies.py [--rules 200] [--evaluations 20000] [--codes 1000000] [--seed 7]
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from amends.remedies import codes  # noqa: E402
from amends.remedies.catalogue import Kind, describe  # noqa: E402
from amends.remedies.money import Money, RateTable  # noqa: E402
from amends.remedies.policy import (  # noqa: E402
    Caps,
    Condition,
    Fact,
    Facts,
    Op,
    OptionSpec,
    Policy,
    Rule,
    evaluate,
)
from amends.remedies.policy_file import dump, load  # noqa: E402

CATEGORIES = [
    "late-delivery",
    "lost-parcel",
    "wrong-item",
    "damaged",
    "missing-part",
    "billing-error",
    "double-charge",
    "refund-delay",
    "rude-staff",
    "long-wait",
    "website-down",
    "account-locked",
]
TIERS = ["standard", "silver", "gold", "vip"]
CHANNELS = ["form", "email", "api", "public_thread", "phone", "chat"]
LANGUAGES = ["en", "ru", "bg", "sr", "sr-latn", "sk"]
ON = date(2026, 3, 2)
RATES = RateTable.build(
    "EUR",
    [
        ("BGN", date(2026, 1, 1), "0.51129"),
        ("RSD", date(2026, 1, 1), "0.00853"),
        ("USD", date(2026, 1, 1), "0.92"),
        ("USD", date(2026, 2, 1), "0.90"),
        ("CZK", date(2026, 1, 1), "0.0398"),
    ],
)


def some(rng: random.Random, population: list[str], most: int) -> frozenset[str]:
    return frozenset(rng.sample(population, rng.randint(1, most)))


def conditions(rng: random.Random) -> list[Condition]:
    """One to four conditions of the kinds a manager writes, and the categories the rule is for."""
    makers = [
        lambda: Condition(Fact.SEVERITY, Op.AT_LEAST, low=D(rng.randint(2, 4))),
        lambda: Condition(
            Fact.ORDER_VALUE, Op.BETWEEN, low=D(rng.choice([0, 20, 50])), high=D(rng.choice([100, 300, 1000]))
        ),
        lambda: Condition(Fact.CUSTOMER_TIER, Op.IN, values=some(rng, TIERS, 2)),
        lambda: Condition(Fact.LIFETIME_VALUE, Op.AT_LEAST, low=D(rng.choice([200, 500, 2000]))),
        lambda: Condition(
            Fact.COMPLAINTS, Op.AT_LEAST, low=D(rng.randint(2, 4)), within_days=rng.choice([30, 90, 365])
        ),
        lambda: Condition(Fact.DELAY_DAYS, Op.AT_LEAST, low=D(rng.randint(1, 10))),
        lambda: Condition(Fact.INCIDENT, Op.IS, flag=True),
        lambda: Condition(Fact.CLUSTER, Op.IS, flag=rng.random() < 0.5),
        lambda: Condition(Fact.PUBLIC_RISK, Op.AT_LEAST, low=D(rng.choice(["0.4", "0.6", "0.8"]))),
        lambda: Condition(Fact.CHURN_RISK, Op.AT_LEAST, low=D(rng.choice(["0.3", "0.5", "0.7"]))),
        lambda: Condition(Fact.CHANNEL, Op.IN, values=some(rng, CHANNELS, 3)),
        lambda: Condition(Fact.LANGUAGE, Op.IN, values=some(rng, LANGUAGES, 3)),
    ]
    chosen = rng.sample(makers, rng.randint(1, 4))
    return [Condition(Fact.CATEGORY, Op.IN, values=some(rng, CATEGORIES, 3)), *(make() for make in chosen)]


def worst_conditions(category: str, number: int) -> list[Condition]:
    """Ten conditions, different in every rule (so no answer is reused), that a serious case of `category` with
    a modest risk passes, all but the last the evaluator tests: the complaint count."""
    return [
        Condition(Fact.CATEGORY, Op.IN, values=frozenset({category, f"other-{number}"})),
        Condition(Fact.CHANNEL, Op.IN, values=frozenset({*CHANNELS, f"channel-{number}"})),
        Condition(Fact.CUSTOMER_TIER, Op.IN, values=frozenset({*TIERS, f"tier-{number}"})),
        Condition(Fact.LANGUAGE, Op.IN, values=frozenset({*LANGUAGES, f"x{number}"})),
        Condition(Fact.SEVERITY, Op.AT_LEAST, low=D(1 + number % 3)),
        Condition(Fact.DELAY_DAYS, Op.AT_MOST, high=D(3000 - number)),
        Condition(Fact.PUBLIC_RISK, Op.AT_MOST, high=D(1000 - number) / 1000),
        Condition(Fact.ORDER_VALUE, Op.AT_LEAST, low=D(number) / 100),
        Condition(Fact.LIFETIME_VALUE, Op.AT_MOST, high=D(1_000_000 - number)),
        Condition(Fact.COMPLAINTS, Op.AT_LEAST, low=D(50 + number), within_days=365),
    ]


def options(rng: random.Random) -> tuple[OptionSpec, ...]:
    pool = [
        lambda: OptionSpec(
            Kind.REFUND, percent_of_order=D(rng.choice([10, 15, 20, 30])), at_least=D(5), cap_share_of_order=D(50)
        ),
        lambda: OptionSpec(Kind.REFUND, full_order=True),
        lambda: OptionSpec(
            Kind.DISCOUNT_CODE, percent=D(rng.choice([10, 15, 20, 25])), minimum_order=D(30), valid_days=60
        ),
        lambda: OptionSpec(Kind.DISCOUNT_CODE, fixed=D(rng.choice([5, 10, 15])), valid_days=30),
        lambda: OptionSpec(Kind.STORE_CREDIT, percent_of_order=D(20), at_least=D(5), at_most=D(50)),
        lambda: OptionSpec(Kind.STORE_CREDIT, fixed=D(rng.choice([10, 20, 25]))),
        lambda: OptionSpec(Kind.REPLACEMENT, full_order=True),
        lambda: OptionSpec(Kind.SERVICE_PERIOD, months=1, fixed=D("9.99")),
        lambda: OptionSpec(Kind.APPOINTMENT, slots=3),
        lambda: OptionSpec(Kind.GIFT, fixed=D(8), item={"en": "a mug with our logo", "sk": "hrnček s naším logom"}),
        lambda: OptionSpec(Kind.UPGRADE, item={"en": "express delivery", "ru": "экспресс-доставка"}),
        lambda: OptionSpec(Kind.APOLOGY),
    ]
    return tuple(make() for make in rng.sample(pool, rng.randint(2, 4)))


def generated_policy(rng: random.Random, count: int, *, worst: str | None = None) -> Policy:
    """`count` rules; the last fires for serious cases of any category. With `worst`, every other rule names
    that category and fails only on its last test."""
    rules = [
        Rule(
            f"rule {i + 1}",
            tuple(worst_conditions(worst, i) if worst else conditions(rng)),
            options(rng),
            auto_offer=rng.random() < 0.2,
        )
        for i in range(count - 1)
    ]
    rules.append(
        Rule(
            "serious, any category",
            (
                Condition(Fact.SEVERITY, Op.AT_LEAST, low=D(3)),
                Condition(Fact.CHANNEL, Op.IN, values=frozenset(CHANNELS)),
                Condition(Fact.LANGUAGE, Op.IN, values=frozenset(LANGUAGES)),
                Condition(Fact.ORDER_VALUE, Op.AT_LEAST, low=D(1)),
            ),
            (
                OptionSpec(Kind.REFUND, percent_of_order=D(15), at_least=D(5), cap_share_of_order=D(30)),
                OptionSpec(Kind.DISCOUNT_CODE, percent=D(20), minimum_order=D(30)),
                OptionSpec(Kind.STORE_CREDIT, fixed=D(10)),
                OptionSpec(Kind.SERVICE_PERIOD, months=1),
            ),
        )
    )
    return Policy(
        1,
        "EUR",
        tuple(rules),
        (OptionSpec(Kind.STORE_CREDIT, fixed=D(10)), OptionSpec(Kind.APOLOGY)),
        Caps(max_share_of_order=D(60), max_value=D(250), per_kind={Kind.REFUND: D(200), Kind.STORE_CREDIT: D(100)}),
    )


def random_facts(rng: random.Random, *, category: str | None = None, currency: str | None = None) -> Facts:
    currency = currency or rng.choice(["EUR", "EUR", "EUR", "BGN", "RSD", "USD", "CZK"])
    amount = (
        D(rng.randint(500, 50_000))
        / 100
        * (D(1) / RATES.to_home(Money.of(1, currency), ON).value.amount if currency != "EUR" else 1)
    )
    return Facts(
        on=ON - timedelta(days=rng.randint(0, 30)),
        category=category or rng.choice(CATEGORIES),
        severity=rng.randint(1, 4),
        order_value=Money.of(amount, currency) if rng.random() < 0.85 else None,
        order_item="pair in size 42",
        customer_tier=rng.choice(TIERS),
        lifetime_value=Money.of(rng.randint(0, 5000), "EUR"),
        complaint_days=tuple(rng.randint(0, 400) for _ in range(rng.randint(0, 5))),
        delay_days=rng.randint(0, 14),
        incident=rng.random() < 0.1,
        cluster=rng.random() < 0.2,
        public_risk=round(rng.random(), 2),
        churn_risk=round(rng.random(), 2),
        channel=rng.choice(CHANNELS),
        language=rng.choice(LANGUAGES),
    )


def timed(policy: Policy, cases: list[Facts]) -> tuple[list[float], list[float]]:
    """Wall-clock and thread CPU milliseconds of each evaluation."""
    for facts in cases[:200]:  # warm up
        evaluate(policy, facts, RATES)
    wall, cpu = [], []
    gc.collect()
    for facts in cases:
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        evaluate(policy, facts, RATES)
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - started) / 1e6)
    return wall, cpu


def report(label: str, timings: tuple[list[float], list[float]]) -> None:
    wall, cpu = (statistics.quantiles(t, n=100) for t in timings)
    print(
        f"  {label:<40} p50 {wall[49]:.3f} ms  p99 {wall[98]:.3f} ms   (CPU: p50 {cpu[49]:.3f} ms, "
        f"p99 {cpu[98]:.3f} ms; {len(timings[0]):,} evaluations)"
    )


def cases(
    rng: random.Random, count: int, *, category: str | None = None, serious: bool = False, currency: str | None = None
) -> list[Facts]:
    found: list[Facts] = []
    while len(found) < count:
        facts = random_facts(rng, category=category, currency=currency)
        if not serious or (facts.severity >= 3 and facts.order_value is not None):
            found.append(facts)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--evaluations", type=int, default=20_000)
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the issue measures
    rng = random.Random(args.seed)

    built = generated_policy(rng, args.rules)
    text = dump(built)
    started = time.perf_counter()
    policy = load(text, categories=CATEGORIES, tiers=TIERS, channels=CHANNELS, languages=LANGUAGES)
    loaded = time.perf_counter() - started
    assert policy == built
    print(
        f"realistic policy: {len(policy.rules)} rules, {sum(len(r.conditions) for r in policy.rules)} conditions, "
        f"{sum(len(r.options) for r in policy.rules)} options; as TOML {text.count(chr(10)):,} lines, read and "
        f"checked in {loaded * 1000:.0f} ms"
    )
    varied = cases(rng, args.evaluations)
    outcomes = [evaluate(policy, f, RATES) for f in varied]
    fell_back = sum(e.fallback for e in outcomes) / len(outcomes)
    worst_policy = generated_policy(rng, args.rules, worst="late-delivery")
    worst = [
        replace(f, public_risk=min(f.public_risk, 0.5))
        for f in cases(rng, args.evaluations, category="late-delivery", serious=True, currency="BGN")
    ]
    assert all(evaluate(worst_policy, f, RATES).rule_index == args.rules for f in worst[:100])

    print("policy evaluation on one core:")
    report(f"realistic, varied cases ({fell_back:.0%} fall back)", timed(policy, varied))
    report(f"worst case (rule {args.rules} of {args.rules} fires)", timed(worst_policy, worst))
    example = evaluate(worst_policy, worst[0], RATES)
    print("  e.g.", example.explain().replace("\n", "\n       "))
    print("  offered:", " | ".join(describe(o.terms, worst[0].language) for o in example.options))

    started = time.perf_counter()
    made = 0
    for batch in codes.generate(args.codes, batch=100_000):
        made += len(batch)
    elapsed = time.perf_counter() - started
    print(
        f"codes: {made:,} generated in memory in {elapsed:.2f} s ({made / elapsed:,.0f}/s), "
        f"e.g. {codes.group(batch[0])}"
    )
    sample = batch[:100_000]
    started = time.perf_counter()
    for code in sample:
        codes.validate(code)
    per_code = (time.perf_counter() - started) / len(sample) * 1e6
    print(f"codes: validating one as typed takes {per_code:.1f} µs")


if __name__ == "__main__":
    main()
