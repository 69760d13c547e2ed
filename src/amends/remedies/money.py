"""Money for remedies: a Decimal amount with its ISO 4217 currency, and the managers' rate table.

Pure Python: no Django import. Amounts are never floats: a refund of 13.49 must be 13.49, and the sum of a
million codes must add up to the cent. Every amount is held at its currency's minor unit (EUR 2 places, JPY 0,
KWD 3), so two equal amounts compare and store equal. Limits, budgets and caps are in the company's home
currency; an order in another currency is converted with the rate the managers keep, and the conversion says
which rate it used so the customer's offer and the budget can be traced back to it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_currency, get_currency_precision

from amends.core.money import MAX_AMOUNT, AmountError, is_currency, minor_digits, parse_amount

__all__ = [
    "MAX_AMOUNT",
    "ROUND_DOWN",
    "ROUND_HALF_UP",
    "ROUND_UP",
    "AmountError",
    "Converted",
    "CurrencyMismatch",
    "MissingRate",
    "Money",
    "MoneyError",
    "Rate",
    "RateError",
    "RateTable",
]

# A rate outside this range is a typo (a rate entered the wrong way round is still inside it, which is why
# the table shows the converted example next to each rate).
MIN_RATE = Decimal("0.000001")
MAX_RATE = Decimal("1000000")


class MoneyError(ValueError):
    """An amount that is not money: a float, not finite, negative, absurdly large, or of no known currency.

    `code` is machine-readable (for a translated message): not_decimal, not_finite, negative, too_large,
    too_precise, unknown_currency.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _exact(value: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Money:
    """Money from a finite Decimal in a known currency, rounded to its minor unit: the arithmetic's own
    constructor, which skips the checks `__post_init__` makes of values from outside (the evaluator makes a
    dozen amounts per case)."""
    if value >= MAX_AMOUNT:  # before quantize, which cannot hold 28 digits and more
        raise MoneyError("too_large", f"{value} {currency} is too large for an amount")
    value = value.quantize(_quantum(currency), rounding=rounding)
    if value < 0:
        raise MoneyError("negative", f"{value} {currency} is below zero")
    if value >= MAX_AMOUNT:
        raise MoneyError("too_large", f"{value} {currency} is too large for an amount")
    money = object.__new__(Money)
    object.__setattr__(money, "amount", value)
    object.__setattr__(money, "currency", currency)
    return money


class CurrencyMismatch(MoneyError):
    """Arithmetic or a comparison across two currencies: convert first."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__("currency_mismatch", f"cannot combine {left} with {right} without converting")


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


@dataclass(frozen=True, slots=True)
class Money:
    """A non-negative amount of one currency, exact to the currency's minor unit.

    Build with `Money.of` (rounds half up to the minor unit: computed values) or `Money.parse` (what a person
    typed: more decimals than the currency has is refused, not rounded).
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not is_currency(self.currency):
            raise MoneyError("unknown_currency", f"{self.currency!r} is not an ISO 4217 currency code")
        if type(self.amount) is not Decimal:
            raise MoneyError("not_decimal", f"money is a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise MoneyError("not_finite", "an amount must be a finite number")
        if self.amount < 0:
            raise MoneyError("negative", f"{self.amount} {self.currency} is below zero")
        if self.amount >= MAX_AMOUNT:
            raise MoneyError("too_large", f"{self.amount} {self.currency} is too large for an amount")
        quantum = _quantum(self.currency)
        if self.amount.as_tuple().exponent != quantum.as_tuple().exponent:
            exact = self.amount.quantize(quantum)
            if exact != self.amount:
                raise MoneyError("too_precise", f"{self.amount} has more decimals than {self.currency} has ({quantum})")
            object.__setattr__(self, "amount", exact)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str, *, rounding: str = ROUND_HALF_UP) -> Money:
        """`amount` rounded to the currency's minor unit (half up, or as `rounding` says). Floats are refused."""
        if isinstance(amount, float | bool):
            raise MoneyError("not_decimal", "money is never a float: pass a Decimal or a string")
        if not is_currency(currency):
            raise MoneyError("unknown_currency", f"{currency!r} is not an ISO 4217 currency code")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise MoneyError("not_decimal", f"{str(amount)[:40]!r} is not a number") from None
        if not value.is_finite():
            raise MoneyError("not_finite", "an amount must be a finite number")
        if abs(value) >= MAX_AMOUNT:
            raise MoneyError("too_large", f"{value} {currency} is too large for an amount")
        return _exact(value, currency, rounding)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str | None = None, *, allow_zero: bool = False) -> Money:
        """What a person typed: `49,90`, `1.000,50 €`, `EUR 1,000.50`. The currency is `currency` or the one written.

        Raises AmountError (with its code) for anything that is not a positive amount of a known currency.
        """
        value, code = parse_amount(text, currency=currency, allow_zero=allow_zero)
        if code is None:
            raise AmountError("no_currency", "say which currency the amount is in")
        return cls.of(value, code)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return _exact(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        """The difference; below zero is refused (money held is never negative)."""
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return _exact(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return _exact(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def percent(self, percent: Decimal | int, *, rounding: str = ROUND_HALF_UP) -> Money:
        """`percent` % of this amount, rounded to the minor unit (half up unless `rounding` says otherwise)."""
        return _exact(self.amount * Decimal(percent) / 100, self.currency, rounding)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __str__(self) -> str:
        """Plain and stable, for logs, explanations and files: `13.49 EUR`."""
        return f"{self.amount} {self.currency}"

    def format(self, locale: str) -> str:
        """As a customer in `locale` reads it (Babel locale name): `10,00 €` in sk, `€10.00` in en."""
        if self.amount == self.amount.to_integral_value() or get_currency_precision(self.currency) >= minor_digits(
            self.currency
        ):
            return format_currency(self.amount, self.currency, locale=locale)
        # Para and fils that the locale's usual format would round away (1.499,99 RSD) are shown, not rounded.
        return format_currency(
            self.amount, self.currency, locale=locale, currency_digits=False, decimal_quantization=False
        )

    def as_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}


class RateError(ValueError):
    """A rate the table cannot hold: unknown currency, the home currency itself, zero, negative, absurd, twice."""


class MissingRate(LookupError):
    """No rate for this currency on or before this date: the conversion is refused, nothing is guessed."""

    def __init__(self, currency: str, on: date) -> None:
        super().__init__(f"no exchange rate for {currency} on or before {on.isoformat()}")
        self.currency = currency
        self.on = on


@dataclass(frozen=True, slots=True)
class Rate:
    """One unit of `currency` is worth `rate` units of the home currency from `date` on (until a later rate)."""

    currency: str
    date: date
    rate: Decimal

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} ({self.date.isoformat()})"

    def as_dict(self) -> dict[str, str]:
        return {"currency": self.currency, "date": self.date.isoformat(), "rate": str(self.rate)}


@dataclass(frozen=True, slots=True)
class Converted:
    """A converted amount and the rate used; `rate_used` is None when no conversion was needed."""

    value: Money
    source: Money
    rate_used: Rate | None

    def __str__(self) -> str:
        if self.rate_used is None:
            return str(self.value)
        return f"{self.source} = {self.value} at {self.rate_used}"

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value.as_dict(),
            "source": self.source.as_dict(),
            "rate": self.rate_used.as_dict() if self.rate_used else None,
        }


@dataclass(frozen=True)
class RateTable:
    """The managers' rates into the home currency, each valid from its date until the next one.

    A conversion on a day uses the latest rate dated on or before that day; a currency with no such rate is
    refused (MissingRate), because pricing a remedy on a guessed rate is worse than asking for the rate.
    """

    home: str
    rates: tuple[Rate, ...] = ()
    _by_currency: dict[str, tuple[list[date], list[Rate]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_currency(self.home):
            raise RateError(f"the home currency {self.home!r} is not an ISO 4217 currency code")
        grouped: dict[str, list[Rate]] = {}
        for rate in self.rates:
            if not is_currency(rate.currency):
                raise RateError(f"{rate.currency!r} is not an ISO 4217 currency code")
            if rate.currency == self.home:
                raise RateError(f"{rate.currency} is the home currency; it needs no rate")
            if type(rate.rate) is not Decimal or not rate.rate.is_finite():
                raise RateError(f"the rate of {rate.currency} on {rate.date} must be a finite Decimal")
            if not MIN_RATE <= rate.rate <= MAX_RATE:
                raise RateError(f"the rate of {rate.currency} on {rate.date} ({rate.rate}) is not a plausible rate")
            grouped.setdefault(rate.currency, []).append(rate)
        index: dict[str, tuple[list[date], list[Rate]]] = {}
        for currency, rates in grouped.items():
            rates.sort(key=lambda r: r.date)
            days = [r.date for r in rates]
            if len(set(days)) != len(days):
                raise RateError(f"{currency} has two rates on one date")
            index[currency] = (days, rates)
        object.__setattr__(self, "_by_currency", index)

    @classmethod
    def build(cls, home: str, rows: Iterable[tuple[str, date, Decimal | str]]) -> RateTable:
        """From (currency, date, rate) rows, e.g. what the managers keep in the database or a CSV."""
        rates = []
        for currency, day, rate in rows:
            try:
                value = Decimal(rate) if not isinstance(rate, float) else None
            except InvalidOperation:
                value = None
            if value is None:
                raise RateError(f"the rate of {currency} on {day} is not a decimal number")
            rates.append(Rate(currency, day, value))
        return cls(home, tuple(rates))

    def rate_on(self, currency: str, on: date) -> Rate:
        entry = self._by_currency.get(currency)
        if entry is None:
            raise MissingRate(currency, on)
        days, rates = entry
        position = bisect.bisect_right(days, on)
        if position == 0:
            raise MissingRate(currency, on)
        return rates[position - 1]

    def to_home(self, money: Money, on: date, *, rounding: str = ROUND_HALF_UP) -> Converted:
        """`money` in the home currency on `on`, with the rate used (None when it already is)."""
        if money.currency == self.home:
            return Converted(money, money, None)
        rate = self.rate_on(money.currency, on)
        return Converted(_exact(money.amount * rate.rate, self.home, rounding), money, rate)

    def from_home(self, money: Money, currency: str, on: date, *, rounding: str = ROUND_HALF_UP) -> Converted:
        """A home-currency amount in `currency` on `on`. Caps convert rounding down and floors rounding up, so a
        converted limit never lets more through, or less, than the one the managers set."""
        if money.currency != self.home:
            raise CurrencyMismatch(money.currency, self.home)
        if currency == self.home:
            return Converted(money, money, None)
        rate = self.rate_on(currency, on)
        return Converted(_exact(money.amount / rate.rate, currency, rounding), money, rate)

    convert = to_home
