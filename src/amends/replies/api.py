from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from amends.cases.models import Case
from amends.cases.schemas import ErrorOut
from amends.core import languages

from .schemas import FindingOut
from .services import reply_coach

router = Router(tags=["coach"])


class CoachIn(Schema):
    text: str = Field(description="The draft reply")
    language: str | None = Field(default=None, description="BCP 47; detected from the text when left out")
    case_id: UUID | None = Field(default=None, description="The case the reply answers: its customer and channel")
    max_remedy_value: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="The author's authority: an amount promised above it is a blocking finding",
    )


class CoachOut(Schema):
    language: str
    coached: bool
    score: int
    blocking: bool
    findings: list[FindingOut]


@router.post(
    "/coach",
    response={200: CoachOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Coach a draft reply",
)
def coach_draft(request: HttpRequest, payload: CoachIn):  # type: ignore[no-untyped-def]
    if len(payload.text) > 50_000:
        raise ValidationError({"text": "The draft is longer than 50,000 characters."})
    language = ""
    if payload.language:
        code = languages.normalize(payload.language) or payload.language.strip().lower()[:16]
        language = {"sr": "sr-Cyrl", "sr-latn": "sr-Latn"}.get(code, code)
    case = None
    if payload.case_id:
        case = Case.objects.select_related("customer").filter(public_id=payload.case_id).first()
        if case is None:
            raise HttpError(404, "No case has this id.")
    return reply_coach(
        text=payload.text, language=language, case=case, max_remedy_value=payload.max_remedy_value
    ).as_dict()
