"""What a request must be before any endpoint sees it, and how a refusal is worded.

Every refusal is an `ErrorOut`: `detail`, one sentence for a person, and `errors`, each field at fault (its
path in the JSON body, or the name of the query parameter or header) with its messages, all in the caller's
language (Accept-Language).
"""

import json
import re
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from amends.core.validators import text_refusal

WHOLE = "__all__"


class Refused(Exception):
    """A request refused at the edge: an HTTP status, a sentence, and the fields at fault."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "errors": self.errors} if self.errors else {"detail": self.detail}


def refusal(errors: dict[str, list[str]]) -> Refused:
    field, messages = next(iter(errors.items()))
    return Refused(422, messages[0] if field == WHOLE else f"{field}: {messages[0]}", errors)


def _shown(name: str) -> str:
    """A name as it may appear in a message: characters that are not text spelled as escapes."""
    return "".join(ch if text_refusal(ch) is None else f"\\u{ord(ch):04x}" for ch in name)


def _text_errors(value: object, path: str, errors: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        message = text_refusal(value)
        if message:
            errors.setdefault(path or WHOLE, []).append(message)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{_shown(key)}" if path else _shown(key)
            message = text_refusal(key)
            if message:
                errors.setdefault(name, []).append(message)
            _text_errors(item, name, errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _text_errors(item, f"{path}.{index}" if path else str(index), errors)


def _not_a_json_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python reads them, JSON has no such thing


class JsonParser(Parser):
    """A request body is a JSON object in UTF-8, and no text in it or in the query holds a NUL or a lone
    surrogate. Numbers with a fraction are read as Decimal, so 49.9 is 49.9 and not 49.899999999999999."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        charset = (request.content_params or {}).get("charset", "utf-8").lower()
        if request.content_type != "application/json" or charset not in ("utf-8", "utf8"):
            raise Refused(415, _("Send the request body as JSON in UTF-8, with Content-Type: application/json."))
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused(
                400,
                _("The request body is not valid UTF-8: byte %(position)s cannot be read.")
                % {"position": exc.start + 1},
            ) from None
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=_not_a_json_constant)
        except json.JSONDecodeError as exc:
            raise Refused(
                400,
                _("The request body is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": exc.lineno, "column": exc.colno},
            ) from None
        except ValueError:  # a number too long to read, NaN, Infinity
            raise Refused(400, _("The request body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise refusal({WHOLE: [_("The request body must be a JSON object.")]})
        errors: dict[str, list[str]] = {}
        _text_errors(data, "", errors)
        if errors:
            raise refusal(errors)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for key, values in data.lists():
            for text in (key, *values):
                message = text_refusal(text)
                if message:
                    errors.setdefault(_shown(key), []).append(message)
        if errors:
            raise refusal(errors)
        return super().parse_querydict(data, list_fields, request)


# Pydantic's own messages are English only; these are the ones a caller of this API can meet, in their language.
def _listed(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


SCHEMA_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_type": lambda ctx: _("Give a text (a JSON string) here."),
    "bool_type": lambda ctx: _("Give true or false (a JSON boolean) here."),
    "bool_parsing": lambda ctx: _("Give true or false (a JSON boolean) here."),
    "int_type": lambda ctx: _("Give a whole number here."),
    "int_parsing": lambda ctx: _("Give a whole number here."),
    "int_from_float": lambda ctx: _("Give a whole number here."),
    "uuid_type": lambda ctx: _("Give an id (a UUID such as 3f2b0c5e-8d1a-4c7e-9b2f-6a1d0e4c8b7a) here."),
    "uuid_parsing": lambda ctx: _("Give an id (a UUID such as 3f2b0c5e-8d1a-4c7e-9b2f-6a1d0e4c8b7a) here."),
    "enum": lambda ctx: _("Use one of: %(choices)s.") % {"choices": _listed(str(ctx.get("expected", "")))},
    "literal_error": lambda ctx: _("Use one of: %(choices)s.") % {"choices": _listed(str(ctx.get("expected", "")))},
    "string_too_long": lambda ctx: _("At most %(limit)s characters, please.") % {"limit": ctx.get("max_length")},
    "greater_than_equal": lambda ctx: _("The smallest value allowed is %(limit)s.") % {"limit": ctx.get("ge")},
    "less_than_equal": lambda ctx: _("The largest value allowed is %(limit)s.") % {"limit": ctx.get("le")},
    "model_type": lambda ctx: _("Give a JSON object here."),
    "model_attributes_type": lambda ctx: _("Give a JSON object here."),
    "dict_type": lambda ctx: _("Give a JSON object here."),
    "extra_forbidden": lambda ctx: _("This field is not part of the API; check its name."),
}
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


# Every endpoint calls its JSON body `payload`; the caller never sees that name, so it is left out of paths.
BODY_PARAMETER = "payload"


def schema_errors(details: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic's findings by field: `customer.email` in the body, `limit` in the query, `Idempotency-Key`."""
    errors: dict[str, list[str]] = {}
    for error in details:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in SOURCES:
            source = loc.pop(0)
            if source == "body" and loc and loc[0] == BODY_PARAMETER:
                loc.pop(0)
        kind = str(error.get("type", ""))
        if not loc and kind == "missing":
            text = _("Send a JSON object as the request body.")
        elif kind in SCHEMA_MESSAGES:
            text = SCHEMA_MESSAGES[kind](error.get("ctx") or {})
        else:
            text = str(error.get("msg", "invalid"))
        errors.setdefault(".".join(_shown(part) for part in loc) or WHOLE, []).append(text)
    return errors
