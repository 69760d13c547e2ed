"""The languages amends speaks to customers, and the spellings of their codes that callers send."""

from django.conf import settings

# Callers write BCP 47 (sr-Latn, sr-Cyrl, en-GB, pt_BR); Django's codes are lower-case with a hyphen.
_ALIASES = {"sr-cyrl": "sr", "sr-latin": "sr-latn", "sr-cyrillic": "sr"}


def normalize(code: str) -> str | None:
    """The supported language code for `code`, or None when amends does not speak it."""
    value = code.strip().replace("_", "-").lower()
    if not value:
        return None
    value = _ALIASES.get(value, value)
    supported = dict(settings.LANGUAGES)
    if value in supported:
        return value
    base = value.split("-")[0]
    if base == "sr" and "latn" in value:
        return "sr-latn"
    return base if base in supported else None


def supported_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]
