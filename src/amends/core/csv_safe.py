"""CSV that a spreadsheet opens as data, never as formulas. Pure Python: the stdlib `csv` module, no Django.

A cell that begins with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google Sheets
(`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|' /C calc'!A0`), and so is one that begins with a tab or a carriage
return followed by one of them, since the spreadsheet trims the whitespace first (OWASP, "CSV Injection"). A
text cell that begins with any of these six is written with a single quote in front, which every spreadsheet
shows as text and does not evaluate; quoting, commas and line breaks inside a cell are the `csv` module's job.

Numbers (int, Decimal, float) are written as they are: a negative number is a number, not a formula, and a
quote in front of it would turn it into text in the spreadsheet. Only text a person or another system could
have chosen is guarded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_END = "\r\n"  # RFC 4180
_DANGEROUS = frozenset(DANGEROUS_STARTS)  # each one character: the first one decides


def safe_cell(value: object) -> str:
    """The cell's text: numbers as they are, `None` empty, text with a quote in front if it starts like a formula."""
    if type(value) is str:
        return "'" + value if value[:1] in _DANGEROUS else value
    if value is None:
        return ""
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text[:1] in _DANGEROUS else text


class _LastWrite:
    """A file for `csv.writer` that keeps what it was last given: the writer writes each record in one call."""

    __slots__ = ("text",)

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Each row as one CSV record (ending in CRLF; a cell with a line break is quoted and spans lines)."""
    record = _LastWrite()
    writer = csv.writer(record, lineterminator=LINE_END)
    for row in rows:
        writer.writerow(map(safe_cell, row))
        yield record.text


def csv_line(row: Iterable[object]) -> str:
    """One row as one CSV record."""
    return next(csv_lines([row]))
