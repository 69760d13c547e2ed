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

from django.utils import timezone

from amends.core.csv_safe import csv_line, csv_lines

from . import codes
from .codes_service import Expired, batch_codes
from .models import RemedyCode
from .money import Money

HEADER = ("code", "value", "currency", "expires", "state", "minimum_order")
_FETCH = 5_000  # rows per round trip to the database


def _percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def codes_export_csv(batch: str) -> Iterator[str]:
    """The batch's codes as CSV lines (each ending in CRLF), the header first. An unknown batch is the header
    alone."""
    now = timezone.now()
    issued = RemedyCode.State.ISSUED.value
    # A batch shares its value and expiry, so each is formatted once rather than once per code.
    values: dict[tuple[Decimal | None, Decimal | None, str], object] = {}
    minimums: dict[tuple[Decimal | None, str], object] = {}
    expiries: dict[datetime, str] = {}

    def rows() -> Iterator[tuple[object, ...]]:
        fetched = (
            batch_codes(batch=batch)
            .values_list("code", "amount", "percent", "currency", "minimum_order", "expires_at", "state")
            .iterator(chunk_size=_FETCH)
        )
        for code, amount, percent, currency, minimum, expires_at, state in fetched:
            value = values.get((amount, percent, currency))
            if value is None:
                value = values[(amount, percent, currency)] = (
                    Money.of(amount, currency).amount if amount is not None else _percent(percent)
                )
            least: object = ""
            if minimum is not None:
                least = minimums.get((minimum, currency))
                if least is None:
                    least = minimums[(minimum, currency)] = Money.of(minimum, currency).amount
            expires = expiries.get(expires_at)
            if expires is None:
                expires = expiries[expires_at] = expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if state == issued and expires_at <= now:
                state = Expired
            yield codes.group(code), value, currency, expires, state, least

    yield csv_line(HEADER)
    yield from csv_lines(rows())
