"""A batch of codes as CSV, streamed: for the shop's import, a mailing tool, or a printer.

Columns: `code` (as printed, in four groups), `value` (the amount in the currency's minor unit, or the percentage
with `%`), `currency`, `expires` (ISO 8601, UTC), `state` (issued, redeemed, void, or expired: issued but past its
expiry) and `minimum_order` (empty when there is none), one row per code in the order they were issued.

Cells go through `core.csv_safe`, so nothing in them can run as a spreadsheet formula. The file is UTF-8 without a
byte-order mark: every cell is ASCII (Crockford symbols, digits, ISO codes and dates, state words), so Excel reads
it right without one, and the programs the file is mostly for (a shop's import, `csv.reader`) would take a BOM
for part of the first column's name.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from amends.core.csv_safe import csv_line, csv_lines

from . import codes
from .codes_service import Expired, batch_codes
from .models import RemedyCode
from .money import Money

HEADER = ("code", "value", "currency", "expires", "state", "minimum_order")
_FETCH = 5_000  # rows per round trip to the database


def _decimal(raw: object) -> Decimal | None:
    # A database column as the driver gives it: PostgreSQL a Decimal, SQLite an int or a float.
    if raw is None or isinstance(raw, Decimal):
        return raw
    return Decimal(str(raw))


def _moment(raw: object) -> datetime:
    # PostgreSQL gives an aware datetime; SQLite a naive one in UTC (or its text).
    moment = parse_datetime(raw) if isinstance(raw, str) else raw
    if not isinstance(moment, datetime):
        raise TypeError(f"not a date and time: {raw!r}")
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def _percent(value: Decimal) -> str:
    text = format(value, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _cells(raw: tuple[object, ...], now: datetime) -> tuple[object, ...]:
    """Every cell but the code, from the row's raw amount, percent, currency, minimum, expiry and state."""
    amount, percent, minimum = _decimal(raw[0]), _decimal(raw[1]), _decimal(raw[3])
    currency, expires_at, state = str(raw[2]), _moment(raw[4]), str(raw[5])
    value: object = Money.of(amount, currency).amount if amount is not None else _percent(percent or Decimal(0))
    least: object = Money.of(minimum, currency).amount if minimum is not None else ""
    if state == RemedyCode.State.ISSUED and expires_at <= now:
        state = Expired
    return value, currency, expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), state, least


def _fetched(batch: str) -> Iterator[tuple[object, ...]]:
    """The batch's rows as the driver gives them, without Django's per-row conversions (a million rows take a
    third of the time), through a server-side cursor on PostgreSQL so the rows are not all held in memory."""
    query = batch_codes(batch=batch).values_list(
        "code", "amount", "percent", "currency", "minimum_order", "expires_at", "state"
    )
    sql, params = query.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_FETCH):
            yield from rows


def codes_export_csv(batch: str) -> Iterator[str]:
    """The batch's codes as CSV lines (each ending in CRLF), the header first. An unknown batch is the header
    alone."""
    now = timezone.now()

    def rows() -> Iterator[tuple[object, ...]]:
        # The cells after the code are formatted once per different value, expiry and state, not once per code:
        # a batch shares its value and expiry.
        formatted: dict[tuple[object, ...], tuple[object, ...]] = {}
        for row in _fetched(batch):
            raw = row[1:]
            cells = formatted.get(raw)
            if cells is None:
                cells = formatted[raw] = _cells(raw, now)
            yield (codes.group(str(row[0])), *cells)

    yield csv_line(HEADER)
    yield from csv_lines(rows())
