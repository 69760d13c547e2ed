"""A batch of codes as CSV, streamed: for the shop's import, a mailing tool, or a printer.

Columns: `code` (as printed, in four groups), `value` (the amount in the currency's minor unit, or the percentage
with `%`), `currency`, `expires` (ISO 8601, UTC), `state` (issued, redeemed, void, or expired: issued but past its
expiry) and `minimum_order` (empty when there is none), one row per code in the order they were issued.

Cells go through `core.csv_safe`, so nothing in them can run as a spreadsheet formula. The file is UTF-8 without a
byte-order mark: every cell is ASCII (Crockford symbols, digits, ISO codes and dates, state words), so Excel reads
it right without one, and the programs the file is mostly for (a shop's import, `csv.reader`) would take a BOM
for part of the first column's name.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from amends.core.csv_safe import csv_line

from . import codes
from .codes_service import Expired, batch_codes
from .models import RemedyCode
from .money import Money

HEADER = ("code", "value", "currency", "expires", "state", "minimum_order")
_FETCH = 5_000  # rows per round trip to the database
_PLAIN = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*").fullmatch


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _moment(text: str) -> datetime:
    # The column as text: "2026-12-03 21:09:35.332293+00" from PostgreSQL (its session is in UTC), the same
    # without the offset from SQLite, which stores UTC.
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"not a date and time: {text!r}")
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def _percent(value: Decimal) -> str:
    text = format(value, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _cells(raw: tuple[str | None, ...], now: datetime) -> tuple[object, ...]:
    """Every cell but the code, from the row's raw amount, percent, currency, minimum, expiry and state."""
    amount, percent, minimum = _decimal(raw[0]), _decimal(raw[1]), _decimal(raw[3])
    currency, expires_at, state = str(raw[2]), _moment(str(raw[4])), str(raw[5])
    value: object = Money.of(amount, currency).amount if amount is not None else _percent(percent or Decimal(0))
    least: object = Money.of(minimum, currency).amount if minimum is not None else ""
    if state == RemedyCode.State.ISSUED and expires_at <= now:
        state = Expired
    return value, currency, expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), state, least


def _fetched(batch: str) -> Iterator[tuple[str | None, ...]]:
    """The batch's rows with every column as text: nothing is converted per row (no Decimal, no datetime, and
    strings hash fast), which takes a million rows in a third of the time. Through a server-side cursor on
    PostgreSQL, so the rows are never all held in memory."""
    return (
        batch_codes(batch=batch)
        .values_list(
            "code",
            Cast("amount", TextField()),
            Cast("percent", TextField()),
            "currency",
            Cast("minimum_order", TextField()),
            Cast("expires_at", TextField()),
            "state",
        )
        .iterator(chunk_size=_FETCH)
    )


def codes_export_csv(batch: str) -> Iterator[str]:
    """The batch's codes as CSV lines (each ending in CRLF), the header first. An unknown batch is the header
    alone."""
    now = timezone.now()
    yield csv_line(HEADER)
    # Everything after the code is written once per different value, expiry and state (a batch shares its value
    # and expiry), as the CSV text that follows the code: `,12.50,EUR,2026-12-31T00:00:00Z,issued,`. A code cell
    # of letters, digits and dashes, starting with a letter or digit, needs no quoting and cannot start a formula;
    # anything else goes through the csv module and csv_safe whole.
    after: dict[tuple[str | None, ...], str] = {}
    cells_after: dict[tuple[str | None, ...], tuple[object, ...]] = {}
    for row in _fetched(batch):
        raw = row[1:]
        text = after.get(raw)
        if text is None:
            cells = cells_after[raw] = _cells(raw, now)
            text = after[raw] = csv_line(["", *cells])
        cell = codes.group(str(row[0]))
        yield cell + text if _PLAIN(cell) else csv_line([cell, *cells_after[raw]])
