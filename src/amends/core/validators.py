"""Checks every channel shares, with their messages in the caller's language."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import invalid_character


def text_refusal(value: str) -> str | None:
    """Why `value` is not text amends can take (a NUL, a lone UTF-16 surrogate), or None when it is."""
    found = invalid_character(value)
    if found is None:
        return None
    position, code = found
    return _(
        "This is not valid text: character %(position)s is %(code)s, which text cannot hold. Send UTF-8 "
        "without NUL characters."
    ) % {"position": position, "code": code}


def validate_text(value: str) -> str:
    message = text_refusal(value)
    if message:
        raise ValidationError(message, code="invalid_text")
    return value


def order_value_refusal(kind: str) -> str:
    """Why an order value cannot be read (kind from money.OrderValueError); the form and the API say the same."""
    if kind == "negative":
        return _("The order value cannot be negative.")
    if kind == "too_precise":
        return _("The order value must have at most 10 digits and 2 decimals.")
    return _("The order value must be a number, such as 49.90.")
