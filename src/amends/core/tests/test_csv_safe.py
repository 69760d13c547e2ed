"""CSV cells a spreadsheet cannot run as formulas, and records any CSV reader reads back."""

import csv
import io
from decimal import Decimal

import pytest

from amends.core.csv_safe import csv_line, csv_lines, safe_cell

ATTACKS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_text_that_starts_like_a_formula_gets_a_quote_in_front(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["K7QM-3XPA-9TRD-W2XY", "15%", "issued", "a=b", "x+y", "", "'quoted", "Ólga @home"])
def test_other_text_is_left_as_it_is(text):
    assert safe_cell(text) == text


def test_numbers_stay_numbers_even_below_zero():
    assert [safe_cell(v) for v in (-5, Decimal("-12.50"), 3, 1.5, None)] == ["-5", "-12.50", "3", "1.5", ""]


def test_every_record_reads_back_with_the_csv_module_and_nothing_starts_like_a_formula():
    rows = [[text, "plain, with a comma", 'a "quote"', "two\nlines", Decimal("9.99")] for text in ATTACKS]
    written = "".join(csv_lines(rows))
    back = list(csv.reader(io.StringIO(written, newline="")))
    assert len(back) == len(ATTACKS)
    for (first, *rest), text in zip(back, ATTACKS, strict=True):
        assert first == "'" + text and rest == ["plain, with a comma", 'a "quote"', "two\nlines", "9.99"]
        assert not first.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_record_ends_with_crlf():
    assert csv_line(["a", "b"]) == "a,b\r\n"
