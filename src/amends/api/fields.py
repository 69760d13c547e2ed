"""Field types of the API. Each accepts exactly what the OpenAPI document says of it, so a client generated from
the document is refused nothing the document allows, and the document hides no rule the API applies.
Their messages are the ones the other channels give for the same mistake, in the caller's language."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, GetJsonSchemaHandler, PlainValidator, Strict, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from amends.core import languages, money
from amends.core.text import NO_NUL_PATTERN, VISIBLE_TEXT_PATTERN
from amends.core.validators import order_value_refusal, text_refusal


class DocumentPattern:
    """Puts a pattern into the document for a rule the API checks in its own code (no NUL: the request parser;
    not blank after clean-up: the intake service), where the check gives a clearer message than a regex would."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


NO_NUL = DocumentPattern(NO_NUL_PATTERN)


def _text(value: str) -> str:
    message = text_refusal(value)
    if message:
        raise _refuse("text", message)
    return value


# For text the request parser does not see (a header): refused, by name, if it is not text.
VALID_TEXT = AfterValidator(_text)
VISIBLE = DocumentPattern(VISIBLE_TEXT_PATTERN)

# A yes or no: JSON true or false, as the document says, and nothing pydantic would otherwise take for one (0, 1,
# "yes", "off"): a client that sends "false" as text must hear so, not have it read as a choice it did not make.
Flag = Annotated[bool, Strict()]

# A text of at most n characters (Unicode code points, as JSON Schema counts them) with no NUL in it.
ShortText = Annotated[str, Field(max_length=200), NO_NUL]
Reference = Annotated[str, Field(max_length=100), NO_NUL]
LongText = Annotated[str, Field(max_length=2000), NO_NUL]
# A customer's or an agent's words: at most 20,000 characters, and something left once white space and control
# characters are gone (what cases.intake.validate_story requires).
Story = Annotated[str, Field(max_length=20_000), VISIBLE]


def _refuse(kind: str, message: str) -> PydanticCustomError:
    # Pydantic formats {names} in a message; a translated sentence must reach the caller as it is.
    return PydanticCustomError(kind, message.replace("{", "{{").replace("}", "}}"))


def _amount(refusal: Callable[[str], str]) -> Callable[[object], Decimal]:
    def read(value: object) -> Decimal:
        try:
            return money.parse_order_value(value)
        except money.OrderValueError as exc:
            raise _refuse("amount", refusal(exc.kind)) from None

    return read


AMOUNT_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "exclusiveMaximum": int(money.AMOUNT_LIMIT), "multipleOf": 0.01},
        {"type": "string", "pattern": money.AMOUNT_PATTERN},
    ],
}
OrderValue = Annotated[Decimal, PlainValidator(_amount(order_value_refusal)), WithJsonSchema(AMOUNT_SCHEMA)]
Authority = Annotated[
    Decimal,
    PlainValidator(
        _amount(lambda kind: _("The authority must be an amount of at most 10 digits and 2 decimals, such as 50.00."))
    ),
    WithJsonSchema(AMOUNT_SCHEMA),
]


def _currency(value: object) -> str:
    if not isinstance(value, str) or not money.is_currency(value):
        raise _refuse(
            "currency",
            _("Unknown currency %(code)s; use an ISO 4217 code such as EUR.") % {"code": repr(value)[:20]},
        )
    return value


Currency = Annotated[
    str, PlainValidator(_currency), WithJsonSchema({"type": "string", "enum": sorted(money.currency_codes())})
]


def _language_pattern() -> str:
    """BCP 47 codes (any case, - or _) whose language amends speaks: sr, sr-Latn, en-GB, ru_RU. Empty means none."""
    bases = sorted({code.split("-")[0] for code, _name in settings.LANGUAGES})
    spelled = "|".join("".join(f"[{ch.upper()}{ch}]" for ch in base) for base in bases)
    return rf"^(?:(?:{spelled})(?:[-_][A-Za-z0-9]{{1,8}})*)?$"


LANGUAGE_PATTERN = _language_pattern()
_LANGUAGE = re.compile(LANGUAGE_PATTERN[1:-1])


def _language(value: object) -> str:
    if (
        not isinstance(value, str)
        or len(value) > 64
        or not _LANGUAGE.fullmatch(value)
        or (value and languages.normalize(value) is None)
    ):
        raise _refuse(
            "language",
            _("Unknown language code %(code)s; supported: %(supported)s.")
            % {"code": repr(value)[:40], "supported": ", ".join(languages.supported_codes())},
        )
    return value


Language = Annotated[
    str, PlainValidator(_language), WithJsonSchema({"type": "string", "pattern": LANGUAGE_PATTERN, "maxLength": 64})
]


def _email(value: object) -> str:
    try:
        if not isinstance(value, str) or len(value) > 254:
            raise ValidationError("too long")
        validate_email(value)
    except ValidationError:
        raise _refuse("email", _("Enter a valid e-mail address.")) from None
    return value


Email = Annotated[str, PlainValidator(_email), WithJsonSchema({"type": "string", "format": "email", "maxLength": 254})]


def _followers(value: object) -> int:
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)  # 5.0 is a whole number in JSON
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse("whole_number", _("The follower count must be a whole number."))
    if not 0 <= value <= 10**10:
        raise _refuse("whole_number", _("The follower count must be between 0 and 10,000,000,000."))
    return value


Followers = Annotated[
    int, PlainValidator(_followers), WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 10**10})
]


# RFC 3339 date-time, the document's `format: date-time`: a date, T, a time, and Z or an offset.
_MOMENT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _moment_refused() -> PydanticCustomError:
    return _refuse("date_time", _("Give a date and time with its offset (RFC 3339), such as 2026-05-01T09:30:00Z."))


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 0001-01-01 in the proleptic Gregorian calendar, for any year 0–9999 (0 is 1 BC, a leap year)."""
    if year >= 1:
        return date(year, month, day).toordinal() - 1
    return date(4, month, day).toordinal() - 1 - (365 * 4 + 1)  # year 0 falls on the days of year 4, 1461 earlier


def parse_moment(value: object) -> datetime:
    """A moment in UTC from an RFC 3339 date-time. One before or after what a datetime holds (year 0, or
    9999-12-31T23:59:59-01:00) is read as the earliest or the latest moment there is: a filter on it keeps its
    meaning (after the beginning of time: everything). A number, a date alone or a time without an offset is
    refused, never guessed (0.5 is not a Unix time here)."""
    found = _MOMENT.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise _moment_refused()
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    fraction, sign, offset_hours, offset_minutes = found.group(7, 8, 9, 10)
    offset = 0 if sign is None else (1 if sign == "+" else -1) * (int(offset_hours) * 60 + int(offset_minutes))
    try:
        days = _days_from_civil(year, month, day)
    except ValueError:
        raise _moment_refused() from None
    if hour > 23 or minute > 59 or second > 60 or (sign and (int(offset_hours) > 23 or int(offset_minutes) > 59)):
        raise _moment_refused()
    utc_minutes = hour * 60 + minute - offset
    if second == 60 and utc_minutes % (24 * 60) != 23 * 60 + 59:
        raise _moment_refused()  # a leap second is the last second of a UTC day
    microseconds = int((fraction or "0")[:6].ljust(6, "0"))
    elapsed = timedelta(days=days, minutes=utc_minutes, seconds=second, microseconds=microseconds)
    if elapsed < timedelta(0):
        return _EARLIEST
    try:
        return _EARLIEST + elapsed
    except OverflowError:
        return _LATEST


Moment = Annotated[datetime, PlainValidator(parse_moment), WithJsonSchema({"type": "string", "format": "date-time"})]
