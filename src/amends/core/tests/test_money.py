from decimal import Decimal

import pytest

from amends.core.money import AmountError, is_currency, minor_digits, parse_amount, read_number


@pytest.mark.parametrize(
    ("typed", "currency", "amount", "code"),
    [
        ("49,90", None, "49.90", None),
        ("49.90", None, "49.90", None),
        ("1.000,50", None, "1000.50", None),
        ("1,000.50", None, "1000.50", None),
        ("1 000,50", None, "1000.50", None),
        ("1\u00a0000,50", None, "1000.50", None),
        ("1\u202f000,50 €", None, "1000.50", "EUR"),
        ("1'000.50", None, "1000.50", None),
        ("1.000.000", None, "1000000", None),
        ("1.000", None, "1000", None),
        ("1,000", None, "1000", None),
        ("1,5", "EUR", "1.5", "EUR"),
        (",50", "EUR", "0.50", "EUR"),
        ("€49,90", None, "49.90", "EUR"),
        ("49,90 €", None, "49.90", "EUR"),
        ("EUR 49.90", None, "49.90", "EUR"),
        ("49.90 eur", None, "49.90", "EUR"),
        ("100 руб.", None, "100", "RUB"),
        ("25 лв.", None, "25", "BGN"),
        ("1.499,99 din", None, "1499.99", "RSD"),
        ("1 000,50 Kč", None, "1000.50", "CZK"),
        ("$20", "CAD", "20", "CAD"),
        ("$20", None, "20", "USD"),
        ("49,90", "EUR", "49.90", "EUR"),
        ("1000", "JPY", "1000", "JPY"),
    ],
)
def test_it_reads_amounts_as_people_type_them(typed, currency, amount, code):
    assert parse_amount(typed, currency=currency) == (Decimal(amount), code)


@pytest.mark.parametrize(
    ("typed", "currency", "error"),
    [
        ("", None, "empty"),
        ("   ", None, "empty"),
        ("-5", None, "negative"),
        ("−5 €", None, "negative"),
        ("€-5", None, "negative"),
        ("-€5", None, "negative"),
        ("0", None, "zero"),
        ("0,00 €", None, "zero"),
        ("abc", None, "not_a_number"),
        ("NaN", None, "not_a_number"),
        ("Infinity", None, "not_a_number"),
        ("1e5", None, "not_a_number"),
        ("49,", None, "not_a_number"),
        ("1.00.000", None, "not_a_number"),
        ("1,000.000,50", None, "not_a_number"),
        ("1 000'000", None, "not_a_number"),
        ("١٢", None, "not_a_number"),
        ("€ 5 EUR", None, "not_a_number"),
        ("99999999999", None, "too_large"),
        ("10.000.000.000 €", None, "too_large"),
        ("1" * 60, None, "too_large"),
        ("1.000,505", "EUR", "too_precise"),
        ("49,9999", "EUR", "too_precise"),
        ("100.5 JPY", None, "too_precise"),
        ("1.000", "KWD", "ambiguous"),
        ("49,90 USD", "EUR", "currency_mismatch"),
        ("12 abc", None, "unknown_currency"),
        ("12", "ABC", "unknown_currency"),
        ("12 XXX", None, "unknown_currency"),
    ],
)
def test_it_refuses_what_is_not_an_amount_with_a_specific_code(typed, currency, error):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency=currency)
    assert refused.value.code == error


def test_zero_is_taken_only_when_the_caller_allows_it():
    assert parse_amount("0", allow_zero=True) == (Decimal("0"), None)


def test_a_lone_separator_before_three_digits_groups_thousands_and_otherwise_marks_decimals():
    assert read_number("49.900") == Decimal("49900")
    assert read_number("49.9") == Decimal("49.9")
    assert read_number("1 000.500") == Decimal("1000.500")


def test_minor_units_follow_iso_4217_even_where_cldr_shows_fewer():
    assert (minor_digits("EUR"), minor_digits("JPY"), minor_digits("KWD"), minor_digits("RSD")) == (2, 0, 3, 2)


def test_test_codes_and_metals_are_not_money():
    assert is_currency("EUR") and is_currency("BGN") and is_currency("RSD")
    assert not any(is_currency(code) for code in ("XXX", "XTS", "XAU", "eur", "EURO"))
