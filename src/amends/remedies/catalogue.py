"""The remedy catalogue: what each kind of remedy is, what value it carries, how it reaches the customer, and the
sentence that tells the customer in plain words what they get.

Pure Python: no Django import. The sentences are data (`data/texts.json`, one entry per customer language, with
named placeholders) rather than gettext strings, so the evaluator, the benchmark and the tests can word an
offer without Django; amounts, percentages and dates are formatted with Babel for the customer's locale, so
"10,00 €" reads right in Slovak and "€10.00" in English. Adding a language is adding its block to the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_percent

from .money import Money

TEXTS_PATH = Path(__file__).parent / "data" / "texts.json"
FALLBACK_LANGUAGE = "en"
# Our language codes (as in settings.LANGUAGES) and the Babel locale each is formatted in.
_LOCALES = {"en": "en", "ru": "ru", "bg": "bg", "sr": "sr", "sr-latn": "sr_Latn", "sk": "sk"}
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
_ALIASES = {"sr-cyrl": "sr", "sr-latin": "sr-latn", "sr-cyrillic": "sr"}


class Kind(StrEnum):
    REFUND = "refund"
    DISCOUNT_CODE = "discount_code"
    STORE_CREDIT = "store_credit"
    REPLACEMENT = "replacement"
    SERVICE_PERIOD = "service_period"
    APPOINTMENT = "appointment"
    GIFT = "gift"
    UPGRADE = "upgrade"
    APOLOGY = "apology"


class Fulfilment(StrEnum):
    """How a granted remedy reaches the customer."""

    SHOP = "shop"  # a signed webhook asks the shop to do it (refund to the payment, ship, extend, upgrade)
    CODE = "code"  # a unique single-use code with its value, currency and expiry, sent to the customer
    CALENDAR = "calendar"  # the customer picks one of the offered times; the slot is booked
    MANUAL = "manual"  # a person sends it (a gift) and marks it fulfilled
    NONE = "none"  # nothing to deliver beyond the reply itself (an apology)


class Need(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


# Value formulas. `full_order` and `percent_of_order` read the order's value; `fixed` is an amount in the home
# currency; `percent` is a percentage discount (a discount code's own value, not money).
FORMULAS = ("full_order", "percent_of_order", "fixed", "percent")
ORDER_FORMULAS = frozenset({"full_order", "percent_of_order"})


@dataclass(frozen=True)
class KindRules:
    """What a kind of remedy is made of. `value` says whether an option of the kind must, may or cannot carry a
    value (money, or a percentage for a discount code); when it carries money, that money counts against
    budgets and authority limits, even where the customer sees an item (a replacement's cost, a gift's price)."""

    kind: Kind
    fulfilment: Fulfilment
    value: Need
    formulas: frozenset[str] = frozenset()
    needs_order: bool = False  # meaningless without an order (a refund, a replacement)
    within_order: bool = False  # never worth more than the order: a refund gives back at most what was paid
    extras: frozenset[str] = frozenset()  # further fields the kind takes
    one_of: frozenset[str] = frozenset()  # of which exactly one is required (a period in days or months)
    required: frozenset[str] = frozenset()  # extras that must be given
    code: bool = False  # fulfilled with a generated code: single use, with value, currency and expiry
    # The money is what the remedy costs the company (a replacement, a free month, a gift), not what the customer
    # is given: a cap cannot shrink it, so a cost above a cap withdraws the option instead, and it takes no floor.
    cost_only: bool = False


CATALOGUE: dict[Kind, KindRules] = {
    rules.kind: rules
    for rules in (
        KindRules(
            Kind.REFUND,
            Fulfilment.SHOP,
            Need.REQUIRED,
            frozenset({"full_order", "percent_of_order", "fixed"}),
            needs_order=True,
            within_order=True,
        ),
        KindRules(
            Kind.DISCOUNT_CODE,
            Fulfilment.CODE,
            Need.REQUIRED,
            frozenset({"percent", "percent_of_order", "fixed"}),
            extras=frozenset({"minimum_order", "valid_days"}),
            code=True,
        ),
        KindRules(
            Kind.STORE_CREDIT,
            Fulfilment.CODE,
            Need.REQUIRED,
            frozenset({"percent_of_order", "fixed"}),
            extras=frozenset({"valid_days"}),
            code=True,
        ),
        KindRules(
            Kind.REPLACEMENT,
            Fulfilment.SHOP,
            Need.OPTIONAL,
            frozenset({"full_order", "percent_of_order", "fixed"}),
            needs_order=True,
            cost_only=True,
        ),
        KindRules(
            Kind.SERVICE_PERIOD,
            Fulfilment.SHOP,
            Need.OPTIONAL,
            frozenset({"fixed"}),
            extras=frozenset({"months", "days"}),
            one_of=frozenset({"months", "days"}),
            cost_only=True,
        ),
        KindRules(Kind.APPOINTMENT, Fulfilment.CALENDAR, Need.NONE, extras=frozenset({"slots"})),
        KindRules(
            Kind.GIFT,
            Fulfilment.MANUAL,
            Need.OPTIONAL,
            frozenset({"fixed"}),
            extras=frozenset({"item"}),
            required=frozenset({"item"}),
            cost_only=True,
        ),
        KindRules(
            Kind.UPGRADE,
            Fulfilment.SHOP,
            Need.OPTIONAL,
            frozenset({"fixed"}),
            extras=frozenset({"item"}),
            required=frozenset({"item"}),
            cost_only=True,
        ),
        KindRules(Kind.APOLOGY, Fulfilment.NONE, Need.NONE),
    )
}

# A code without a stated lifetime is valid this long; an appointment offers this many times by default.
DEFAULT_VALID_DAYS = 90
DEFAULT_SLOTS = 3


@dataclass(frozen=True, slots=True)
class Period:
    count: int
    unit: Literal["day", "month"]

    def __str__(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class Terms:
    """What the customer gets, concretely: the part of an offer the customer reads and the shop fulfils.

    `value` is in the customer's currency (the order's, else the home currency). `item` holds the words for a
    gift, an upgrade or a replacement by language; the key "*" serves every language (an order line as the shop
    wrote it).
    """

    kind: Kind
    value: Money | None = None
    full: bool = False
    percent: Decimal | None = None
    minimum_order: Money | None = None
    valid_until: date | None = None
    period: Period | None = None
    slots: int | None = None
    item: Mapping[str, str] = field(default_factory=dict)

    def item_in(self, language: str) -> str:
        """The item's words in `language`, else its base language, else English, else any."""
        if not self.item:
            return ""
        code = language_code(language)
        for key in (code, code.split("-")[0], "*", FALLBACK_LANGUAGE):
            if key in self.item:
                return self.item[key]
        return next(iter(self.item.values()))

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "value": self.value.as_dict() if self.value else None,
            "full": self.full,
            "percent": str(self.percent) if self.percent is not None else None,
            "minimum_order": self.minimum_order.as_dict() if self.minimum_order else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "period": {"count": self.period.count, "unit": self.period.unit} if self.period else None,
            "slots": self.slots,
            "item": dict(self.item),
        }


def language_code(language: str) -> str:
    """Our code for a language as callers spell it: sr-Latn, sr_Latn, SR-LATN → sr-latn; sr-Cyrl → sr."""
    value = (language or "").strip().replace("_", "-").lower()
    value = _ALIASES.get(value, value)
    if value.startswith("sr-") and "latn" in value:
        return "sr-latn"
    return value


@cache
def texts() -> dict[str, dict[str, object]]:
    with TEXTS_PATH.open(encoding="utf-8") as handle:
        loaded: dict[str, dict[str, object]] = json.load(handle)
    return loaded


def languages() -> tuple[str, ...]:
    """The languages an offer can be worded in."""
    return tuple(texts())


def _resolve(language: str) -> str:
    code = language_code(language)
    table = texts()
    if code in table:
        return code
    base = code.split("-")[0]
    return base if base in table else FALLBACK_LANGUAGE


def _plural(language: str, key: str, count: int) -> str:
    forms = texts()[language][key]
    if not isinstance(forms, dict):
        raise TypeError(f"{key} in {language} must map plural categories to texts")
    tag = Locale.parse(_LOCALES.get(language, language)).plural_form(count)
    return str(forms.get(tag, forms["other"])).format(n=count)


def _template(language: str, key: str) -> str:
    return str(texts()[language][key])


def _slot(moment: datetime, locale: str, tz: tzinfo | None) -> str:
    pattern = Locale.parse(locale).datetime_formats["short"]
    day = format_skeleton("MMMEd", moment, tzinfo=tz, locale=locale)
    time = format_time(moment, "short", tzinfo=tz, locale=locale)
    return str(pattern).replace("{1}", day).replace("{0}", time)


def describe(
    terms: Terms, language: str, *, slots: Sequence[datetime] = (), tz: tzinfo | None = None, booked: bool = False
) -> str:
    """The sentence that tells the customer in plain words what they get, in their language (English when the
    catalogue does not speak it). `slots` are the times an appointment offers, shown in `tz`; with `booked`, the
    one slot is the time the customer picked, said with its time zone."""
    lang = _resolve(language)
    locale = _LOCALES.get(lang, lang)
    amount = terms.value.format(locale) if terms.value else ""
    # Serbian names months in the nominative ("до 30. јун"), which reads wrong after "until": digits instead.
    style = str(texts()[lang].get("date_format", "long"))
    expiry = format_date(terms.valid_until, style, locale=locale) if terms.valid_until else ""
    minimum = terms.minimum_order.format(locale) if terms.minimum_order else ""
    kind = terms.kind
    values: dict[str, str] = {"amount": amount, "expiry": expiry, "minimum": minimum, "item": terms.item_in(lang)}
    if kind is Kind.REFUND:
        key = "refund_full" if terms.full else "refund_partial"
    elif kind is Kind.DISCOUNT_CODE:
        key = "discount_percent" if terms.percent is not None else "discount_amount"
        key += "_minimum" if terms.minimum_order else ""
        if terms.percent is not None:
            values["percent"] = format_percent(terms.percent / 100, locale=locale, decimal_quantization=False)
    elif kind is Kind.STORE_CREDIT:
        key = "store_credit"
    elif kind is Kind.REPLACEMENT:
        key = "replacement_item" if values["item"] else "replacement"
    elif kind is Kind.SERVICE_PERIOD:
        key = "service_period"
        period = terms.period or Period(1, "month")
        values["period"] = _plural(lang, f"period_{period.unit}", period.count)
    elif kind is Kind.APPOINTMENT:
        if booked and slots:
            key = "appointment_booked"
            zone = format_datetime(slots[0], "z", tzinfo=tz, locale=locale)
            values["slots"] = f"{_slot(slots[0], locale, tz)} ({zone})"
        else:
            key = "appointment" if slots else "appointment_open"
            values["slots"] = format_list([_slot(s, locale, tz) for s in slots], style="or", locale=locale)
    elif kind is Kind.GIFT:
        key = "gift"
    elif kind is Kind.UPGRADE:
        key = "upgrade"
    else:
        key = "apology"
    sentence = _template(lang, key).format_map(values)
    # A date that ends in an abbreviation's dot ("2026 г.", "2026.") ends the sentence with it.
    sentence = _DOUBLE_STOP.sub(".", sentence)
    return sentence[:1].upper() + sentence[1:]
