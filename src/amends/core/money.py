"""Currencies and amounts as people type them. Pure Python: no Django import.

Babel keeps the ISO 4217 codes and their minor units (CLDR data). Reading an amount is shared by every input
path (intake, authority limits, the remedy policy, the reply coach), so one set of rules decides what `1.000`
means everywhere.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

# Exclusive upper bound of any amount, in any currency: what the database columns hold (12 digits, 2
# decimals). Anything this large typed into a complaint or a policy is a slip of the finger, not a price.
MAX_AMOUNT = Decimal("10000000000")

# ISO 4217 codes that are not money a customer pays or is paid in: precious metals, bond-market units, special
# drawing rights, the testing code and "no currency".
NOT_MONEY = frozenset(
    {"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XFO", "XFU", "XRE", "XTS", "XXX"}
)

# Signs and words that stand for a currency in what people type, besides the ISO code itself. A sign several
# currencies share ($, kr) means the one the caller expects when it is one of them; on its own, the first.
SYMBOLS: dict[str, tuple[str, ...]] = {
    "€": ("EUR",),
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"),
    "us$": ("USD",),
    "£": ("GBP",),
    "₽": ("RUB",),
    "руб": ("RUB",),
    "руб.": ("RUB",),
    "р.": ("RUB",),
    "лв": ("BGN",),
    "лв.": ("BGN",),
    "lv": ("BGN",),
    "дин": ("RSD",),
    "дин.": ("RSD",),
    "din": ("RSD",),
    "din.": ("RSD",),
    "kč": ("CZK",),
    "zł": ("PLN",),
    "₴": ("UAH",),
    "грн": ("UAH",),
    "грн.": ("UAH",),
    "ден": ("MKD",),
    "ден.": ("MKD",),
    "¥": ("JPY", "CNY"),
    "₺": ("TRY",),
    "ft": ("HUF",),
    "lei": ("RON",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "kr.": ("DKK", "ISK", "SEK", "NOK"),
    "fr.": ("CHF",),
}

_SPACES = "\u0020\u00a0\u202f\u2009"  # space, no-break space, narrow no-break space (Babel's fr/sk), thin space
_APOSTROPHES = "'\u2019"  # Swiss grouping: 1'000.50
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash
_MAX_TYPED = 40  # characters; anything longer is not an amount
# An amount with a currency word or sign before or after it; the number starts and ends with a digit (or a
# separator before the decimals: ",50").
_TYPED = re.compile(r"(?P<pre>[^0-9]*?)\s*(?P<num>[+\-\u2212\u2013]?[0-9.,'\u2019\s]*[0-9])\s*(?P<post>[^0-9]*)", re.S)


class AmountError(ValueError):
    """An amount that cannot be taken, with a machine code (for a translated message) and the reason in English.

    Codes: empty, not_a_number, negative, zero, too_large, too_precise, ambiguous, unknown_currency,
    currency_mismatch, no_currency.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of money (historical ones included: a complaint may be about an old order)."""
    return frozenset(list_currencies()) - NOT_MONEY


def is_currency(code: str) -> bool:
    return code in currency_codes()


# CLDR's "digits" are what is usually shown; where that is fewer than ISO 4217's minor unit (prices in dinars
# are shown whole, yet a Serbian shop may charge 1.499,99 RSD), the ISO minor unit decides what an amount holds.
ISO_MINOR_UNITS = {
    "AFN": 2, "ALL": 2, "IQD": 3, "IRR": 2, "KPW": 2, "LAK": 2, "LBP": 2, "MGA": 2, "MMK": 2, "RSD": 2, "SOS": 2,
    "SYP": 2, "YER": 2,
}  # fmt: skip


@cache
def minor_digits(code: str) -> int:
    """Decimal places of the currency's minor unit (ISO 4217): EUR 2, RSD 2, JPY 0, KWD 3."""
    if not is_currency(code):
        raise AmountError("unknown_currency", f"{code!r} is not an ISO 4217 currency code")
    return ISO_MINOR_UNITS.get(code, int(get_currency_precision(code)))


def read_number(raw: str, *, decimals: int | None = None) -> Decimal:
    """A non-negative number as people write it: 50, 49.90, 49,90, 1.000,50, 1,000.50, 1 000,50, 1'000.50.

    With both `.` and `,`, the last one is the decimal separator. A lone `.` or `,` before exactly three digits
    groups thousands (1.000 is a thousand) unless `decimals` says the currency has three decimal places, where it
    cannot be told apart and is refused as ambiguous. Groups must be of three digits. Spaces and apostrophes only
    group. A sign, an exponent, `NaN`, `Infinity` and other scripts' digits are not amounts.
    """
    text = raw.strip(_SPACES + "\t")
    if not text:
        raise AmountError("empty", "no amount given")
    if len(text) > _MAX_TYPED:
        raise AmountError("too_large", "an amount is at most 40 characters long")
    if text[0] in _MINUS:
        raise AmountError("negative", f"{raw.strip()!r} is negative; an amount cannot be below zero")
    if text[0] == "+":
        text = text[1:]
    if not text or any(ch not in "0123456789.," + _SPACES + _APOSTROPHES for ch in text):
        raise AmountError("not_a_number", f"{raw.strip()!r} is not an amount")
    marks = [ch for ch in text if not ch.isdigit()]
    soft = {ch for ch in marks if ch in _SPACES + _APOSTROPHES}
    dots, commas = text.count("."), text.count(",")
    decimal_mark = ""
    if dots and commas:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        grouping = "," if decimal_mark == "." else "."
        if text.count(decimal_mark) > 1 or soft:
            raise AmountError("not_a_number", f"{raw.strip()!r} is not an amount")
        soft = {grouping}
    elif dots or commas:
        mark = "." if dots else ","
        after = text.rsplit(mark, 1)[1]
        if text.count(mark) > 1:
            soft.add(mark)
        elif soft or len(after) != 3:
            decimal_mark = mark  # 49,90; 1 000.50: with spaces grouping, the mark can only be decimal
        elif decimals is not None and decimals >= 3:
            raise AmountError(
                "ambiguous",
                f"{raw.strip()!r} reads as a thousand or as one with three decimals: write it without grouping",
            )
        else:
            soft.add(mark)  # 1.000 / 1,000: thousands
    if len(soft) > 1:
        raise AmountError("not_a_number", f"{raw.strip()!r} mixes grouping marks")
    whole, _sep, fraction = text.partition(decimal_mark) if decimal_mark else (text, "", "")
    if decimal_mark and not fraction:
        raise AmountError("not_a_number", f"{raw.strip()!r} ends with a separator")
    if soft:
        groups = re.split("[" + re.escape("".join(soft)) + "]", whole)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise AmountError("not_a_number", f"{raw.strip()!r}: thousands come in groups of three digits")
        whole = "".join(groups)
    if not (whole.isdigit() or (whole == "" and fraction)) or (fraction and not fraction.isdigit()):
        raise AmountError("not_a_number", f"{raw.strip()!r} is not an amount")
    value = Decimal(f"{whole or '0'}.{fraction}" if fraction else whole)
    if value >= MAX_AMOUNT:
        raise AmountError("too_large", f"{raw.strip()!r} is too large for an amount")
    if decimals is not None and len(fraction) > decimals:
        raise AmountError("too_precise", f"{raw.strip()!r} has {len(fraction)} decimals; the currency has {decimals}")
    return value


def _currency_of(word: str, expected: str | None) -> str:
    folded = word.strip().lower()
    if folded.upper() in currency_codes():
        return folded.upper()
    candidates = SYMBOLS.get(folded)
    if not candidates and not any(ch.isalpha() for ch in folded):
        raise AmountError("not_a_number", f"{word.strip()!r} is not part of an amount")
    if not candidates:
        raise AmountError("unknown_currency", f"{word.strip()!r} is not a currency this amount can be in")
    if expected and expected in candidates:
        return expected
    return candidates[0]


def parse_amount(text: str, *, currency: str | None = None, allow_zero: bool = False) -> tuple[Decimal, str | None]:
    """An amount typed by a person, with the currency written before or after it (€49,90; 49,90 €; EUR 49.90).

    `currency` is the one the caller expects: a different one written in the text is refused, and the number may
    have no more decimals than its minor unit. Returns the amount and the currency (`currency`, or the one
    written, or None when neither says). Zero is refused unless `allow_zero`.
    """
    raw = (text or "").strip(_SPACES + "\t")
    if currency is not None and not is_currency(currency):
        raise AmountError("unknown_currency", f"{currency!r} is not an ISO 4217 currency code")
    if len(raw) > _MAX_TYPED:
        raise AmountError("too_large", "an amount is at most 40 characters long")
    match = _TYPED.fullmatch(raw)
    if not match:
        raise AmountError("empty" if not raw else "not_a_number", f"{raw!r} is not an amount" if raw else "no amount")
    pre, number, post = match.group("pre").strip(_SPACES), match.group("num"), match.group("post").strip(_SPACES)
    if pre[:1] in tuple(_MINUS):
        raise AmountError("negative", f"{raw!r} is negative; an amount cannot be below zero")
    if pre and post:
        raise AmountError("not_a_number", f"{raw!r} names a currency twice")
    written = _currency_of(pre or post, currency) if (pre or post) else None
    if currency and written and written != currency:
        raise AmountError("currency_mismatch", f"the amount is in {written}, {currency} was expected")
    code = currency or written
    value = read_number(number, decimals=minor_digits(code) if code else None)
    if value == 0 and not allow_zero:
        raise AmountError("zero", "the amount must be more than zero")
    return value, code


# An order value as people write it in a form or send it to the API: up to ten whole digits and up to two
# decimals after a point or a comma ("49.90", "49,90"). The API document gives the same pattern for an amount
# sent as a string, so the form and the API read it alike.
AMOUNT_PATTERN = r"^[0-9]{1,10}(?:[.,][0-9]{1,2})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN[1:-1])
_NUMBER = re.compile(r"(-?)[0-9]+(?:[.,][0-9]+)?")  # a number, if not an amount: tells which message fits
AMOUNT_LIMIT = MAX_AMOUNT
CENT = Decimal("0.01")


class OrderValueError(ValueError):
    """Why an order value cannot be read: `kind` is "invalid", "negative" or "too_precise"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def parse_order_value(raw: object) -> Decimal:
    """An order value, to the cent: a string in AMOUNT_PATTERN, or a number (int, Decimal, float) that is not
    negative, below ten billion and a whole number of cents (49.900 is; 49.999 is not)."""
    if isinstance(raw, str):
        if not _AMOUNT.fullmatch(raw):
            number = _NUMBER.fullmatch(raw)
            raise OrderValueError("invalid" if number is None else "negative" if number.group(1) else "too_precise")
        value = Decimal(raw.replace(",", "."))
    elif isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise OrderValueError("invalid")
    else:
        try:
            value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        except (InvalidOperation, ValueError):
            raise OrderValueError("invalid") from None
    if not value.is_finite():
        raise OrderValueError("invalid")
    if value < 0:
        raise OrderValueError("negative")
    if value >= AMOUNT_LIMIT or value % CENT != 0:
        raise OrderValueError("too_precise")
    return value.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00
