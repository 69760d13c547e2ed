from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from amends.api.fields import NO_NUL, Authority
from amends.cases.models import Case
from amends.cases.schemas import ErrorOut, InSchema
from amends.core import languages

from .schemas import FindingOut
from .services import reply_coach

router = Router(tags=["coach"])


class CoachIn(InSchema):
    text: Annotated[str, Field(max_length=50_000), NO_NUL] = Field(description="The draft reply")
    language: Annotated[str, Field(max_length=64), NO_NUL] | None = Field(
        default=None, description="BCP 47; detected from the text when left out; another language is not coached"
    )
    case_id: UUID | None = Field(default=None, description="The case the reply answers: its customer and channel")
    max_remedy_value: Authority | None = Field(
        default=None,
        description="The author's authority: an amount promised above it is a blocking finding. A number, or a "
        'string such as "50.00" or "50,00"; whole cents, not negative, below 10,000,000,000.',
    )


class CoachOut(Schema):
    language: str
    coached: bool
    score: int
    blocking: bool
    findings: list[FindingOut]


@router.post(
    "/coach",
    response={200: CoachOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Coach a draft reply",
)
def coach_draft(request: HttpRequest, payload: CoachIn):  # type: ignore[no-untyped-def]
    language = ""
    if payload.language:
        code = languages.normalize(payload.language) or payload.language.strip().lower()[:16]
        language = {"sr": "sr-Cyrl", "sr-latn": "sr-Latn"}.get(code, code)
    case = None
    if payload.case_id:
        case = Case.objects.select_related("customer").filter(public_id=payload.case_id).first()
        if case is None:
            raise HttpError(404, _("No case has this id."))
    return reply_coach(
        text=payload.text, language=language, case=case, max_remedy_value=payload.max_remedy_value
    ).as_dict()
