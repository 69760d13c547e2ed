"""Currency codes (Babel keeps the ISO 4217 and CLDR data) and the one reading of an amount of money."""

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import list_currencies

# An amount as people write it: up to ten whole digits and up to two decimals after a point or a comma
# ("49.90", "49,90"). The API document gives the same pattern for an amount sent as a string.
AMOUNT_PATTERN = r"^[0-9]{1,10}(?:[.,][0-9]{1,2})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN[1:-1])
_NUMBER = re.compile(r"(-?)[0-9]+(?:[.,][0-9]+)?")  # a number, if not an amount: tells which message fits
AMOUNT_LIMIT = Decimal("10000000000")
CENT = Decimal("0.01")


class AmountError(ValueError):
    """Why an amount cannot be read: `kind` is "invalid", "negative" or "too_precise"."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def parse_amount(raw: object) -> Decimal:
    """An amount of money, to the cent: a string in AMOUNT_PATTERN, or a number (int, Decimal, float) that is
    not negative, below ten billion and a whole number of cents (49.900 is; 49.999 is not)."""
    if isinstance(raw, str):
        if not _AMOUNT.fullmatch(raw):
            number = _NUMBER.fullmatch(raw)
            raise AmountError("invalid" if number is None else "negative" if number.group(1) else "too_precise")
        value = Decimal(raw.replace(",", "."))
    elif isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise AmountError("invalid")
    else:
        try:
            value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        except (InvalidOperation, ValueError):
            raise AmountError("invalid") from None
    if not value.is_finite():
        raise AmountError("invalid")
    if value < 0:
        raise AmountError("negative")
    if value >= AMOUNT_LIMIT or value % CENT != 0:
        raise AmountError("too_precise")
    return value.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in currency_codes()
