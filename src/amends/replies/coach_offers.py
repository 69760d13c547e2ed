"""What a reply promises, held against what the case offers and what the author may give. Pure Python.

A promise is a remedy kind named in a sentence ("full refund", "10 % off", "a new pair"), with the amount or
percentage of that sentence, unless the clause denies it ("we cannot exchange"). Kinds are phrase lists per
language in rules/<language>.json (`kind_<kind>`, `negation`), compared on the folded, transliterated draft like
every other rule.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Promise kinds as the phrase lists name them, most specific first: "full refund" is read before "refund".
KINDS = (
    "full_refund",
    "refund",
    "discount",
    "store_credit",
    "replacement",
    "service_period",
    "gift",
    "upgrade",
    "appointment",
)
# The catalogue kind (remedies.catalogue.Kind) each promise kind stands for.
CATALOGUE_KIND = {"full_refund": "refund", "discount": "discount_code"}
# Words for the agent; a code and a voucher read alike to a customer, so either offered covers either promised.
KIND_WORDS = {
    "full_refund": "a full refund",
    "refund": "a refund",
    "discount_code": "a discount",
    "store_credit": "store credit",
    "replacement": "a replacement",
    "service_period": "a free service period",
    "gift": "a gift",
    "upgrade": "an upgrade",
    "appointment": "an appointment",
}
INTERCHANGEABLE = {
    "discount_code": {"discount_code", "store_credit"},
    "store_credit": {"discount_code", "store_credit"},
}
_SENTENCE = re.compile(r"[^.!?;\n]+")
_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:%|percent|procent\w*|posto|percent\w*|percenat\w*|odsto)")
# How far before a kind a denial still belongs to it: about four words within the clause.
NEGATION_REACH = 40


@dataclass(frozen=True)
class OfferedRemedy:
    """One option offered on the case, as the coach needs it: its catalogue kind, its value (money in the
    customer's currency, or a percentage for a discount), whether it is the whole order, and its plain words."""

    kind: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    full: bool = False
    text: str = ""


@dataclass(frozen=True)
class Promise:
    kind: str  # a catalogue kind
    full: bool
    amount: Decimal | None
    percent: Decimal | None
    start: int  # in the normalized draft
    end: int

    @property
    def words(self) -> str:
        return KIND_WORDS["full_refund" if self.full else self.kind]


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


def _denied(sentence: str, start: int, negation: re.Pattern[str] | None) -> bool:
    """A denial in the same clause shortly before the kind: "we cannot exchange", "не можем да заменим"."""
    if negation is None:
        return False
    clause_start = max(sentence.rfind(",", 0, start), sentence.rfind(":", 0, start), start - NEGATION_REACH)
    return negation.search(sentence, max(0, clause_start), start) is not None


def promises(
    normalized: str,
    rules: dict[str, re.Pattern[str]],
    money: re.Pattern[str],
    amount: Callable[[str], Decimal | None],
) -> list[Promise]:
    """Every remedy the draft promises, the first mention of each kind in each sentence, with that sentence's amount and
    percentage (the largest, if several)."""
    found: list[Promise] = []
    negation = rules.get("negation")
    for sentence in _SENTENCE.finditer(normalized):
        text, offset = sentence.group(), sentence.start()
        amounts = [a for a in (amount(m.group(1) or m.group(2)) for m in money.finditer(text)) if a is not None]
        percents = [p for p in (_decimal(m.group(1)) for m in _PERCENT.finditer(text)) if p is not None]
        taken: list[tuple[int, int]] = []
        for name in KINDS:
            pattern = rules.get(f"kind_{name}")
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                if any(s <= match.start() < e for s, e in taken) or _denied(text, match.start(), negation):
                    continue
                taken.append((match.start(), match.end()))
                found.append(
                    Promise(
                        kind=CATALOGUE_KIND.get(name, name),
                        full=name == "full_refund",
                        amount=max(amounts) if amounts else None,
                        percent=max(percents) if percents else None,
                        start=offset + match.start(),
                        end=offset + match.end(),
                    )
                )
                break
    return found


def worth(promise: Promise, order_value: Decimal | None) -> Decimal | None:
    """What a promise costs in money, number or no number: a full refund is the order's value; a refund or
    credit of a percentage is that share of the order; an amount is itself. A discount's percentage is not
    money (it depends on a future order)."""
    if promise.amount is not None:
        return promise.amount
    if promise.full and order_value is not None:
        return order_value
    if promise.percent is not None and promise.kind in ("refund", "store_credit") and order_value is not None:
        return (order_value * promise.percent / 100).quantize(Decimal("0.01"))
    return None


def beyond_offer(
    promise: Promise, offered: Sequence[OfferedRemedy], order_value: Decimal | None
) -> tuple[str, str] | None:
    """Why a promise goes beyond what the case offers, as (message, suggestion); None when an offered option
    covers it: same kind, and no more money, no larger percentage, not the whole order where a part was offered."""
    kinds = INTERCHANGEABLE.get(promise.kind, {promise.kind})
    same = [o for o in offered if o.kind in kinds]
    listing = "; ".join(o.text or KIND_WORDS.get(o.kind, o.kind) for o in offered) or "none"
    if not same:
        return (
            f"The reply promises {promise.words}, which was not offered on this case.",
            f"Promise only what was offered ({listing}), or add the option first.",
        )
    if promise.full and not any(
        o.full or (o.amount is not None and order_value is not None and o.amount >= order_value) for o in same
    ):
        return (
            "The reply promises a full refund; only a partial one was offered.",
            f"Promise what was offered ({listing}), or ask a manager first.",
        )
    amounts = [o.amount for o in same if o.amount is not None]
    if promise.amount is not None and amounts and promise.amount > max(amounts):
        return (
            f"The reply promises {promise.amount}, more than the {max(amounts)} offered.",
            f"Promise what was offered ({listing}), or ask a manager first.",
        )
    percents = [o.percent for o in same if o.percent is not None]
    if promise.percent is not None and percents and promise.percent > max(percents):
        return (
            f"The reply promises {promise.percent.normalize():f} %, more than the "
            f"{max(percents).normalize():f} % offered.",
            f"Promise what was offered ({listing}), or ask a manager first.",
        )
    return None
