"""The survey's one-click links: one per score, signed (django.core.signing, a salt of its own) so a score cannot
be forged or altered. Single use and expiry are the survey's business, not the link's: the survey row holds the
nonce every link carries (cleared when the case reopens), its expiry, and whether it was answered."""

import uuid
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "amends.aftercare.survey"
MAX_TOKEN = 200
# The payload is short (32 + 16 + 2 characters): the link stays one line in any mail program.
_signer = signing.Signer(salt=SALT)


class BadSurveyLink(Exception):
    pass


@dataclass(frozen=True)
class SurveyToken:
    survey: uuid.UUID
    nonce: str
    score: int


def survey_token(*, survey_id: uuid.UUID, nonce: str, score: int) -> str:
    return _signer.sign(f"{survey_id.hex}.{nonce}.{score}")


def survey_token_read(token: str) -> SurveyToken:
    if not token or len(token) > MAX_TOKEN:
        raise BadSurveyLink("invalid")
    try:
        value = _signer.unsign(token)
        survey_hex, nonce, score = value.split(".")
        return SurveyToken(survey=uuid.UUID(hex=survey_hex), nonce=nonce, score=int(score))
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise BadSurveyLink("invalid") from None


@cache
def _answer_path() -> tuple[str, str]:
    prefix, _token, suffix = reverse("aftercare:answer", kwargs={"token": "TOKEN"}).partition("TOKEN")
    return prefix, suffix


def survey_url(*, survey_id: uuid.UUID, nonce: str, score: int) -> str:
    prefix, suffix = _answer_path()
    return f"{settings.BASE_URL}{prefix}{survey_token(survey_id=survey_id, nonce=nonce, score=score)}{suffix}"
