"""The customer's choice links: one per offered option, signed (django.core.signing, with a salt of its own) so
they cannot be forged or altered, timestamped so they run out. Single use is not the link's business: choosing
moves the option from offered to chosen, which happens once (services.remedy_choose)."""

import uuid
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Remedy

CHOICE_SALT = "amends.remedies.choice"
MAX_TOKEN = 300


class BadLink(Exception):
    """`code` is invalid (forged, truncated, altered, not ours) or expired."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def choice_token(remedy: Remedy) -> str:
    return signing.dumps(str(remedy.public_id), salt=CHOICE_SALT)


@cache
def _choice_path() -> tuple[str, str]:
    """The route around the token, resolved once per process (every offered option at intake needs a link)."""
    prefix, _token, suffix = reverse("remedies:choose", kwargs={"token": "TOKEN"}).partition("TOKEN")
    return prefix, suffix


def choice_url(remedy: Remedy) -> str:
    prefix, suffix = _choice_path()
    return f"{settings.BASE_URL}{prefix}{choice_token(remedy)}{suffix}"


def choice_token_read(token: str) -> uuid.UUID:
    """The remedy a token names. Good for the offer's lifetime and a day (the remedy's own expiry is checked when
    it is chosen); BadLink otherwise."""
    if not token or len(token) > MAX_TOKEN:
        raise BadLink("invalid")
    try:
        value = signing.loads(token, salt=CHOICE_SALT, max_age=timedelta(days=settings.REMEDY_OFFER_DAYS + 1))
        return uuid.UUID(str(value))
    except signing.SignatureExpired:
        raise BadLink("expired") from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise BadLink("invalid") from None
