from datetime import date
from decimal import Decimal

import pytest

from amends.remedies.money import (
    ROUND_DOWN,
    ROUND_UP,
    AmountError,
    CurrencyMismatch,
    MissingRate,
    Money,
    MoneyError,
    Rate,
    RateError,
    RateTable,
)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def test_money_is_held_at_the_currencys_minor_unit():
    assert Money.of("5", "EUR").amount.as_tuple().exponent == -2
    assert Money(Decimal("5"), "EUR") == Money(Decimal("5.00"), "EUR")
    assert str(Money.of("1000", "JPY")) == "1000 JPY"
    assert str(Money.of("1.2345", "KWD")) == "1.235 KWD"


def test_computed_values_round_half_up_unless_told_otherwise():
    assert eur("89.90").percent(15) == eur("13.49")  # 13.485
    assert eur("89.90").percent(15, rounding=ROUND_DOWN) == eur("13.48")
    assert Money.of("0.005", "EUR") == eur("0.01")


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: Money.of(0.1, "EUR"), "not_decimal"),
        (lambda: Money(0.1, "EUR"), "not_decimal"),  # type: ignore[arg-type]
        (lambda: Money.of(True, "EUR"), "not_decimal"),
        (lambda: Money.of("abc", "EUR"), "not_decimal"),
        (lambda: Money.of("NaN", "EUR"), "not_finite"),
        (lambda: Money.of("Infinity", "EUR"), "not_finite"),
        (lambda: Money.of("-1", "EUR"), "negative"),
        (lambda: Money.of("1e12", "EUR"), "too_large"),
        (lambda: Money(Decimal("10000000000.00"), "EUR"), "too_large"),
        (lambda: Money(Decimal("1.234"), "EUR"), "too_precise"),
        (lambda: Money.of("1", "ABC"), "unknown_currency"),
        (lambda: Money.of("1", "XXX"), "unknown_currency"),
    ],
)
def test_it_refuses_what_is_not_money(build, code):
    with pytest.raises(MoneyError) as refused:
        build()
    assert refused.value.code == code


def test_arithmetic_refuses_mixing_currencies():
    with pytest.raises(CurrencyMismatch):
        _ = eur("1") + Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = eur("1") < Money.of("1", "USD")
    assert eur("1.10") + eur("2.20") == eur("3.30")
    assert eur("3.30") - eur("1.10") == eur("2.20")
    assert eur("10") * 3 == eur("30") == 3 * eur("10")
    assert max(eur("5"), eur("7")) == eur("7")


def test_a_difference_below_zero_is_refused():
    with pytest.raises(MoneyError):
        _ = eur("1") - eur("2")


def test_multiplying_by_a_float_is_refused():
    with pytest.raises(TypeError):
        _ = eur("1") * 1.5  # type: ignore[operator]


def test_parse_takes_what_people_type_and_needs_a_currency():
    assert Money.parse("1.000,50 €") == eur("1000.50")
    assert Money.parse("49,90", "EUR") == eur("49.90")
    with pytest.raises(AmountError) as refused:
        Money.parse("49,90")
    assert refused.value.code == "no_currency"
    with pytest.raises(AmountError) as refused:
        Money.parse("1.000,505", "EUR")
    assert refused.value.code == "too_precise"


@pytest.mark.parametrize(
    ("money", "locale", "shown"),
    [
        (Money.of("10", "EUR"), "sk", "10,00\u00a0€"),
        (Money.of("10", "EUR"), "en", "€10.00"),
        (Money.of("1000.50", "EUR"), "ru", "1\u00a0000,50\u00a0€"),
        (Money.of("1499.99", "RSD"), "sr", "1.499,99\u00a0RSD"),
        (Money.of("1500", "RSD"), "sr", "1.500\u00a0RSD"),
    ],
)
def test_money_reads_right_in_the_customers_locale(money, locale, shown):
    assert money.format(locale) == shown


RATES = RateTable.build(
    "EUR",
    [
        ("BGN", date(2026, 1, 1), "0.51129"),
        ("USD", date(2026, 1, 1), "0.92"),
        ("USD", date(2026, 2, 1), "0.90"),
    ],
)


def test_a_conversion_uses_the_latest_rate_on_or_before_the_day_and_says_which():
    converted = RATES.to_home(Money.of("100", "USD"), date(2026, 1, 31))
    assert converted.value == eur("92.00")
    assert converted.rate_used == Rate("USD", date(2026, 1, 1), Decimal("0.92"))
    later = RATES.to_home(Money.of("100", "USD"), date(2026, 2, 1))
    assert later.value == eur("90.00") and later.rate_used is not None and later.rate_used.date == date(2026, 2, 1)
    assert "0.90" in str(later) and "2026-02-01" in str(later)


def test_the_home_currency_needs_no_rate():
    converted = RATES.to_home(eur("5"), date(2020, 1, 1))
    assert converted.value == eur("5") and converted.rate_used is None


def test_a_currency_with_no_rate_is_refused():
    with pytest.raises(MissingRate) as refused:
        RATES.to_home(Money.of("1", "GBP"), date(2026, 3, 1))
    assert refused.value.currency == "GBP"
    with pytest.raises(MissingRate):
        RATES.to_home(Money.of("1", "USD"), date(2025, 12, 31))  # only later rates exist


def test_limits_convert_so_they_are_never_exceeded_and_floors_so_they_are_always_met():
    cap = RATES.from_home(eur("5"), "BGN", date(2026, 3, 1), rounding=ROUND_DOWN)
    floor = RATES.from_home(eur("5"), "BGN", date(2026, 3, 1), rounding=ROUND_UP)
    assert cap.value == Money.of("9.77", "BGN") and floor.value == Money.of("9.78", "BGN")
    assert RATES.to_home(cap.value, date(2026, 3, 1)).value <= eur("5")
    assert RATES.to_home(floor.value, date(2026, 3, 1)).value >= eur("5")


@pytest.mark.parametrize(
    "rows",
    [
        [("ABC", date(2026, 1, 1), "1")],
        [("EUR", date(2026, 1, 1), "1")],
        [("USD", date(2026, 1, 1), "0")],
        [("USD", date(2026, 1, 1), "-0.9")],
        [("USD", date(2026, 1, 1), "NaN")],
        [("USD", date(2026, 1, 1), "abc")],
        [("USD", date(2026, 1, 1), 0.9)],
        [("USD", date(2026, 1, 1), "1e12")],
        [("USD", date(2026, 1, 1), "0.9"), ("USD", date(2026, 1, 1), "0.91")],
    ],
)
def test_the_rate_table_refuses_impossible_rates(rows):
    with pytest.raises(RateError):
        RateTable.build("EUR", rows)


def test_the_home_currency_must_be_a_currency():
    with pytest.raises(RateError):
        RateTable("EURO")
