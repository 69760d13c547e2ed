"""Currency codes and amounts in the customer's locale (Babel keeps the ISO 4217 and CLDR data)."""

from decimal import Decimal
from functools import cache

from babel.core import Locale
from babel.numbers import format_currency, list_currencies


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in currency_codes()


def format_money(value: Decimal, currency: str, language: str) -> str:
    locale = Locale.parse(language.replace("-latn", "_Latn").replace("-", "_"))
    return format_currency(value, currency, locale=locale)
