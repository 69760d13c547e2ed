import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from amends.api.fields import NO_NUL, VALID_TEXT, DocumentPattern, Moment
from amends.api.idempotency import MAX_KEY, run_idempotent
from amends.api.models import ApiKey
from amends.customers.models import Customer

from .intake import IntakeRequest, case_open
from .lifecycle import Status
from .models import Case, Channel
from .public_threads import PublicPost
from .references import parse_reference
from .schemas import CaseIn, CaseOut, CasePage, ErrorOut, MessageIn, MessageOut, ReplyRefusedOut
from .services import case_add_customer_message, case_add_note, case_reply

router = Router(tags=["cases"])
# The refusals each kind of endpoint can answer with, all as ErrorOut (the document lists them per operation).
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}
IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    max_length=MAX_KEY,
    description="Repeat the request with the same key and it is done once: the first response is replayed",
)
IdempotencyText = Annotated[str, VALID_TEXT, NO_NUL]
# The intake service names fields as the form does; the API names them as they are in its body.
INTAKE_FIELDS = {
    "email": "customer.email",
    "name": "customer.name",
    "language": "customer.language",
    "external_id": "customer.external_id",
    "order_reference": "order.reference",
    "order_value": "order.value",
    "order_currency": "order.currency",
}


def _case(public_id: UUID) -> Case:
    # An API key speaks for the whole company, so it may read every case; an unknown id is a plain 404.
    case = (
        Case.objects.select_related("customer", "team", "assignee", "brand", "triage", "public_thread")
        .prefetch_related("remedies")
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise HttpError(404, _("No case has this id."))
    return case


@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, **WRITE_ERRORS},
    summary="Open a case",
    description="201: a new case. 200: a post in a public thread (channel public_thread) by an author who has a "
    "case open for the same thread joined that case as a new message; the body is that case.",
)
def create_case(  # type: ignore[no-untyped-def]
    request: HttpRequest, payload: CaseIn, idempotency_key: Annotated[IdempotencyText | None, IdempotencyKey] = None
):
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    order = payload.order
    public = payload.public
    intake = IntakeRequest(
        email=payload.customer.email or "",
        name=payload.customer.name or "",
        language=payload.customer.language or "",
        external_id=payload.customer.external_id or "",
        description=payload.description,
        subject=payload.subject or "",
        order_reference=(order.reference or "") if order else "",
        order_value=order.value if order else None,
        order_currency=(order.currency or "") if order else "",
        remedy_sought=payload.remedy_sought or "",
        channel=payload.channel or Channel.API,
        followers=payload.followers or 0,
        public=PublicPost(
            platform=public.platform,
            handle=public.handle,
            post_url=public.post_url,
            followers=public.followers,
            posted_at=public.posted_at,
            parent_url=public.parent_url,
            thread_id=public.thread_id or "",
        )
        if public is not None
        else None,
    )

    def work() -> tuple[int, dict]:
        try:
            opened = case_open(request=intake, actor_label=f"API key {key.name}")
        except ValidationError as exc:
            raise ValidationError(
                {INTAKE_FIELDS.get(field, field): errors for field, errors in exc.error_dict.items()}
            ) from None
        # A follow-on comment by the same author in the same thread joined their open case: 200, that case.
        status = 200 if opened.joined else 201
        return status, CaseOut.of(opened.case, remedies=opened.remedies or None).model_dump(mode="json")

    return run_idempotent(request, key, work)


# A case is named by its id or by its reference (as the customer quotes it; six digits or more, any year).
CASE_KEY = (
    r"^(?:[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}"
    r"|[Aa][Mm]-[0-9]{4}-[0-9]{6,})$"
)
CaseKey = Path(
    ...,
    pattern=CASE_KEY,
    max_length=64,
    description="The case's id (a UUID) or its reference, e.g. AM-2026-000119",
)


@router.get("/cases/{case_id}", response={200: CaseOut, **READ_ERRORS}, summary="Get a case by id or reference")
def get_case(request: HttpRequest, case_id: str = CaseKey):  # type: ignore[no-untyped-def]
    reference = parse_reference(case_id)
    if reference is None:
        return CaseOut.of(_case(UUID(case_id)))
    case = (
        Case.objects.select_related("customer", "team", "assignee", "brand", "triage")
        .prefetch_related("remedies")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise HttpError(404, _("No case has this reference."))
    return CaseOut.of(case)


CURSOR = DocumentPattern(r"^[A-Za-z0-9_-]*={0,2}$")  # base64url: what _decode_cursor reads, or refuses with 400


class CaseFilters(Schema):
    status: Status | None = None
    language: Annotated[str, Field(max_length=64), NO_NUL] | None = None
    channel: Channel | None = None
    customer_email: Annotated[str, Field(max_length=320), NO_NUL] | None = None
    created_after: Moment | None = Field(default=None, description="RFC 3339, e.g. 2026-05-01T00:00:00Z")
    created_before: Moment | None = Field(default=None, description="RFC 3339, e.g. 2026-06-01T00:00:00+02:00")
    cursor: Annotated[str, Field(max_length=200), CURSOR] | None = Field(
        default=None, description="The next_cursor of the page before"
    )
    limit: int = Field(default=50, ge=1, le=200)


def _encode_cursor(case: Case) -> str:
    return base64.urlsafe_b64encode(f"{case.created_at.isoformat()}|{case.pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (created_at, id) a next_cursor stands for; anything this API did not give out is a 400."""
    try:
        stamp, _sep, pk = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode().partition("|")
        moment, number = datetime.fromisoformat(stamp), int(pk)
        if moment.tzinfo is None or not 0 < number < 2**63:
            raise ValueError(cursor)
        return moment.astimezone(UTC), number
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, _("The cursor is not one this API gave out.")) from None


@router.get("/cases", response={200: CasePage, **READ_ERRORS}, summary="List cases, newest first")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):  # type: ignore[no-untyped-def]
    cases = Case.objects.select_related("customer", "team", "assignee", "triage", "public_thread").prefetch_related(
        "remedies"
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.language:
        cases = cases.filter(language=filters.language.lower())
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.customer_email:
        # The customer's id first, so the page is a walk down case_customer_created_id that stops at `limit`; joined,
        # the planner reads every case of the customer (10,000 for a regular at 1M cases) and sorts them.
        email = filters.customer_email.strip().lower()
        customer_id = Customer.objects.filter(email=email).values_list("pk", flat=True).first()
        cases = cases.filter(customer_id=customer_id) if customer_id is not None else cases.none()
    if filters.created_after:
        cases = cases.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        cases = cases.filter(created_at__lt=filters.created_before)
    if filters.cursor:
        stamp, pk = _decode_cursor(filters.cursor)
        cases = cases.filter(created_at__lte=stamp).exclude(created_at=stamp, id__gte=pk)
    page = list(cases.order_by("-created_at", "-id")[: filters.limit + 1])
    next_cursor = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        next_cursor = _encode_cursor(page[-1])
    return CasePage(items=[CaseOut.of(c) for c in page], next_cursor=next_cursor)


@router.post(
    "/cases/{case_id}/messages",
    response={201: MessageOut, **WRITE_ERRORS, 422: ReplyRefusedOut},
    summary="Add a message to a case",
    description="A reply is coached before it is sent, as in the console: one that blames the customer, argues, "
    "asks for proof, is angry or promises more than an agent may grant (an API key holds an agent's authority) is "
    "refused with 422 and the coach's findings, and nothing is sent, unless `override` is true; an override is "
    "recorded on the case's timeline. Customer messages and notes are not coached.",
)
def add_message(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    case_id: UUID,
    payload: MessageIn,
    idempotency_key: Annotated[IdempotencyText | None, IdempotencyKey] = None,
):
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    case = _case(case_id)
    label = f"API key {key.name}"

    def work() -> tuple[int, dict]:
        if payload.kind == "customer":
            message = case_add_customer_message(case=case, body=payload.body, channel=Channel.API, actor_label=label)
        elif payload.kind == "reply":
            message = case_reply(
                case=case,
                actor=None,
                body=payload.body,
                actor_label=label,
                override=payload.override,
                override_reason=payload.override_reason or "",
            )
        else:
            message = case_add_note(case=case, actor=None, body=payload.body, actor_label=label)
        return 201, MessageOut.of(message).model_dump(mode="json")

    return run_idempotent(request, key, work)
