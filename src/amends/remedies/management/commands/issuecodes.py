"""Issue a batch of single-use codes (an incident's apology, a campaign), and write them to a CSV file."""

import os
import time
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from amends.core.money import AmountError, parse_amount
from amends.remedies.codes_csv import codes_export_csv
from amends.remedies.codes_service import MAX_EXPIRY, codes_issue_batch


class Command(BaseCommand):
    help = (
        "Issue COUNT single-use codes under a new batch name, worth an amount or a percentage, all or none: a run "
        "that fails leaves no code behind and may be repeated. Optionally write them to a CSV file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many codes, 1 to 2,000,000")
        parser.add_argument("--batch", required=True, help="a new name: letters, digits, dots, dashes, underscores")
        value = parser.add_mutually_exclusive_group(required=True)
        value.add_argument("--amount", help="what each code is worth, e.g. 10 or 12,50 (needs --currency)")
        value.add_argument("--percent", help="the discount in percent, more than 0 and at most 100")
        parser.add_argument("--currency", default="", help="ISO 4217, e.g. EUR")
        parser.add_argument("--minimum-order", help="the smallest order a code may be redeemed on")
        parser.add_argument("--expires-days", type=int, required=True, help="the codes expire this many days from now")
        parser.add_argument("--csv", help="write the batch to this new file (- for standard output)")

    def handle(self, *args: object, **options: Any) -> None:
        currency = (options["currency"] or "").strip().upper()
        days = options["expires_days"]
        if not 1 <= days <= MAX_EXPIRY.days:
            raise CommandError(f"--expires-days is between 1 and {MAX_EXPIRY.days}")
        amount = self._amount("--amount", options["amount"], currency)
        minimum = self._amount("--minimum-order", options["minimum_order"], currency)
        target = options["csv"]
        if target and target != "-" and os.path.exists(target):
            raise CommandError(f"{target} exists already: name a new file")  # before issuing anything
        started = time.perf_counter()
        try:
            issued = codes_issue_batch(
                count=options["count"],
                batch=options["batch"],
                amount=amount,
                percent=options["percent"],
                currency=currency,
                minimum_order=minimum,
                expires_at=timezone.now() + timedelta(days=days),
            )
        except ValidationError as error:
            problems = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            raise CommandError("nothing was issued:\n  " + "\n  ".join(problems)) from None
        elapsed = time.perf_counter() - started
        self.stderr.write(
            f"Issued {issued.count:,} codes in batch {issued.batch!r} in {elapsed:.1f} s "
            f"({issued.count / elapsed:,.0f} codes/s)."
            + (f" {issued.replaced} already taken were drawn again." if issued.replaced else "")
        )
        if target:
            self._write(issued.batch, target)
        self.stderr.write(f"Managers download them at {reverse('codes:batch_csv', args=[issued.batch])}")

    def _amount(self, flag: str, text: str | None, currency: str) -> str | None:
        """What a person typed (`12,50`, `1.000`), as the service reads numbers; a currency problem is the
        service's to report."""
        if text is None:
            return None
        try:
            value, _written = parse_amount(text, currency=currency or None)
        except AmountError as error:
            if error.code == "unknown_currency":
                return text
            raise CommandError(f"{flag}: {error}") from None
        return str(value)

    def _write(self, batch: str, target: str) -> None:
        started = time.perf_counter()
        lines = 0
        if target == "-":
            for line in codes_export_csv(batch):
                self.stdout.write(line, ending="")
                lines += 1
        else:
            # Created new and readable by its owner only: the codes are worth money.
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(descriptor, "w", encoding="utf-8", newline="") as out:
                for line in codes_export_csv(batch):
                    out.write(line)
                    lines += 1
        where = "standard output" if target == "-" else target
        self.stderr.write(f"Wrote {lines - 1:,} codes to {where} in {time.perf_counter() - started:.1f} s.")
