"""Single-use remedy codes in the database: issue a batch (up to two million) or one code, look one up, redeem
one when the shop reports it, void them. The writes and reads for codes; `codes.py` makes and checks the codes.

**A batch is all or nothing.** Every code of a batch is written in one transaction, so a batch that fails half
way (a refused row, the database gone, the process killed) leaves no code of it behind, and the same command can
simply be run again. A batch name is used once: issuing into a name that already has codes is refused, which
also makes a command run twice harmless (on PostgreSQL an advisory lock on the name makes two concurrent runs
queue; on SQLite the transaction holds the write lock from its start). The price of one transaction: on SQLite
the database's write lock is held while the batch is written (9 to 14 seconds for a million codes on a busy
two-core machine, see `benchmarks/codes`), and other writers wait for it within the 30-second busy timeout: issue
batches of a million and more on PostgreSQL, or when little else is written. On PostgreSQL nobody waits.

**Fast.** Codes come from `codes.generate` in chunks (unique within a chunk) and each chunk is written in one
statement: PostgreSQL's COPY, given the chunk as text, or on SQLite one INSERT … SELECT over `json_each` of the
chunk as a JSON array, so a statement has twelve parameters however large the chunk, far from SQLite's limit on
variables. A chunk is sorted before it is written (the unique index takes sorted keys faster) and written inside
a savepoint. A code that already exists (as likely as guessing a 75-bit number, but the unique constraint is
what guarantees it) fails its chunk: the savepoint is rolled back, the codes that were taken are replaced with
fresh ones, and the chunk is written again.

**Redemption** is claimed with one conditional UPDATE (still issued, not yet expired), so two reports at the same
moment redeem a code once; the same order reported again gets the same answer, another order is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from amends.core.money import MAX_AMOUNT, is_currency, minor_digits

from . import codes
from .models import Remedy, RemedyCode
from .money import Money, MoneyError

MAX_COUNT = 2_000_000
DEFAULT_CHUNK = 20_000
MAX_CHUNK = 200_000
MAX_EXPIRY = timedelta(days=3650)  # an expiry further away than ten years is a slip of the finger
MAX_ORDER_REFERENCE = 100  # RemedyCode.redeemed_order
BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # also a safe file name and URL segment
_ATTEMPTS = 5  # writes of one chunk; each replaces the codes found taken, so the second always succeeds
_LOOKUP_SLICE = 500  # codes per `IN (...)` when looking for the taken ones

Expired = "expired"  # the state shown for an issued code past its expiry (not stored: time makes it so)


@dataclass(frozen=True, slots=True)
class CodeValue:
    """What one code is worth, checked: an amount or a percentage, the currency, a minimum order, the expiry."""

    amount: Decimal | None
    percent: Decimal | None
    currency: str
    minimum_order: Decimal | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedBatch:
    batch: str
    count: int
    replaced: int  # codes that turned out to exist already and were replaced by fresh ones


@dataclass(frozen=True, slots=True)
class Redemption:
    code: RemedyCode
    replayed: bool  # the same order was reported before: nothing changed


class CodeRefused(Exception):
    """A code that cannot be looked up or redeemed, and why.

    `reason`: malformed (not a code: a mistyped symbol, the wrong length), not_found, redeemed (for another
    order), void, expired, currency (the order is in another currency than the code), minimum_order.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# --- validation --------------------------------------------------------------------------------------------


def _decimal(raw: object) -> Decimal | None:
    """`raw` as a finite Decimal, or None when it is not a number (floats and booleans are not money)."""
    if isinstance(raw, bool | float):
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | str):
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return value if value.is_finite() else None


def _money(raw: object, currency: str, field: str, errors: dict[str, ValidationError]) -> Decimal | None:
    value = _decimal(raw)
    if value is None:
        errors[field] = ValidationError(_("Write a number, such as 10.50."), code="not_a_number")
        return None
    if value <= 0:
        errors[field] = ValidationError(_("It must be more than zero."), code="not_positive")
        return None
    if value >= MAX_AMOUNT:
        errors[field] = ValidationError(
            _("It must be less than %(max)s.") % {"max": number_format(MAX_AMOUNT, force_grouping=True)},
            code="too_large",
        )
        return None
    if not currency:
        return value  # the currency's own error says what is missing
    try:
        return Money(value, currency).amount
    except MoneyError:
        errors[field] = ValidationError(
            _("%(currency)s has no more than %(digits)s decimals.")
            % {"currency": currency, "digits": minor_digits(currency)},
            code="too_precise",
        )
        return None


def code_value_check(
    *,
    amount: object = None,
    percent: object = None,
    currency: str = "",
    minimum_order: object = None,
    expires_at: datetime,
    now: datetime | None = None,
) -> CodeValue:
    """The value of a code to issue, checked; ValidationError with every problem, by field, otherwise."""
    now = now or timezone.now()
    errors: dict[str, ValidationError] = {}
    currency = (currency or "").strip().upper()
    if currency and not is_currency(currency):
        errors["currency"] = ValidationError(
            _("%(currency)s is not an ISO 4217 currency code, such as EUR.") % {"currency": currency[:10]},
            code="unknown_currency",
        )
        currency = ""
    elif not currency and (amount is not None or minimum_order is not None):
        errors["currency"] = ValidationError(_("Say which currency the amount is in, such as EUR."), code="no_currency")
    if amount is not None and percent is not None:
        errors["value"] = ValidationError(
            _("A code is worth an amount or a percentage, not both."), code="amount_and_percent"
        )
    elif amount is None and percent is None:
        errors["value"] = ValidationError(_("Say what the code is worth: an amount or a percentage."), code="no_value")
    checked_amount = _money(amount, currency, "amount", errors) if amount is not None else None
    checked_percent = None
    if percent is not None:
        value = _decimal(percent)
        if value is None:
            errors["percent"] = ValidationError(_("Write a number, such as 15."), code="not_a_number")
        elif not 0 < value <= 100:
            errors["percent"] = ValidationError(_("A percentage is more than 0 and at most 100."), code="out_of_range")
        elif value != value.quantize(Decimal("0.01")):
            errors["percent"] = ValidationError(_("A percentage has at most two decimals."), code="too_precise")
        else:
            checked_percent = value.quantize(Decimal("0.01"))
    checked_minimum = _money(minimum_order, currency, "minimum_order", errors) if minimum_order is not None else None
    if not isinstance(expires_at, datetime) or timezone.is_naive(expires_at):
        errors["expires_at"] = ValidationError(
            _("The expiry must be a date and time with its time zone."), code="invalid"
        )
    elif expires_at <= now:
        errors["expires_at"] = ValidationError(_("The expiry must be in the future."), code="past")
    elif expires_at > now + MAX_EXPIRY:
        errors["expires_at"] = ValidationError(_("The expiry must be within ten years."), code="too_far")
    if errors:
        raise ValidationError(errors)
    return CodeValue(checked_amount, checked_percent, currency, checked_minimum, expires_at)


def batch_name_check(batch: object) -> str:
    name = batch.strip() if isinstance(batch, str) else ""
    if not BATCH_NAME.fullmatch(name):
        raise ValidationError(
            {
                "batch": ValidationError(
                    _(
                        "A batch name is 1 to 64 letters (a–z, A–Z), digits, dots, dashes and underscores, "
                        "starting with a letter or digit."
                    ),
                    code="invalid",
                )
            }
        )
    return name


# --- issuing -----------------------------------------------------------------------------------------------

_COLUMNS = (
    "code",
    "batch",
    "remedy",
    "amount",
    "percent",
    "currency",
    "minimum_order",
    "expires_at",
    "state",
    "created_at",
    "redeemed_at",
    "redeemed_order",
)


def _copy_text(value: object) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _chunk_writer(values: tuple[object, ...]) -> Callable[[list[str]], None]:
    """A function that writes one chunk of codes, every other column being `values` (in `_COLUMNS` order)."""
    concrete = {field.name: field for field in RemedyCode._meta.concrete_fields}
    fields = [concrete[name] for name in _COLUMNS]
    names = [field.column or field.name for field in fields]
    table = connection.ops.quote_name(RemedyCode._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    if connection.vendor == "postgresql":
        suffix = "\t" + "\t".join(_copy_text(value) for value in values) + "\n"
        statement = f"COPY {table} ({columns}) FROM STDIN"

        def copy(chunk: list[str]) -> None:
            data = suffix.join(chunk) + suffix
            with (
                connection.cursor() as cursor,
                connection.wrap_database_errors,
                cursor.cursor.copy(statement) as stream,
            ):
                stream.write(data)

        return copy

    prepared = tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields[1:], values, strict=True))
    # The table and column names come from the model, quoted; the values travel as parameters. The chunk is one
    # parameter, a JSON array that json_each() unrolls inside SQLite (its JSON functions are built in, and
    # Django's JSONField needs them anyway): three times faster than executemany binding twelve values a row.
    placeholders = ", ".join(["%s"] * len(prepared))
    statement = f"INSERT INTO {table} ({columns}) SELECT value, {placeholders} FROM json_each(%s)"  # noqa: S608

    def insert(chunk: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, [*prepared, json.dumps(chunk)])

    return insert


def _taken(candidates: Iterable[str]) -> set[str]:
    """Those of `candidates` already stored."""
    pending = list(candidates)
    found: set[str] = set()
    for start in range(0, len(pending), _LOOKUP_SLICE):
        part = pending[start : start + _LOOKUP_SLICE]
        found.update(RemedyCode.objects.filter(code__in=part).values_list("code", flat=True))
    return found


def _write_chunk(chunk: list[str], write: Callable[[list[str]], None]) -> int:
    """Write `chunk`, replacing codes that turn out to be taken; returns how many were replaced."""
    replaced = 0
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():  # a savepoint: a refused chunk is undone alone
                write(sorted(chunk))
            return replaced
        except IntegrityError:
            taken = _taken(chunk)
            if not taken:
                raise  # refused for another reason than a code that exists
            keep = [code for code in chunk if code not in taken]
            present = set(keep)
            while len(keep) < len(chunk):
                fresh = codes.new_code()
                if fresh not in present and fresh not in taken:
                    keep.append(fresh)
                    present.add(fresh)
            chunk = keep
            replaced += len(taken)
    raise IntegrityError(f"a chunk of {len(chunk)} codes was refused {_ATTEMPTS} times")


def _lock_batch_name(batch: str) -> None:
    """Make a concurrent issue of the same batch wait for this transaction (PostgreSQL; SQLite's IMMEDIATE
    transactions already hold the database's write lock)."""
    if connection.vendor == "postgresql":
        key = hashlib.blake2b(f"amends.remedies.code-batch:{batch}".encode(), digest_size=8).digest()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(key, "big", signed=True)])


def codes_issue_batch(
    *,
    count: int,
    batch: str,
    amount: Decimal | int | str | None = None,
    percent: Decimal | int | str | None = None,
    currency: str = "",
    minimum_order: Decimal | int | str | None = None,
    expires_at: datetime,
    remedy: Remedy | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> IssuedBatch:
    """Issue `count` (1 to 2,000,000) new codes under the new batch name `batch`, all or none.

    Worth `amount` of `currency` or `percent` off (with `currency` then only needed for a `minimum_order`), until
    `expires_at`. Raises ValidationError, by field, for anything it cannot issue, before writing anything.
    """
    if not isinstance(chunk, int) or not 1 <= chunk <= MAX_CHUNK:
        raise ValueError(f"chunk is between 1 and {MAX_CHUNK}")
    errors: dict[str, ValidationError] = {}
    if isinstance(count, bool) or not isinstance(count, int):
        errors["count"] = ValidationError(_("Say how many codes, as a whole number."), code="not_a_number")
    elif not 1 <= count <= MAX_COUNT:
        errors["count"] = ValidationError(
            _("A batch has from 1 to %(max)s codes.") % {"max": number_format(MAX_COUNT, force_grouping=True)},
            code="out_of_range",
        )
    try:
        name = batch_name_check(batch)
    except ValidationError as error:
        errors.update(error.error_dict)  # type: ignore[arg-type]
    try:
        value = code_value_check(
            amount=amount, percent=percent, currency=currency, minimum_order=minimum_order, expires_at=expires_at
        )
    except ValidationError as error:
        errors.update(error.error_dict)  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    write = _chunk_writer(
        (
            name,
            remedy.pk if remedy is not None else None,
            value.amount,
            value.percent,
            value.currency,
            value.minimum_order,
            value.expires_at,
            RemedyCode.State.ISSUED.value,
            now,
            None,
            "",
        )
    )
    replaced = 0
    with transaction.atomic():
        _lock_batch_name(name)
        if RemedyCode.objects.filter(batch=name).exists():
            raise ValidationError(
                {
                    "batch": ValidationError(
                        _("A batch named %(batch)s was issued already: give this one another name.") % {"batch": name},
                        code="exists",
                    )
                }
            )
        for part in codes.generate(count, batch=chunk):
            replaced += _write_chunk(part, write)
    return IssuedBatch(batch=name, count=count, replaced=replaced)


def code_issue(
    *,
    remedy: Remedy | None = None,
    amount: Decimal | int | str | None = None,
    percent: Decimal | int | str | None = None,
    currency: str = "",
    minimum_order: Decimal | int | str | None = None,
    expires_at: datetime,
) -> RemedyCode:
    """One new code, e.g. the discount code of one remedy. Raises ValidationError like `codes_issue_batch`."""
    value = code_value_check(
        amount=amount, percent=percent, currency=currency, minimum_order=minimum_order, expires_at=expires_at
    )
    for _attempt in range(_ATTEMPTS):
        candidate = codes.new_code()
        try:
            with transaction.atomic():
                return RemedyCode.objects.create(
                    code=candidate,
                    remedy=remedy,
                    amount=value.amount,
                    percent=value.percent,
                    currency=value.currency,
                    minimum_order=value.minimum_order,
                    expires_at=value.expires_at,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            if not RemedyCode.objects.filter(code=candidate).exists():
                raise
    raise IntegrityError(f"no free code in {_ATTEMPTS} tries")


# --- reading -----------------------------------------------------------------------------------------------


def code_state(code: RemedyCode, *, now: datetime | None = None) -> str:
    """issued, redeemed, void, or expired (an issued code past its expiry)."""
    if code.state == RemedyCode.State.ISSUED and code.expires_at <= (now or timezone.now()):
        return Expired
    return str(code.state)


def code_find(*, code: str) -> RemedyCode:
    """The code a customer or a shop typed (spaces, dashes, lower case and look-alikes forgiven).

    CodeRefused `malformed` when it cannot be a code at all (no information: the check symbol is public
    knowledge), `not_found` when it is well-formed and was never issued.
    """
    try:
        stored = codes.validate(code)
    except codes.InvalidCode:
        raise CodeRefused("malformed", _("This is not a code this shop issued.")) from None
    found = RemedyCode.objects.filter(code=stored).first()
    if found is None:
        raise CodeRefused("not_found", _("No code like this was issued."))
    return found


def batch_codes(*, batch: str) -> QuerySet[RemedyCode]:
    """The codes of one batch, in the order they were issued."""
    return RemedyCode.objects.filter(batch=batch).order_by("id")


# --- redeeming and voiding ---------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _order_value(raw: object) -> Decimal | None:
    if raw is None or raw == "":
        return None
    value = _decimal(raw)
    if value is None:
        raise ValidationError(
            {"order_value": ValidationError(_("Write a number, such as 49.90."), code="not_a_number")}
        )
    if value < 0 or value >= MAX_AMOUNT:
        raise ValidationError(
            {
                "order_value": ValidationError(
                    _("The order value must be zero or more and less than %(max)s.")
                    % {"max": number_format(MAX_AMOUNT, force_grouping=True)},
                    code="out_of_range",
                )
            }
        )
    return value


def _judge(
    code: RemedyCode, reference: str, order_value: Decimal | None, currency: str, now: datetime
) -> Redemption | None:
    """What a redemption report meets: the same redemption again (answered as before), a refusal, or None when
    the code may be redeemed."""
    if code.state == RemedyCode.State.REDEEMED:
        if code.redeemed_order == reference:
            return Redemption(code=code, replayed=True)
        raise CodeRefused(
            "redeemed",
            _("This code was redeemed already, on %(when)s, for another order.")
            % {"when": _when(code.redeemed_at or now)},
        )
    if code.state == RemedyCode.State.VOID:
        raise CodeRefused("void", _("This code was withdrawn and can no longer be redeemed."))
    if code.expires_at <= now:
        raise CodeRefused("expired", _("This code expired on %(when)s.") % {"when": _when(code.expires_at)})
    if currency and code.currency and currency != code.currency and (code.amount is not None or code.minimum_order):
        raise CodeRefused(
            "currency",
            _("This code is in %(code)s; the order is in %(order)s.") % {"code": code.currency, "order": currency},
        )
    if code.minimum_order:
        minimum = f"{Money.of(code.minimum_order, code.currency).amount} {code.currency}"
        if order_value is None:
            raise CodeRefused(
                "minimum_order",
                _("This code needs an order of at least %(minimum)s: say the order's value.") % {"minimum": minimum},
            )
        if order_value < code.minimum_order:
            raise CodeRefused(
                "minimum_order",
                _("This code needs an order of at least %(minimum)s; this order is %(value)s.")
                % {"minimum": minimum, "value": f"{order_value} {code.currency}"},
            )
    return None


def code_redeem(
    *,
    code: str,
    order_reference: str,
    order_value: Decimal | int | str | None = None,
    currency: str | None = None,
) -> Redemption:
    """Redeem `code` on the shop's order `order_reference`, once.

    The same order reported again answers as the first time (`replayed`); any other report of a redeemed code,
    a void or expired one, an order under the code's minimum or in another currency is refused (CodeRefused), and
    bad input is a ValidationError. The order's value is taken to be in the code's currency unless `currency`
    says otherwise.
    """
    reference = (order_reference or "").strip()
    if not reference:
        raise ValidationError(
            {"order_reference": ValidationError(_("Say which order the code was redeemed on."), code="required")}
        )
    if len(reference) > MAX_ORDER_REFERENCE:
        raise ValidationError(
            {
                "order_reference": ValidationError(
                    _("An order reference has at most %(max)s characters.") % {"max": MAX_ORDER_REFERENCE},
                    code="too_long",
                )
            }
        )
    value = _order_value(order_value)
    order_currency = (currency or "").strip().upper()
    if order_currency and not is_currency(order_currency):
        raise ValidationError(
            {
                "currency": ValidationError(
                    _("%(currency)s is not an ISO 4217 currency code, such as EUR.")
                    % {"currency": order_currency[:10]},
                    code="unknown_currency",
                )
            }
        )
    found = code_find(code=code)
    now = timezone.now()
    for _attempt in range(3):
        answer = _judge(found, reference, value, order_currency, now)
        if answer is not None:
            return answer
        # The claim: only a code still issued and not yet expired is redeemed, by whichever report comes first.
        claimed = RemedyCode.objects.filter(pk=found.pk, state=RemedyCode.State.ISSUED, expires_at__gt=now).update(
            state=RemedyCode.State.REDEEMED, redeemed_at=now, redeemed_order=reference
        )
        found.refresh_from_db()
        if claimed:
            return Redemption(code=found, replayed=False)
        # Another report (or a void) came first: judge again what the code is now.
    raise RuntimeError(f"the redemption of code {found.pk} did not settle")


def codes_void(*, batch: str = "", code: str = "") -> int:
    """Withdraw the still issued codes of a batch (a leaked batch) or one code; returns how many. A redeemed code
    stays redeemed."""
    if bool(batch) == bool(code):
        raise ValueError("void a batch or a code")
    issued = RemedyCode.objects.filter(state=RemedyCode.State.ISSUED)
    target = issued.filter(batch=batch) if batch else issued.filter(pk=code_find(code=code).pk)
    return target.update(state=RemedyCode.State.VOID)
