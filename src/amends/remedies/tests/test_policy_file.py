from datetime import date
from decimal import Decimal as D

import pytest

from amends.remedies.catalogue import Kind
from amends.remedies.money import Money, RateTable
from amends.remedies.policy import Caps, Condition, Fact, Facts, Op, OptionSpec, Policy, Rule, evaluate
from amends.remedies.policy_file import MAX_FILE_CHARS, PolicyFileError, dump, load

CATEGORIES = {"late-delivery", "lost-parcel", "wrong-item", "damaged", "rude-staff"}

GOOD = """\
# Our remedy policy
version = 3
currency = "EUR"

[caps]
max_share_of_order = 50
max_value = 200
per_kind = { refund = 150 }

[defaults]
auto_offer = false

[[defaults.options]]
kind = "store_credit"
fixed = 10

[[defaults.options]]
kind = "apology"

[[rules]]
name = "Late delivery"
auto_offer = true

[rules.when]
category = [
  "late-delivery",
  "lost-parcel",
]
delay_days = { at_least = 3 }
complaints = { within_days = 90, at_least = 2 }
incident = true

[[rules.options]]
kind = "refund"
percent_of_order = 15
at_least = 5
cap_share_of_order = 30

[[rules.options]]
kind = "gift"
item = { en = "a mug", sk = "hrnček" }

[[rules]]
name = "Trivial"
apology_only = true
[rules.when]
severity = { at_most = 1 }
"""


def read(text: str, **kw: object) -> Policy:
    return load(text, categories=CATEGORIES, **kw)  # type: ignore[arg-type]


def problems(text: str, **kw: object) -> list[tuple[int | None, str]]:
    with pytest.raises(PolicyFileError) as refused:
        read(text, **kw)
    return [(p.line, p.reason) for p in refused.value.problems]


def test_it_reads_a_policy_file():
    policy = read(GOOD)
    assert (policy.version, policy.currency) == (3, "EUR")
    assert policy.caps == Caps(D(50), D(200), {Kind.REFUND: D(150)})
    late, trivial = policy.rules
    assert late.auto_offer and trivial.apology_only
    assert late.conditions[0] == Condition(Fact.CATEGORY, Op.IN, values=frozenset({"late-delivery", "lost-parcel"}))
    assert late.conditions[2] == Condition(Fact.COMPLAINTS, Op.AT_LEAST, low=D(2), within_days=90)
    assert late.options[0] == OptionSpec(Kind.REFUND, percent_of_order=D(15), at_least=D(5), cap_share_of_order=D(30))
    assert late.options[1].item == {"en": "a mug", "sk": "hrnček"}


def test_numbers_are_decimals_never_floats():
    policy = read(GOOD.replace("fixed = 10", "fixed = 10.10"))
    assert policy.defaults[0].fixed == D("10.10") and type(policy.defaults[0].fixed) is D


def test_a_read_policy_evaluates():
    result = evaluate(
        read(GOOD),
        Facts(
            on=date(2026, 3, 2),
            category="lost-parcel",
            delay_days=3,
            incident=True,
            order_value=Money.of("89.90", "EUR"),
            complaint_days=(5,),
        ),
        RateTable("EUR"),
    )
    assert result.rule == "Late delivery" and result.options[0].terms.value == Money.of("13.49", "EUR")


def test_export_and_import_round_trip():
    policy = read(GOOD)
    text = dump(policy)
    assert read(text) == policy
    assert dump(read(text)) == text


def test_a_policy_built_in_code_round_trips_with_every_kind_and_operator():
    policy = Policy(
        7,
        "BGN",
        rules=(
            Rule(
                'Everything "quoted" \\ and\ttabbed',
                (
                    Condition(Fact.CATEGORY, Op.NOT_IN, values=frozenset({"damaged"})),
                    Condition(Fact.SEVERITY, Op.AT_LEAST, low=D(2)),
                    Condition(Fact.SEVERITY, Op.AT_MOST, high=D(3)),
                    Condition(Fact.ORDER_VALUE, Op.BETWEEN, low=D("10.50"), high=D(500)),
                    Condition(Fact.CUSTOMER_TIER, Op.IN, values=frozenset({"gold", "vip"})),
                    Condition(Fact.LIFETIME_VALUE, Op.AT_LEAST, low=D(1000)),
                    Condition(Fact.PUBLIC_RISK, Op.AT_LEAST, low=D("0.7")),
                    Condition(Fact.CHURN_RISK, Op.AT_LEAST, low=D("0.5")),
                    Condition(Fact.CHANNEL, Op.IN, values=frozenset({"email", "public_thread"})),
                    Condition(Fact.LANGUAGE, Op.IN, values=frozenset({"sr-latn", "ru"})),
                    Condition(Fact.CLUSTER, Op.IS, flag=False),
                ),
                (
                    OptionSpec(Kind.DISCOUNT_CODE, percent=D("12.5"), minimum_order=D(30), valid_days=60),
                    OptionSpec(Kind.SERVICE_PERIOD, months=1, fixed=D("9.99")),
                    OptionSpec(Kind.UPGRADE, item={"en": "express delivery", "sr-latn": "ekspresna dostava"}),
                    OptionSpec(Kind.APPOINTMENT, slots=4),
                ),
            ),
            Rule(
                "Replacement",
                (),
                (OptionSpec(Kind.REPLACEMENT, full_order=True), OptionSpec(Kind.STORE_CREDIT, percent_of_order=D(10))),
            ),
        ),
        defaults=(OptionSpec(Kind.STORE_CREDIT, fixed=D(20)), OptionSpec(Kind.SERVICE_PERIOD, days=14)),
        defaults_auto_offer=True,
    )
    assert read(dump(policy)) == policy


def test_a_syntax_error_is_refused_with_its_line():
    ((line, reason),) = problems(GOOD.replace("at_least = 5", "at_least = = 5"))
    assert line == 36 and reason.startswith("not valid TOML")


def test_an_unterminated_string_is_refused_with_its_line():
    ((line, _reason),) = problems(GOOD.replace('name = "Trivial"', 'name = "Trivial'))
    assert line == 44


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ('currency = "EUR"', 'currency = "EUX"', 3, "'EUX' is not an ISO 4217 currency code"),
        ("fixed = 10", "fixd = 10", 15, "unknown field 'fixd'; did you mean 'fixed'?"),
        ("cap_share_of_order = 30", 'cap_share_of_order = 30\ncolour = "red"', 38, "unknown field 'colour'"),
        ("max_value = 200", "max_valu = 200", 7, "unknown field 'max_valu'; did you mean 'max_value'?"),
        ("at_least = 3 }", "atleast = 3 }", 29, "unknown operator 'atleast' for delay_days"),
        ('kind = "gift"', 'kind = "gifft"', 40, "unknown remedy kind 'gifft'; did you mean 'gift'?"),
        ('"lost-parcel",', '"lost-parce1",', 27, "unknown category 'lost-parce1'; did you mean 'lost-parcel'?"),
        ("incident = true", "incident = 1", 31, "must be true/false, not a whole number"),
        ("percent_of_order = 15", 'percent_of_order = "15"', 35, "must be a number, not text"),
        ("percent_of_order = 15", "percent_of_order = 150", 35, "at most 100"),
        ("percent_of_order = 15", "percent_of_order = -15", 35, "above 0"),
        ("at_least = 5", "at_least = 5.555", 36, "more decimals than EUR"),
        ("at_least = 5", "at_least = 1e15", 36, "beyond any sane amount"),
        ("at_least = 5", "at_least = inf", 36, "needs an amount"),
        ("at_least = 5", "at_least = nan", 36, "needs an amount"),
        ("severity = { at_most = 1 }", "severity = { at_most = 9 }", 47, "between 1 and 4"),
        ("severity = { at_most = 1 }", "severity = 1", 47, "severity takes operators"),
        ("within_days = 90, ", "", 30, "complaints need within_days"),
        ("within_days = 90", "within_days = 0", 30, "within_days is a whole number from 1"),
        ("version = 3", "version = 0", 2, "version is a whole number from 1"),
        ("version = 3", "version = 3.5", 2, "must be a whole number"),
        ('name = "Trivial"', 'name = "Late delivery"', 44, "the name is already rule 1's"),
        ('item = { en = "a mug", sk = "hrnček" }', 'item = { xx = "a mug" }', 41, "unknown language 'xx'"),
        (
            "per_kind = { refund = 150 }",
            "per_kind = { refnd = 150 }",
            8,
            "unknown field 'refnd'; did you mean 'refund'?",
        ),
        ("per_kind = { refund = 150 }", "per_kind = { apology = 150 }", 8, "carries no value to cap"),
    ],
)
def test_it_refuses_a_bad_file_with_the_line_and_the_reason(old, new, line, reason):
    assert old in GOOD
    found = problems(GOOD.replace(old, new, 1))
    assert any(number == line and reason in text for number, text in found), found


def test_every_problem_is_listed_at_once():
    bad = (
        GOOD.replace('currency = "EUR"', 'currency = "EUX"')
        .replace('kind = "gift"', 'kind = "gifft"')
        .replace("at_least = 3 }", "atleast = 3 }")
    )
    assert [line for line, _ in problems(bad)] == [3, 29, 40]


def test_a_rule_with_too_few_options_is_refused_where_its_options_begin():
    bad = GOOD.replace('[[rules.options]]\nkind = "gift"\nitem = { en = "a mug", sk = "hrnček" }\n', "")
    assert problems(bad) == [(33, "a rule offers 2–4 options, not 1")]


def test_the_policy_must_be_in_the_companys_home_currency():
    assert problems(GOOD, home="BGN") == [(3, "the policy is in EUR; the company's home currency is BGN")]


def test_tiers_channels_and_languages_are_checked_when_known():
    text = GOOD.replace(
        "incident = true",
        'incident = true\ncustomer_tier = ["platinum"]\nchannel = { not_in = ["fax"] }\nlanguage = ["sr-Latn", "xx"]',
    )
    found = problems(text, tiers={"standard", "gold"}, channels={"email", "form"}, languages={"en", "sr-latn"})
    assert [reason for _, reason in found] == [
        "unknown customer tier 'platinum'",
        "unknown channel 'fax'",
        "unknown language 'xx'",
    ]
    assert [line for line, _ in found] == [32, 33, 34]


def test_missing_defaults_and_currency_are_refused():
    found = problems('version = 1\n[[rules]]\nname = "x"\n')
    assert "the policy needs a currency: the home currency its amounts are in" in [r for _, r in found]
    assert any("needs [defaults]" in r for _, r in found)


def test_an_unknown_operator_on_a_list_fact_is_refused():
    ((line, reason),) = problems(
        GOOD.replace('category = [\n  "late-delivery",\n  "lost-parcel",\n]', 'category = { is = ["damaged"] }')
    )
    assert line == 25 and "unknown operator 'is' for category" in reason


def test_keys_written_as_dotted_or_quoted_keys_and_in_sub_tables_are_located():
    text = GOOD.replace("[rules.when]\nseverity = { at_most = 1 }", '"when".severity.at_most = 9')
    assert problems(text) == [(46, "severity is between 1 and 4; 9 is outside")]
    text = GOOD.replace("[rules.when]\nseverity = { at_most = 1 }", "[rules.when.severity]\nat_most = 7")
    assert problems(text) == [(47, "severity is between 1 and 4; 7 is outside")]


def test_a_multi_line_string_that_looks_like_keys_does_not_move_the_lines():
    text = GOOD.replace('name = "Trivial"', "name = '''Trivial\n[[rules]]\nkind = 1\n'''")
    found = problems(text.replace("severity = { at_most = 1 }", "severity = { at_most = 0 }"))
    assert found == [(50, "severity is between 1 and 4; 0 is outside")]


def test_nothing_is_built_from_a_file_with_a_problem():
    with pytest.raises(PolicyFileError) as refused:
        read(GOOD.replace('kind = "gift"', 'kind = "gifft"'))
    assert "line 40" in str(refused.value) and "rule 1, option 2, kind" in str(refused.value)


def test_an_absurdly_large_file_is_refused():
    assert problems(GOOD + "#" * MAX_FILE_CHARS)[0][1].startswith("the file is over")
