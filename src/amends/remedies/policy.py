"""The remedy policy and its evaluator: case facts in, 2–4 priced remedy options out, with the reasons.

Pure Python: no Django import. A policy is an ordered list of rules; the first rule whose conditions all hold
for the case fires and names the options to offer; when none does, the policy's default set is offered and the
evaluation says so. Each option's value is computed from a formula (`15 % of the order, at least 5 EUR`) and
held under its caps, every step recorded with a machine code and its numbers, so the case page and the API can
show (in the reader's language) exactly how the amount came about.

Conditions use a small, explicit set of operators on named facts; nothing is evaluated as code:

=================  ======================================  =====================================
fact               operators                               meaning of the value
=================  ======================================  =====================================
category           in, not_in                              category slugs
customer_tier      in, not_in                              tier names (standard, silver, gold, vip)
channel            in, not_in                              channel names (form, email, api, …)
language           in, not_in                              language codes; `sr` also covers sr-latn
severity           at_least, at_most, between              1–4
delay_days         at_least, at_most, between              whole days
public_risk        at_least, at_most, between              0–1, as triage reports it
churn_risk         at_least, at_most, between              0–1
order_value        at_least, at_most, between              home currency; no order never matches
lifetime_value     at_least, at_most, between              home currency; unknown counts as 0
complaints         at_least, at_most, between + within_days complaints by the customer in the last N
                                                           days, this one included (2 = a repeat)
incident           is                                      the case is linked to an incident
cluster            is                                      the case is in a cluster of complaints
=================  ======================================  =====================================

`between` includes both ends. Amounts in a policy are in the home currency (the policy's `currency`); an order
in another currency is converted with the managers' rate table on the case's date, and the offer is made in
the order's currency with each converted limit rounded so it is never exceeded (caps round down, floors up).

How many options: a rule names 2–4; options whose value rules fail for this case (a refund without an order, a
value capped to nothing) are dropped and the offer is topped up from the default set to two, never past four.
Only a rule marked `apology_only` offers a single option: the apology, for trivial cases. The defaults must
hold at least two options that need no order, so a top-up always succeeds.

Rules are not read one by one: the policy is turned around into a screen (`_Screen`) that, per fact, knows
which rules each value rules out, so a case costs one look-up per fact tested, not per rule; the first rule left
standing fires, the same rule reading them in order would find (tested against exactly that on random policies).

Value steps, in order: the formula (the whole order, a percentage of it, a fixed amount, or a discount
percentage); the option's floor (`at_least`); its ceiling (`at_most`); its share-of-order cap; the policy's cap
for the kind; the policy's cap for any one option; the policy's share-of-order cap; and for a refund, the
order's value. Caps win over the floor. A value capped to nothing drops the option. Where the money is what the
remedy costs rather than what the customer gets (a replacement, a free period, a gift, an upgrade), a cap cannot
shrink it: a cost above a cap drops the option instead.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .catalogue import (
    CATALOGUE,
    DEFAULT_SLOTS,
    DEFAULT_VALID_DAYS,
    ORDER_FORMULAS,
    Fulfilment,
    Kind,
    Need,
    Period,
    Terms,
    language_code,
)
from .money import MAX_AMOUNT, ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Converted, Money, Rate, RateTable, minor_digits

MIN_OPTIONS, MAX_OPTIONS = 2, 4
MAX_RULES = 10_000
MAX_DAYS = 3650  # ten years: the longest window, delay, code lifetime or free period a policy may name
MAX_MONTHS = 36
MAX_SLOTS = 10
MAX_COMPLAINTS = 100_000


class PolicyError(ValueError):
    """A policy that cannot be built, with every problem found: (path, reason), the path in the file's terms
    (`("rules", 2, "options", 0, "fixed")`), so the file loader can put a line number to it."""

    def __init__(self, problems: Iterable[tuple[tuple[str | int, ...], str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{path_text(path) or 'policy'}: {reason}" for path, reason in self.problems))


class FactsError(ValueError):
    """Case facts out of their range: a severity of 7, a negative delay, a risk above 1."""


def path_text(path: tuple[str | int, ...]) -> str:
    """A place in the policy as a manager reads it: `rule 3, option 1, fixed`; `default option 2, kind`."""
    words: list[str] = []
    parts = list(path)
    while parts:
        part = parts.pop(0)
        if part in ("rules", "options") and parts and isinstance(parts[0], int):
            noun = "rule" if part == "rules" else "option"
            if words and words[-1] == "defaults":
                words[-1], noun = "default", "default option"
                words.pop()
            words.append(f"{noun} {int(parts.pop(0)) + 1}")
        else:
            words.append(str(part))
    text = ""
    for word in words:
        joint = ", " if text and (" " in word or " " in text.rsplit(", ", 1)[-1]) else "."
        text += f"{joint}{word}" if text else word
    return text


def _number(value: Decimal) -> str:
    """A percentage or limit as written: 15, 12.5, 0.3 (never 1.5E+1)."""
    return format(value.normalize(), "f")


class Fact(StrEnum):
    CATEGORY = "category"
    SEVERITY = "severity"
    ORDER_VALUE = "order_value"
    CUSTOMER_TIER = "customer_tier"
    LIFETIME_VALUE = "lifetime_value"
    COMPLAINTS = "complaints"
    DELAY_DAYS = "delay_days"
    INCIDENT = "incident"
    CLUSTER = "cluster"
    PUBLIC_RISK = "public_risk"
    CHURN_RISK = "churn_risk"
    CHANNEL = "channel"
    LANGUAGE = "language"


class Op(StrEnum):
    IN = "in"
    NOT_IN = "not_in"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    BETWEEN = "between"
    IS = "is"


SET_FACTS = frozenset({Fact.CATEGORY, Fact.CUSTOMER_TIER, Fact.CHANNEL, Fact.LANGUAGE})
FLAG_FACTS = frozenset({Fact.INCIDENT, Fact.CLUSTER})
MONEY_FACTS = frozenset({Fact.ORDER_VALUE, Fact.LIFETIME_VALUE})
SET_OPS = frozenset({Op.IN, Op.NOT_IN})
NUMBER_OPS = frozenset({Op.AT_LEAST, Op.AT_MOST, Op.BETWEEN})
# The range of each numeric fact, and whether it counts in whole numbers.
NUMBER_RANGES: dict[Fact, tuple[Decimal, Decimal, bool]] = {
    Fact.SEVERITY: (Decimal(1), Decimal(4), True),
    Fact.DELAY_DAYS: (Decimal(0), Decimal(MAX_DAYS), True),
    Fact.PUBLIC_RISK: (Decimal(0), Decimal(1), False),
    Fact.CHURN_RISK: (Decimal(0), Decimal(1), False),
    Fact.COMPLAINTS: (Decimal(0), Decimal(MAX_COMPLAINTS), True),
    Fact.ORDER_VALUE: (Decimal(0), MAX_AMOUNT, False),
    Fact.LIFETIME_VALUE: (Decimal(0), MAX_AMOUNT, False),
}


def ops_for(fact: Fact) -> frozenset[Op]:
    if fact in SET_FACTS:
        return SET_OPS
    if fact in FLAG_FACTS:
        return frozenset({Op.IS})
    return NUMBER_OPS


@dataclass(frozen=True, slots=True)
class Condition:
    """One test on one case fact. Sets (`in`, `not_in`) use `values`; numbers use `low`/`high` (`at_least` low,
    `at_most` high, `between` both); flags (`is`) use `flag`; `complaints` also needs `within_days`."""

    fact: Fact
    op: Op
    values: frozenset[str] = frozenset()
    low: Decimal | None = None
    high: Decimal | None = None
    flag: bool | None = None
    within_days: int | None = None

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise PolicyError(problems)

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        fact, op = self.fact, self.op
        found: list[tuple[tuple[str | int, ...], str]] = []
        if op not in ops_for(fact):
            allowed = ", ".join(sorted(ops_for(fact)))
            return [((fact,), f"{fact} takes {allowed}, not {op}")]
        if fact in SET_FACTS:
            if not self.values:
                found.append(((fact,), f"{fact} needs at least one value"))
            elif any(not v or v != v.strip() or len(v) > 64 for v in self.values):
                found.append(((fact,), f"{fact} values must be non-empty names"))
        elif fact in FLAG_FACTS:
            if type(self.flag) is not bool:
                found.append(((fact,), f"{fact} is true or false"))
        else:
            lowest, highest, whole = NUMBER_RANGES[fact]
            needed = {Op.AT_LEAST: ("low",), Op.AT_MOST: ("high",), Op.BETWEEN: ("low", "high")}[op]
            for name in ("low", "high"):
                value = getattr(self, name)
                if name not in needed:
                    continue
                key = str(op)
                if type(value) is not Decimal or not value.is_finite():
                    found.append(((fact, key), f"{fact} needs a number"))
                elif not lowest <= value <= highest:
                    found.append(((fact, key), f"{fact} is between {lowest} and {highest}; {value} is outside"))
                elif whole and value != value.to_integral_value():
                    found.append(((fact, key), f"{fact} counts in whole numbers, not {value}"))
            low, high = self.low, self.high
            if op is Op.BETWEEN and not found and low is not None and high is not None and low > high:
                found.append(((fact, "between"), f"{fact} between {low} and {high}: the low end is above the high"))
            if fact is Fact.COMPLAINTS:
                if type(self.within_days) is not int or not 1 <= self.within_days <= MAX_DAYS:
                    found.append(((fact, "within_days"), f"complaints need within_days, a whole 1–{MAX_DAYS}"))
            elif self.within_days is not None:
                found.append(((fact, "within_days"), "within_days belongs to complaints only"))
        return found

    def as_dict(self) -> dict[str, object]:
        """The condition as data, kept with a remedy's why so a page can word it in the reader's language."""
        found: dict[str, object] = {"fact": str(self.fact), "op": str(self.op)}
        if self.values:
            found["values"] = sorted(self.values)
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is not None:
                found[name] = _number(value)
        if self.flag is not None:
            found["flag"] = self.flag
        if self.within_days is not None:
            found["within_days"] = self.within_days
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Condition:
        """The inverse of as_dict; PolicyError (or ValueError) for data that is not a condition."""
        low, high = data.get("low"), data.get("high")
        return cls(
            fact=Fact(data["fact"]),
            op=Op(data["op"]),
            values=frozenset(str(v) for v in data.get("values") or ()),
            low=Decimal(str(low)) if low is not None else None,
            high=Decimal(str(high)) if high is not None else None,
            flag=data.get("flag"),
            within_days=data.get("within_days"),
        )

    def describe(self, currency: str = "") -> str:
        """The condition in words, for the reasons shown with an evaluation: `severity ≥ 3`."""
        name = {Fact.COMPLAINTS: f"complaints in the last {self.within_days} days"}.get(self.fact, str(self.fact))
        name = name.replace("_", " ")
        unit = f" {currency}" if self.fact in MONEY_FACTS and currency else ""
        if self.op is Op.IN:
            return f"{name} in {', '.join(sorted(self.values))}"
        if self.op is Op.NOT_IN:
            return f"{name} not in {', '.join(sorted(self.values))}"
        if self.op is Op.IS:
            return name if self.flag else f"no {name}"
        low = _number(self.low) if self.low is not None else ""
        high = _number(self.high) if self.high is not None else ""
        if self.op is Op.AT_LEAST:
            return f"{name} ≥ {low}{unit}"
        if self.op is Op.AT_MOST:
            return f"{name} ≤ {high}{unit}"
        return f"{name} {low}–{high}{unit}"


@dataclass(frozen=True)
class OptionSpec:
    """One option a rule offers, as the policy writes it. Amounts (`fixed`, `at_least`, `at_most`,
    `minimum_order`) are in the policy's home currency; percentages are 0–100."""

    kind: Kind
    full_order: bool = False
    percent_of_order: Decimal | None = None
    fixed: Decimal | None = None
    percent: Decimal | None = None
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    cap_share_of_order: Decimal | None = None
    minimum_order: Decimal | None = None
    valid_days: int | None = None
    months: int | None = None
    days: int | None = None
    slots: int | None = None
    item: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise PolicyError(problems)

    @property
    def formula(self) -> str | None:
        for name in ("full_order", "percent_of_order", "fixed", "percent"):
            value = getattr(self, name)
            if value is not None and value is not False:
                return name
        return None

    @property
    def needs_order(self) -> bool:
        return CATALOGUE[self.kind].needs_order or self.formula in ORDER_FORMULAS

    def given(self) -> list[str]:
        """The fields this option sets, besides its kind."""
        names = [
            "full_order",
            "percent_of_order",
            "fixed",
            "percent",
            "at_least",
            "at_most",
            "cap_share_of_order",
            "minimum_order",
            "valid_days",
            "months",
            "days",
            "slots",
        ]
        present = [n for n in names if getattr(self, n) is not None and getattr(self, n) is not False]
        return [*present, *(["item"] if self.item else [])]

    def problems(self, currency: str | None = None) -> list[tuple[tuple[str | int, ...], str]]:
        if not isinstance(self.kind, Kind):
            return [(("kind",), f"unknown kind {self.kind!r}")]
        rules = CATALOGUE[self.kind]
        found: list[tuple[tuple[str | int, ...], str]] = []
        given = self.given()
        formulas = [n for n in ("full_order", "percent_of_order", "fixed", "percent") if n in given]
        allowed = set(rules.formulas) | {"at_least", "at_most", "cap_share_of_order"} | set(rules.extras)
        if not rules.formulas:
            allowed -= {"at_least", "at_most", "cap_share_of_order"}
        for name in given:
            if name not in allowed:
                found.append(((name,), f"a {self.kind} option does not take {name}"))
        if len(formulas) > 1:
            found.append(((formulas[1],), f"give one value formula, not {' and '.join(formulas)}"))
        if rules.value is Need.REQUIRED and not formulas:
            found.append(((), f"a {self.kind} option needs a value: {' or '.join(sorted(rules.formulas))}"))
        if (rules.formulas and not formulas) or self.percent is not None:
            for name in ("at_least", "at_most", "cap_share_of_order"):
                if name in given and name in allowed:
                    found.append(((name,), f"{name} bounds a money value, and this option has none"))
        if rules.cost_only and self.at_least is not None:
            found.append((("at_least",), f"a {self.kind}'s value is what it costs: it takes no floor"))
        if self.full_order is not False and self.full_order is not True:
            found.append((("full_order",), "full_order is true or false"))
        for name in ("fixed", "at_least", "at_most", "minimum_order"):
            found += _amount_problems(name, getattr(self, name), currency)
        for name in ("percent_of_order", "percent", "cap_share_of_order"):
            value = getattr(self, name)
            if value is None:
                continue
            if type(value) is not Decimal or not value.is_finite():
                found.append(((name,), f"{name} needs a number"))
            elif not 0 < value <= 100:
                found.append(((name,), f"{name} is a percentage above 0 and at most 100, not {value}"))
        if self.at_least is not None and self.at_most is not None and not found and self.at_least > self.at_most:
            found.append((("at_least",), f"at_least {self.at_least} is above at_most {self.at_most}"))
        for name, highest in (("valid_days", MAX_DAYS), ("days", MAX_DAYS), ("months", MAX_MONTHS)):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or not 1 <= value <= highest):
                found.append(((name,), f"{name} is a whole number from 1 to {highest}"))
        if self.slots is not None and (type(self.slots) is not int or not 1 <= self.slots <= MAX_SLOTS):
            found.append((("slots",), f"slots is a whole number from 1 to {MAX_SLOTS}"))
        if rules.one_of and len([n for n in rules.one_of if n in given]) != 1:
            found.append(((), f"a {self.kind} option needs exactly one of {' or '.join(sorted(rules.one_of))}"))
        for name in sorted(rules.required - set(given)):
            found.append(((), f"a {self.kind} option needs {name}"))
        for language, words in self.item.items():
            if not isinstance(words, str) or not words.strip() or len(words) > 200:
                found.append((("item", language), "the item is a short text (1–200 characters)"))
        return found


def _amount_problems(name: str, value: Any, currency: str | None) -> list[tuple[tuple[str | int, ...], str]]:
    if value is None:
        return []
    if type(value) is not Decimal or not value.is_finite():
        return [((name,), f"{name} needs an amount")]
    if value <= 0:
        return [((name,), f"{name} must be more than zero, not {value}")]
    if value >= MAX_AMOUNT:
        return [((name,), f"{name} {value} is beyond any sane amount")]
    if currency and value != value.quantize(Decimal(1).scaleb(-minor_digits(currency))):
        return [((name,), f"{name} {value} has more decimals than {currency} has")]
    return []


@dataclass(frozen=True)
class Caps:
    """Limits over every option: a share of the order (percent), a most for any one option, and a most per
    kind, all in the home currency."""

    max_share_of_order: Decimal | None = None
    max_value: Decimal | None = None
    per_kind: Mapping[Kind, Decimal] = field(default_factory=dict)

    def problems(self, currency: str | None = None) -> list[tuple[tuple[str | int, ...], str]]:
        found: list[tuple[tuple[str | int, ...], str]] = []
        share = self.max_share_of_order
        if share is not None and (type(share) is not Decimal or not share.is_finite() or not 0 < share <= 100):
            found.append((("max_share_of_order",), "max_share_of_order is a percentage above 0, at most 100"))
        found += _amount_problems("max_value", self.max_value, currency)
        for kind, cap in self.per_kind.items():
            if not isinstance(kind, Kind):
                found.append((("per_kind", str(kind)), f"unknown kind {kind!r}"))
            elif CATALOGUE[kind].value is Need.NONE:
                found.append((("per_kind", str(kind)), f"a {kind} carries no value to cap"))
            else:
                found += [(("per_kind", *path), reason) for path, reason in _amount_problems(kind, cap, currency)]
        return found


@dataclass(frozen=True)
class Rule:
    """Conditions (all must hold; none means always) and the options to offer when they do. `auto_offer` marks
    a low-risk case: its options go out with the acknowledgement, without an agent."""

    name: str
    conditions: tuple[Condition, ...] = ()
    options: tuple[OptionSpec, ...] = ()
    auto_offer: bool = False
    apology_only: bool = False

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        found: list[tuple[tuple[str | int, ...], str]] = []
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 200:
            found.append((("name",), "a rule needs a name (1–200 characters)"))
        if self.apology_only:
            if self.options:
                found.append((("options",), "an apology_only rule offers the apology alone: list no options"))
        elif not MIN_OPTIONS <= len(self.options) <= MAX_OPTIONS:
            found.append((("options",), f"a rule offers {MIN_OPTIONS}–{MAX_OPTIONS} options, not {len(self.options)}"))
        tests = [(c.fact, c.op if c.fact in NUMBER_RANGES else None) for c in self.conditions]
        for fact, _op in sorted({t for t in tests if tests.count(t) > 1}):
            found.append((("when", fact), f"{fact} is tested twice the same way"))
        windows = {c.within_days for c in self.conditions if c.fact is Fact.COMPLAINTS}
        if len(windows) > 1:
            found.append((("when", Fact.COMPLAINTS), "complaints are counted over one window per rule"))
        return found


@dataclass(frozen=True)
class Facts:
    """What the evaluator knows about a case. `complaint_days` are how many days ago each earlier complaint of
    the same customer was made; `order_item` is the order line in the shop's words (for a replacement)."""

    on: date
    category: str = ""
    severity: int = 1
    order_value: Money | None = None
    order_item: str = ""
    customer_tier: str = ""
    lifetime_value: Money | None = None
    complaint_days: tuple[int, ...] = ()
    delay_days: int = 0
    incident: bool = False
    cluster: bool = False
    public_risk: float = 0.0
    churn_risk: float = 0.0
    channel: str = ""
    language: str = ""

    def __post_init__(self) -> None:
        if type(self.severity) is not int or not 1 <= self.severity <= 4:
            raise FactsError(f"severity is 1–4, not {self.severity!r}")
        if type(self.delay_days) is not int or not 0 <= self.delay_days <= MAX_DAYS * 10:
            raise FactsError(f"delay_days is a whole number of days, not {self.delay_days!r}")
        for name in ("public_risk", "churn_risk"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not 0 <= value <= 1:
                raise FactsError(f"{name} is 0–1, not {value!r}")
        if any(type(d) is not int or d < 0 for d in self.complaint_days):
            raise FactsError("complaint_days are whole numbers of days ago, none negative")
        for name in ("order_value", "lifetime_value"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Money):
                raise FactsError(f"{name} is Money (an amount with its currency), not {type(value).__name__}")


class StepCode(StrEnum):
    FULL_ORDER = "full_order"
    PERCENT_OF_ORDER = "percent_of_order"
    FIXED = "fixed"
    PERCENT = "percent"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    CAP_SHARE_OF_ORDER = "cap_share_of_order"
    CAP_KIND = "cap_kind"
    CAP_ANY = "cap_any"
    CAP_POLICY_SHARE = "cap_policy_share"
    CAP_ORDER = "cap_order"
    MINIMUM_ORDER = "minimum_order"
    RESULT = "result"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of computing an option's value. `value` is the running value after the step (offer currency);
    `base` what a percentage was taken of, or the limit as the policy wrote it (home currency); `bound` that
    limit in the offer currency; `rate` the conversion used; `applied` whether the step changed the value."""

    code: StepCode
    value: Money | None = None
    base: Money | None = None
    bound: Money | None = None
    percent: Decimal | None = None
    rate: Rate | None = None
    applied: bool = True
    note: str = ""

    def text(self) -> str:
        """The step in plain English (the Django layer renders `code` and the numbers in the reader's language)."""
        code, pct = self.code, _number(self.percent) if self.percent is not None else ""
        converted = f" = {self.bound}" if self.rate is not None and self.bound is not None else ""
        if code is StepCode.FULL_ORDER:
            return f"the whole order {self.value}"
        if code is StepCode.PERCENT_OF_ORDER:
            return f"{pct} % of order {self.base} = {self.value}"
        if code is StepCode.FIXED:
            return f"fixed {self.base}{f' = {self.value}' if self.rate else ''}"
        if code is StepCode.PERCENT:
            return f"{pct} % off"
        if code is StepCode.MINIMUM_ORDER:
            return f"on an order of at least {self.base}{converted}"
        if code is StepCode.RESULT:
            return f"→ {self.value}"
        if code in (StepCode.CAP_SHARE_OF_ORDER, StepCode.CAP_POLICY_SHARE):
            words = f"{'policy cap' if code is StepCode.CAP_POLICY_SHARE else 'cap'} {pct} % of order"
            return f"{words} ({self.note})" if self.note else f"{words} = {self.bound}"
        words = {
            StepCode.AT_LEAST: "at least",
            StepCode.AT_MOST: "at most",
            StepCode.CAP_KIND: "cap for this kind",
            StepCode.CAP_ANY: "cap for any remedy",
            StepCode.CAP_ORDER: "no more than the order",
        }[code]
        if code is StepCode.CAP_ORDER:
            return f"{words} {self.bound}"
        return f"{words} {self.base}{converted}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": str(self.code),
            "value": self.value.as_dict() if self.value else None,
            "base": self.base.as_dict() if self.base else None,
            "bound": self.bound.as_dict() if self.bound else None,
            "percent": str(self.percent) if self.percent is not None else None,
            "rate": self.rate.as_dict() if self.rate else None,
            "applied": self.applied,
            "note": self.note,
            "text": self.text(),
        }


# The policy's own caps: the explanation names them only where they bound the value (the steps keep them all).
POLICY_CAPS = frozenset({StepCode.CAP_KIND, StepCode.CAP_ANY, StepCode.CAP_POLICY_SHARE})


@dataclass(frozen=True)
class Option:
    """A priced remedy option: what the customer gets (`terms`), its value in the home currency for budgets
    and authority limits (with the rate used), how it is fulfilled, how the value was computed, and whether it
    came from the rule that fired or from the default set (a top-up)."""

    terms: Terms
    value_home: Converted | None
    fulfilment: Fulfilment
    steps: tuple[Step, ...]
    source: str = "rule"

    @property
    def kind(self) -> Kind:
        return self.terms.kind

    def explain(self) -> str:
        """`15 % of order 89.90 EUR = 13.49 EUR; at least 5.00 EUR; cap 30 % of order = 26.97 EUR → 13.49 EUR`;
        for a remedy that is not money (a free month, a gift), what it is, then what it costs."""
        rules = CATALOGUE[self.kind]
        what = _summary(self.terms) if rules.cost_only or rules.value is Need.NONE else ""
        parts = [
            *([what] if what else []),
            *(["cost:"] if what and self.steps else []),
            *[
                s.text()
                for s in self.steps
                if s.code is not StepCode.RESULT and (s.applied or s.code not in POLICY_CAPS)
            ],
        ]
        result = [s.text() for s in self.steps if s.code is StepCode.RESULT]
        text = "; ".join(parts).replace("cost:; ", "cost: ")
        if result:
            text = f"{text} {result[0]}" if text else result[0]
        if self.value_home is not None and self.value_home.rate_used is not None:
            text += f" ({self.value_home.value} at {self.value_home.rate_used})"
        return text or str(self.kind)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "terms": self.terms.as_dict(),
            "value_home": self.value_home.as_dict() if self.value_home else None,
            "fulfilment": str(self.fulfilment),
            "source": self.source,
            "steps": [s.as_dict() for s in self.steps],
            "explanation": self.explain(),
        }


def _summary(terms: Terms) -> str:
    """What a remedy that is not money is, in a few English words, to head its explanation."""
    if terms.kind is Kind.SERVICE_PERIOD and terms.period:
        return f"{terms.period} free"
    if terms.kind is Kind.APPOINTMENT:
        return f"{terms.slots} times to choose from"
    if terms.item:
        return terms.item_in("en")
    return {Kind.REPLACEMENT: "a replacement of the order", Kind.APOLOGY: "an apology"}.get(terms.kind, terms.kind)


@dataclass(frozen=True, slots=True)
class Dropped:
    """An option the rule named that this case could not have: `reason` is needs_order (a refund without an
    order), capped_to_nothing (caps left no value) or over_cap (a replacement or gift costing more than a cap)."""

    kind: Kind
    reason: str
    source: str = "rule"


class Risk(StrEnum):
    LOW = "low"  # the rule that fired says its options may go out with the acknowledgement
    REVIEW = "review"  # an agent looks first


@dataclass(frozen=True)
class Evaluation:
    """What the policy offers this case, and why: the rule that fired (`rule`, its position `rule_index`,
    counting from 1) or
    `fallback` when none did, the conditions that held, the options with their computations, the options
    dropped, and whether the offer may go out on its own (`auto_offer`)."""

    policy_version: int
    rule: str | None
    rule_index: int | None
    fallback: bool
    reasons: tuple[str, ...]
    options: tuple[Option, ...]
    dropped: tuple[Dropped, ...]
    topped_up: bool
    auto_offer: bool
    currency: str
    order_home: Converted | None
    # The fired rule's conditions as data (the reasons above are their English words).
    conditions: tuple[Condition, ...] = ()

    @property
    def risk(self) -> Risk:
        return Risk.LOW if self.auto_offer else Risk.REVIEW

    def explain(self) -> str:
        head = (
            "no rule matched: the default set"
            if self.fallback
            else f"rule {self.rule_index} “{self.rule}”: {'; '.join(self.reasons) or 'always'}"
        )
        lines = [f"policy v{self.policy_version}, {head}"]
        lines += [f"{o.kind}: {o.explain()}{' (default)' if o.source != 'rule' else ''}" for o in self.options]
        lines += [f"{d.kind}: dropped ({d.reason.replace('_', ' ')})" for d in self.dropped]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "policy_version": self.policy_version,
            "rule": self.rule,
            "rule_index": self.rule_index,
            "fallback": self.fallback,
            "reasons": list(self.reasons),
            "options": [o.as_dict() for o in self.options],
            "dropped": [{"kind": str(d.kind), "reason": d.reason, "source": d.source} for d in self.dropped],
            "topped_up": self.topped_up,
            "auto_offer": self.auto_offer,
            "risk": str(self.risk),
            "currency": self.currency,
            "order_home": self.order_home.as_dict() if self.order_home else None,
        }


# Where each fact sits in the tuple the screen reads; the complaint counts follow, one per window the policy uses.
_SLOT = {
    Fact.CATEGORY: 0,
    Fact.SEVERITY: 1,
    Fact.ORDER_VALUE: 2,
    Fact.CUSTOMER_TIER: 3,
    Fact.LIFETIME_VALUE: 4,
    Fact.DELAY_DAYS: 5,
    Fact.INCIDENT: 6,
    Fact.CLUSTER: 7,
    Fact.PUBLIC_RISK: 8,
    Fact.CHURN_RISK: 9,
    Fact.CHANNEL: 10,
    Fact.LANGUAGE: 11,
}
_LANGUAGE_BASE = 12
_WINDOWS = 13

Seen = tuple[Any, ...]


def _seen(facts: Facts, order_home: Decimal | None, lifetime_home: Decimal, windows: tuple[int, ...]) -> Seen:
    """The facts as the conditions read them: amounts in the home currency, names folded, and the customer's
    complaints counted once per window (this one included)."""
    language = language_code(facts.language)
    days = facts.complaint_days
    return (
        facts.category.strip().lower(),
        facts.severity,
        order_home,
        facts.customer_tier.strip().lower(),
        lifetime_home,
        facts.delay_days,
        facts.incident,
        facts.cluster,
        facts.public_risk,
        facts.churn_risk,
        facts.channel.strip().lower(),
        language,
        language.split("-")[0],
        *(1 + sum(1 for d in days if d <= window) for window in windows),
    )


def _set_value(fact: Fact, value: str) -> str:
    return language_code(value) if fact is Fact.LANGUAGE else value.strip().lower()


@dataclass(frozen=True)
class _Screen:
    """The policy's conditions turned around: for each fact, which rules a case's value rules out.

    Rule i is bit i of an integer. A threshold fact keeps its thresholds sorted, with the rules that fail for a
    value above (or below) each: one bisection finds every rule the case's value rules out at once. A set fact
    maps each named value to the rules that admit (or exclude) it. The rules left standing after every fact has
    had its say are the ones whose conditions all hold, and the first of them (the lowest bit) fires, exactly
    as reading the rules in order would find it. The cost is one look-up per fact the policy tests, however
    many rules it has: 200 rules or 2,000 cost the same to screen.
    """

    rules: int  # every rule's bit
    # (slot, sorted thresholds, rules ruled out by the bisection position, at_least?)
    thresholds: tuple[tuple[int, tuple[Any, ...], tuple[int, ...], bool], ...]
    # (slot, base-language slot or -1, rules with an `in` test, value -> rules it admits, value -> rules excluding it)
    sets: tuple[tuple[int, int, int, dict[str, int], dict[str, int]], ...]
    # (slot, rules ruled out when the flag is set, rules ruled out when it is not)
    flags: tuple[tuple[int, int, int], ...]
    needs_order: int  # rules with an order-value test: a case without an order fails them all

    @classmethod
    def build(cls, rules: tuple[Rule, ...], windows: tuple[int, ...]) -> _Screen:
        bounds: dict[tuple[int, bool], list[tuple[Any, int]]] = {}
        sets: dict[Fact, tuple[list[int], dict[str, int], dict[str, int]]] = {}
        flags: dict[Fact, list[int]] = {}
        needs_order = 0
        for number, rule in enumerate(rules):
            bit = 1 << number
            for c in rule.conditions:
                if c.fact in SET_FACTS:
                    in_rules, admits, excludes = sets.setdefault(c.fact, ([0], {}, {}))
                    target = admits if c.op is Op.IN else excludes
                    in_rules[0] |= bit if c.op is Op.IN else 0
                    for value in {_set_value(c.fact, v) for v in c.values}:
                        target[value] = target.get(value, 0) | bit
                elif c.fact in FLAG_FACTS:
                    # [ruled out when the flag is set, ruled out when it is clear]
                    flags.setdefault(c.fact, [0, 0])[1 if c.flag else 0] |= bit
                else:
                    slot = _WINDOWS + windows.index(c.within_days or 0) if c.fact is Fact.COMPLAINTS else _SLOT[c.fact]
                    # Counts and risks compare as plain numbers; amounts stay Decimal.
                    exact = c.fact in MONEY_FACTS
                    if c.low is not None:
                        bounds.setdefault((slot, True), []).append((c.low if exact else float(c.low), bit))
                    if c.high is not None:
                        bounds.setdefault((slot, False), []).append((c.high if exact else float(c.high), bit))
                    if c.fact is Fact.ORDER_VALUE:
                        needs_order |= bit
        thresholds = []
        for (slot, at_least), entries in sorted(bounds.items()):
            entries.sort(key=lambda e: e[0])
            values = tuple(e[0] for e in entries)
            out = [0] * (len(entries) + 1)
            if at_least:  # a value below a threshold rules its rule out: those from bisect_right onwards
                for k in range(len(entries) - 1, -1, -1):
                    out[k] = out[k + 1] | entries[k][1]
            else:  # a value above a threshold rules it out: those before bisect_left
                for k in range(len(entries)):
                    out[k + 1] = out[k] | entries[k][1]
            thresholds.append((slot, values, tuple(out), at_least))
        return cls(
            rules=(1 << len(rules)) - 1,
            thresholds=tuple(thresholds),
            sets=tuple(
                (_SLOT[fact], _LANGUAGE_BASE if fact is Fact.LANGUAGE else -1, in_rules[0], admits, excludes)
                for fact, (in_rules, admits, excludes) in sets.items()
            ),
            flags=tuple((_SLOT[fact], when[0], when[1]) for fact, when in flags.items()),
            needs_order=needs_order,
        )

    def first(self, seen: Seen) -> int | None:
        """The position of the first rule whose conditions all hold for `seen`, or None."""
        out = 0
        for slot, values, ruled_out, at_least in self.thresholds:
            value = seen[slot]
            if value is None:  # no order: every order-value test fails (needs_order below)
                continue
            out |= ruled_out[bisect_right(values, value) if at_least else bisect_left(values, value)]
        if seen[_SLOT[Fact.ORDER_VALUE]] is None:
            out |= self.needs_order
        for slot, base, in_rules, admits, excludes in self.sets:
            value = seen[slot]
            admitted, excluded = admits.get(value, 0), excludes.get(value, 0)
            if base >= 0:  # a language: `sr` also covers sr-latn
                admitted |= admits.get(seen[base], 0)
                excluded |= excludes.get(seen[base], 0)
            out |= (in_rules & ~admitted) | excluded
        for slot, when_set, when_clear in self.flags:
            out |= when_set if seen[slot] else when_clear
        standing = self.rules & ~out
        return (standing & -standing).bit_length() - 1 if standing else None


@dataclass(frozen=True)
class Policy:
    """A versioned remedy policy. `currency` is the home currency every amount in it is written in. A policy
    is immutable: a new version is a new Policy, and an offer made under an old one keeps its values."""

    version: int
    currency: str
    rules: tuple[Rule, ...]
    defaults: tuple[OptionSpec, ...]
    caps: Caps = field(default_factory=Caps)
    defaults_auto_offer: bool = False
    _screen: _Screen = field(init=False, repr=False, compare=False)
    _windows: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise PolicyError(problems)
        windows = tuple(sorted({c.within_days for r in self.rules for c in r.conditions if c.within_days is not None}))
        object.__setattr__(self, "_windows", windows)
        object.__setattr__(self, "_screen", _Screen.build(self.rules, windows))

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        found: list[tuple[tuple[str | int, ...], str]] = []
        if type(self.version) is not int or self.version < 1:
            found.append((("version",), "version is a whole number from 1"))
        try:
            minor_digits(self.currency)
        except ValueError:
            return [*found, (("currency",), f"{self.currency!r} is not an ISO 4217 currency code")]
        if len(self.rules) > MAX_RULES:
            found.append((("rules",), f"a policy holds at most {MAX_RULES} rules"))
        names: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            found += [(("rules", index, *path), reason) for path, reason in rule.problems()]
            key = rule.name.strip().casefold() if isinstance(rule.name, str) else ""
            if key in names:
                found.append((("rules", index, "name"), f"the name is already rule {names[key] + 1}'s"))
            names.setdefault(key, index)
            for number, spec in enumerate(rule.options):
                found += [
                    (("rules", index, "options", number, *path), reason)
                    for path, reason in spec.problems(self.currency)
                ]
        if not MIN_OPTIONS <= len(self.defaults) <= MAX_OPTIONS:
            found.append((("defaults",), f"the default set holds {MIN_OPTIONS}–{MAX_OPTIONS} options"))
        elif sum(1 for spec in self.defaults if not spec.needs_order) < MIN_OPTIONS:
            found.append(
                (("defaults",), f"at least {MIN_OPTIONS} default options must need no order (to top up any offer)")
            )
        for number, spec in enumerate(self.defaults):
            found += [(("defaults", "options", number, *path), r) for path, r in spec.problems(self.currency)]
        found += [(("caps", *path), reason) for path, reason in self.caps.problems(self.currency)]
        return found


class _Pricing:
    """Everything an option's value depends on besides its spec."""

    __slots__ = ("caps", "currency", "home", "item", "on", "order", "rates")

    def __init__(self, policy: Policy, facts: Facts, rates: RateTable) -> None:
        self.home = policy.currency
        self.caps = policy.caps
        self.order = facts.order_value
        self.currency = facts.order_value.currency if facts.order_value else policy.currency
        self.on = facts.on
        self.rates = rates
        self.item = facts.order_item.strip()

    def limit(self, amount: Decimal, rounding: str) -> Converted:
        """A home-currency limit in the offer currency, rounded so it holds (caps down, floors up)."""
        return self.rates.from_home(Money.of(amount, self.home), self.currency, self.on, rounding=rounding)


def _price(spec: OptionSpec, pricing: _Pricing, source: str) -> Option | Dropped:
    rules = CATALOGUE[spec.kind]
    order = pricing.order
    if order is None and spec.needs_order:
        return Dropped(spec.kind, "needs_order", source)
    steps: list[Step] = []
    value: Money | None = None
    formula = spec.formula
    if formula == "full_order" and order is not None:
        value = order
        steps.append(Step(StepCode.FULL_ORDER, value=value, base=order))
    elif formula == "percent_of_order" and order is not None and spec.percent_of_order is not None:
        value = order.percent(spec.percent_of_order)
        steps.append(Step(StepCode.PERCENT_OF_ORDER, value=value, base=order, percent=spec.percent_of_order))
    elif formula == "fixed" and spec.fixed is not None:
        converted = pricing.limit(spec.fixed, ROUND_HALF_UP)
        value = converted.value
        steps.append(Step(StepCode.FIXED, value=value, base=converted.source, rate=converted.rate_used))
    elif formula == "percent":
        steps.append(Step(StepCode.PERCENT, percent=spec.percent))
    if value is not None:
        bounded = _bounded(spec, value, pricing, steps)
        if bounded is None:
            return Dropped(spec.kind, "over_cap", source)
        if not bounded:
            return Dropped(spec.kind, "capped_to_nothing", source)
        value = bounded
        steps.append(Step(StepCode.RESULT, value=value))
    minimum: Money | None = None
    if spec.minimum_order is not None:
        converted = pricing.limit(spec.minimum_order, ROUND_HALF_UP)
        minimum = converted.value
        steps.append(Step(StepCode.MINIMUM_ORDER, base=converted.source, bound=minimum, rate=converted.rate_used))
    valid_days = spec.valid_days or (DEFAULT_VALID_DAYS if rules.code else None)
    period = Period(spec.months, "month") if spec.months else Period(spec.days, "day") if spec.days else None
    if spec.kind is Kind.REPLACEMENT and pricing.item:
        item: Mapping[str, str] = {"*": pricing.item}
    else:
        item = dict(spec.item)
    terms = Terms(
        kind=spec.kind,
        value=value,
        full=spec.kind is Kind.REFUND and value is not None and order is not None and value == order,
        percent=spec.percent,
        minimum_order=minimum,
        valid_until=pricing.on + timedelta(days=valid_days) if valid_days else None,
        period=period,
        slots=(spec.slots or DEFAULT_SLOTS) if spec.kind is Kind.APPOINTMENT else None,
        item=item,
    )
    value_home = pricing.rates.to_home(value, pricing.on) if value is not None else None
    return Option(terms, value_home, rules.fulfilment, tuple(steps), source)


def _bounded(spec: OptionSpec, value: Money, pricing: _Pricing, steps: list[Step]) -> Money | None:
    """The value held between the option's floor and every cap; caps come last, so they win. For a remedy
    whose money is its cost (a replacement, a gift), a cap it exceeds withdraws it: None."""
    cost_only = CATALOGUE[spec.kind].cost_only
    if spec.at_least is not None:
        floor = pricing.limit(spec.at_least, ROUND_UP)
        applied = value < floor.value
        value = floor.value if applied else value
        steps.append(Step(StepCode.AT_LEAST, value, floor.source, floor.value, rate=floor.rate_used, applied=applied))
    ceilings: list[tuple[StepCode, Decimal | None, Decimal | None]] = [
        (StepCode.AT_MOST, spec.at_most, None),
        (StepCode.CAP_SHARE_OF_ORDER, None, spec.cap_share_of_order),
        (StepCode.CAP_KIND, pricing.caps.per_kind.get(spec.kind), None),
        (StepCode.CAP_ANY, pricing.caps.max_value, None),
        (StepCode.CAP_POLICY_SHARE, None, pricing.caps.max_share_of_order),
    ]
    order = pricing.order
    for code, amount, share in ceilings:
        if amount is not None:
            cap = pricing.limit(amount, ROUND_DOWN)
            applied = value > cap.value
            if applied and cost_only:
                return None
            value = cap.value if applied else value
            steps.append(Step(code, value, cap.source, cap.value, rate=cap.rate_used, applied=applied))
        elif share is not None:
            if order is None:
                steps.append(Step(code, value, percent=share, applied=False, note="no order to take a share of"))
                continue
            bound = order.percent(share, rounding=ROUND_DOWN)
            applied = value > bound
            if applied and cost_only:
                return None
            value = bound if applied else value
            steps.append(Step(code, value, order, bound, percent=share, applied=applied))
    if CATALOGUE[spec.kind].within_order and order is not None and value > order:
        value = order
        steps.append(Step(StepCode.CAP_ORDER, value, order, order))
    return value


class AboveCap(ValueError):
    """A value an agent typed that a cap does not allow: `step` names the cap (its code) and its bound."""

    def __init__(self, step: Step) -> None:
        super().__init__(f"{step.value} is above the cap: {step.text()}")
        self.step = step


def check_value(policy: Policy, kind: Kind, value: Money, facts: Facts, rates: RateTable) -> Converted:
    """A value typed by a person for a remedy of `kind` on this case (in the order's currency, or the home
    currency without an order), held to the policy's caps for the kind, for any remedy, for a share of the
    order, and for a refund to the order itself. Returns it in the home currency, with the rate, for authority
    limits and budgets; raises AboveCap naming the first cap it breaks, ValueError for a kind that carries no
    money or a value in another currency, MissingRate when there is no rate for the currency."""
    if CATALOGUE[kind].value is Need.NONE:
        raise ValueError(f"a {kind} carries no value")
    pricing = _Pricing(policy, facts, rates)
    if value.currency != pricing.currency:
        raise ValueError(f"this case is priced in {pricing.currency}, not {value.currency}")
    if not value:
        raise ValueError("a remedy's value must be more than zero")
    caps = policy.caps
    bounds: list[tuple[StepCode, Money | None, Money, Rate | None, Decimal | None]] = []
    for code, amount in ((StepCode.CAP_KIND, caps.per_kind.get(kind)), (StepCode.CAP_ANY, caps.max_value)):
        if amount is not None:
            cap = pricing.limit(amount, ROUND_DOWN)
            bounds.append((code, cap.source, cap.value, cap.rate_used, None))
    order = pricing.order
    if order is not None and caps.max_share_of_order is not None:
        share = caps.max_share_of_order
        bounds.append((StepCode.CAP_POLICY_SHARE, order, order.percent(share, rounding=ROUND_DOWN), None, share))
    if order is not None and CATALOGUE[kind].within_order:
        bounds.append((StepCode.CAP_ORDER, order, order, None, None))
    for code, base, bound, rate, percent in bounds:
        if value > bound:
            raise AboveCap(Step(code, value, base, bound, percent=percent, rate=rate))
    return rates.to_home(value, facts.on)


def evaluate(policy: Policy, facts: Facts, rates: RateTable) -> Evaluation:
    """Price this case under `policy`: the first rule whose conditions all hold, else the default set.

    Raises MissingRate when the order or the customer's lifetime value is in a currency the rate table has no
    rate for on the case's date (pricing on a guessed rate would be worse than asking for the rate), and
    ValueError when the rate table's home currency is not the policy's.
    """
    if rates.home != policy.currency:
        raise ValueError(f"the policy is in {policy.currency}, the rate table's home currency is {rates.home}")
    order_home = rates.to_home(facts.order_value, facts.on) if facts.order_value is not None else None
    lifetime = facts.lifetime_value
    lifetime_home = rates.to_home(lifetime, facts.on).value.amount if lifetime is not None else Decimal(0)
    seen = _seen(facts, order_home.value.amount if order_home else None, lifetime_home, policy._windows)
    fired_index = policy._screen.first(seen)
    fired = policy.rules[fired_index] if fired_index is not None else None
    pricing = _Pricing(policy, facts, rates)
    options: list[Option] = []
    dropped: list[Dropped] = []
    if fired is not None and fired.apology_only:
        specs: tuple[OptionSpec, ...] = (OptionSpec(Kind.APOLOGY),)
    else:
        specs = fired.options if fired is not None else policy.defaults
    source = "rule" if fired is not None else "default"
    for spec in specs:
        priced = _price(spec, pricing, source)
        if isinstance(priced, Option):
            options.append(priced)
        else:
            dropped.append(priced)
    topped_up = False
    if not (fired is not None and fired.apology_only) and len(options) < MIN_OPTIONS:
        offered = {o.kind for o in options}
        tried = specs if fired is None else ()
        for spec in policy.defaults:
            if len(options) >= MIN_OPTIONS:
                break
            if spec.kind in offered or spec in tried:
                continue
            priced = _price(spec, pricing, "default")
            if isinstance(priced, Option):
                options.append(priced)
                offered.add(spec.kind)
                topped_up = True
        if len(options) < MIN_OPTIONS and Kind.APOLOGY not in offered:
            apology = _price(OptionSpec(Kind.APOLOGY), pricing, "default")
            if isinstance(apology, Option):
                options.append(apology)
                topped_up = True
    currency = pricing.currency
    reasons = tuple(c.describe(policy.currency) for c in fired.conditions) if fired is not None else ()
    return Evaluation(
        policy_version=policy.version,
        rule=fired.name if fired is not None else None,
        rule_index=fired_index + 1 if fired_index is not None else None,
        fallback=fired is None,
        reasons=reasons if fired is not None else ("no rule matched",),
        options=tuple(options),
        dropped=tuple(dropped),
        topped_up=topped_up,
        auto_offer=fired.auto_offer if fired is not None else policy.defaults_auto_offer,
        currency=currency,
        order_home=order_home,
        conditions=fired.conditions if fired is not None else (),
    )
