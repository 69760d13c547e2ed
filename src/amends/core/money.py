"""Currency codes (Babel keeps the ISO 4217 and CLDR data)."""

from functools import cache

from babel.numbers import list_currencies


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in currency_codes()
