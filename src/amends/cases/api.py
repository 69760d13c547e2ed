import base64
import binascii
from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from amends.api.idempotency import run_idempotent
from amends.api.models import ApiKey

from .intake import IntakeRequest, case_open
from .models import Case, Channel
from .schemas import CaseIn, CaseOut, CasePage, ErrorOut, MessageIn, MessageOut, ReplyRefusedOut
from .services import case_add_customer_message, case_add_note, case_reply

router = Router(tags=["cases"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _case(public_id: UUID) -> Case:
    # An API key speaks for the whole company, so it may read every case; an unknown id is a plain 404.
    return get_object_or_404(
        Case.objects.select_related("customer", "team", "assignee", "brand", "triage").prefetch_related("remedies"),
        public_id=public_id,
    )


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Open a case")
def create_case(request: HttpRequest, payload: CaseIn):  # type: ignore[no-untyped-def]
    key: ApiKey = request.auth  # type: ignore[attr-defined]

    def work() -> tuple[int, dict]:
        order = payload.order
        opened = case_open(
            request=IntakeRequest(
                email=payload.customer.email,
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
            ),
            actor_label=f"API key {key.name}",
        )
        return 201, CaseOut.of(opened.case, remedies=opened.remedies).model_dump(mode="json")

    return run_idempotent(request, key, work)


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="Get a case")
def get_case(request: HttpRequest, case_id: UUID):  # type: ignore[no-untyped-def]
    return CaseOut.of(_case(case_id))


class CaseFilters(Schema):
    status: str | None = None
    language: str | None = None
    channel: str | None = None
    customer_email: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    cursor: str | None = None
    limit: int = 50


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, _sep, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(stamp), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, "The cursor is not one this API gave out.") from None


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="List cases, newest first")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):  # type: ignore[no-untyped-def]
    if not 1 <= filters.limit <= 200:
        raise HttpError(400, "limit must be between 1 and 200.")
    cases = Case.objects.select_related("customer", "team", "assignee", "triage").prefetch_related("remedies")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.language:
        cases = cases.filter(language=filters.language.lower())
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.customer_email:
        cases = cases.filter(customer__email=filters.customer_email.strip().lower())
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
        last = page[-1]
        next_cursor = base64.urlsafe_b64encode(f"{last.created_at.isoformat()}|{last.pk}".encode()).decode()
    return CasePage(items=[CaseOut.of(c) for c in page], next_cursor=next_cursor)


@router.post(
    "/cases/{case_id}/messages",
    response={201: MessageOut, **ERRORS, 422: ReplyRefusedOut},
    summary="Add a message to a case",
    description="A reply is coached before it is sent, as in the console: one that blames the customer, argues, "
    "asks for proof, is angry or promises more than an agent may grant (an API key holds an agent's authority) is "
    "refused with 422 and the coach's findings, and nothing is sent, unless `override` is true; an override is "
    "recorded on the case's timeline. Customer messages and notes are not coached.",
)
def add_message(request: HttpRequest, case_id: UUID, payload: MessageIn):  # type: ignore[no-untyped-def]
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    try:
        case = _case(case_id)
    except Http404:
        raise HttpError(404, "No case has this id.") from None
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
