"""The shop's side of an incident's apology: name the affected customers (NDJSON, idempotent), set the campaign
up, start, pause, resume or cancel it, and follow its progress."""

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field, StrictInt

from amends.api.edge import Refused
from amends.api.fields import Currency, Moment
from amends.api.idempotency import run_idempotent
from amends.api.models import ApiKey
from amends.cases.schemas import ErrorOut, InSchema
from amends.incidents.models import Incident

from .affected import affected_import
from .affected_rows import FileRefused, NotJson, read_ndjson
from .models import AffectedCustomer, Campaign
from .selection import SelectionRefused, affected_select_complainants, affected_select_orders
from .selectors import campaign_of, campaign_progress
from .services import (
    MAX_RATE,
    CampaignRefused,
    campaign_cancel,
    campaign_pause,
    campaign_resume,
    campaign_save,
    campaign_start,
)

router = Router(tags=["incidents"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut}
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")

_LINE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "email": {"type": "string", "maxLength": 254, "description": "Required unless external_id is given"},
        "external_id": {"type": "string", "maxLength": 100, "description": "A customer amends already knows"},
        "name": {"type": "string", "maxLength": 200},
        "language": {"type": "string", "maxLength": 16, "description": "en, ru, bg, sr, sr-latn or sk"},
        "order_reference": {"type": "string", "maxLength": 100},
    },
}


class RejectedLineOut(Schema):
    line: int
    reason: str


class AffectedImportOut(Schema):
    imported: bool
    rows: int = Field(description="Lines that named a customer")
    added: int = Field(description="Affected customers new to this incident")
    repeated: int = Field(description="Lines naming a customer already affected, or named twice")
    customers_created: int
    rejected_total: int
    rejected: list[RejectedLineOut]
    refused: str


class SelectionIn(InSchema):
    source: Literal["complainants", "orders"] = Field(
        description="complainants: everyone who complained in the incident's cases or its cluster. orders: everyone "
        "with an order (reported through POST /orders) placed in the window"
    )
    start: Moment | None = Field(
        default=None, description="orders only: the window's start (included); the incident's start if left out"
    )
    end: Moment | None = Field(
        default=None,
        description="orders only: the window's end (included); the incident's end if left out, or now while it goes on",
    )


class SelectionOut(Schema):
    source: Literal["complainants", "orders"]
    found: int = Field(description="Customers the selection found")
    added: int = Field(description="Affected customers new to this incident")
    already_named: int = Field(description="Found, and named as affected before (by any source)")
    without_email: int = Field(description="Found, but known only by a handle on a platform: not written to")
    start: str | None = Field(description="The window searched (orders)")
    end: str | None
    message: str = Field(description="What happened, in words (also when nobody was found)")


class ProgressOut(Schema):
    state: Literal["draft", "sending", "paused", "cancelled", "done"]
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    bounced: int
    suppressed: int
    cancelled: int
    rate: float = Field(description="Messages a second over the last 10 seconds")
    seconds_left: int | None


class CampaignOut(Schema):
    id: UUID
    incident_id: UUID
    state: Literal["draft", "sending", "paused", "cancelled", "done"]
    remedy_kind: Literal["discount_code", "store_credit"]
    percent: Decimal | None
    amount: Decimal | None
    currency: str
    valid_until: str
    rate: int
    affected: int
    progress: ProgressOut | None


class CampaignIn(InSchema):
    remedy_kind: Literal["discount_code", "store_credit"]
    percent: Decimal | None = Field(default=None, gt=0, le=100, max_digits=5, decimal_places=2)
    amount: Decimal | None = Field(default=None, gt=0, lt=Decimal("1000000000"), max_digits=14, decimal_places=3)
    currency: Currency | None = None
    valid_until: date = Field(description="The last day the codes work; after today")
    rate: StrictInt = Field(ge=1, le=MAX_RATE, description="Messages a second")


def _incident(incident_id: UUID) -> Incident:
    incident = Incident.objects.filter(public_id=incident_id).first()
    if incident is None:
        raise HttpError(404, _("No incident has this id."))
    return incident


def _out(campaign: Campaign) -> dict:
    progress = campaign_progress(campaign).as_dict() if campaign.state != Campaign.State.DRAFT else None
    return CampaignOut(
        id=campaign.public_id,
        incident_id=campaign.incident.public_id,
        state=campaign.state,  # type: ignore[arg-type]
        remedy_kind=campaign.remedy_kind,  # type: ignore[arg-type]
        percent=campaign.percent,
        amount=campaign.amount,
        currency=campaign.currency,
        valid_until=campaign.valid_until.date().isoformat(),
        rate=campaign.rate,
        affected=AffectedCustomer.objects.filter(incident_id=campaign.incident_id).count(),
        progress=progress,  # type: ignore[arg-type]
    ).model_dump(mode="json")


@router.post(
    "/incidents/{incident_id}/affected",
    response={200: AffectedImportOut, **WRITE_ERRORS},
    summary="Name affected customers (NDJSON)",
    description="One JSON object a line (`Content-Type: application/x-ndjson`), each naming a customer by "
    "`email` (created if new) or by `external_id` (one amends knows), with optional `name`, `language` and "
    "`order_reference`. All or nothing: a line that is not JSON answers 400 naming it; a line that breaks a rule "
    "answers 422 with every such line in `errors` (`line 3`), and nothing is stored. A customer named twice, or "
    "already affected, is one affected customer, so sending the same batch again changes nothing; with an "
    "Idempotency-Key the first answer is replayed.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "array", "items": _LINE_SCHEMA}}},
        }
    },
)
def affected_add(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    incident = _incident(incident_id)
    if request.content_type not in NDJSON_TYPES:
        raise Refused(415, _("Send one JSON object a line, with Content-Type: application/x-ndjson."))

    def work() -> tuple[int, dict]:
        try:
            rows = read_ndjson(request.body, max_rows=settings.CAMPAIGN_MAX_ROWS)
        except NotJson as exc:
            raise Refused(400, str(exc), {_("line %(n)s") % {"n": exc.line}: [str(exc)]}) from None
        except FileRefused as exc:
            raise Refused(422, str(exc)) from None
        if not rows:
            raise Refused(422, _("The body names no customer: send one JSON object a line."))
        report = affected_import(incident=incident, rows=rows, source=AffectedCustomer.Source.API)
        if not report.imported:
            errors = {_("line %(n)s") % {"n": r.line}: [r.reason] for r in report.rejected} or {
                "__all__": [report.refused]
            }
            first = report.rejected[0] if report.rejected else None
            detail = (
                _("Line %(line)s: %(reason)s") % {"line": first.line, "reason": first.reason}
                if first
                else report.refused
            )
            raise Refused(422, detail, errors)
        return 200, report.as_dict()

    return run_idempotent(request, key, work)


@router.post(
    "/incidents/{incident_id}/affected/selection",
    response={200: SelectionOut, **WRITE_ERRORS},
    summary="Name affected customers by a selection",
    description="Adds everyone the selection finds: `complainants` (everyone who complained about the incident) or "
    "`orders` (everyone with an order placed in the window, both ends included: the incident's start and end, "
    "now while it goes on, or the `start` and `end` given). A customer found twice or named before is one "
    "affected customer, so running it again adds nobody; a customer known only by a handle is counted in "
    "`without_email` and not added. A selection that finds nobody stores nothing and says so in `message`. "
    "409 once the campaign has started.",
)
def affected_select(request: HttpRequest, incident_id: UUID, payload: SelectionIn):  # type: ignore[no-untyped-def]
    incident = _incident(incident_id)
    if payload.source == "complainants" and (payload.start or payload.end):
        raise Refused(
            422,
            _("A window applies to orders only: leave start and end out for the complainants."),
            {"start" if payload.start else "end": [_("A window applies to orders only.")]},
        )
    try:
        if payload.source == "orders":
            selected = affected_select_orders(incident=incident, start=payload.start, end=payload.end)
        else:
            selected = affected_select_complainants(incident=incident)
    except SelectionRefused as exc:
        if exc.conflict:
            raise Refused(409, exc.message) from None
        raise Refused(422, exc.message, {exc.field: [exc.message]} if exc.field else None) from None
    return 200, selected.as_dict()


@router.post(
    "/incidents/{incident_id}/campaign",
    response={200: CampaignOut, **WRITE_ERRORS},
    summary="Set up the incident's apology campaign",
    description="Creates the campaign, or changes it while it is a draft: the remedy (a discount code or store "
    "credit, worth `percent` or `amount` of `currency`), the last day its codes work, and the rate in messages a "
    "second. Once started only the rate may change (this call changes it and nothing else).",
)
def campaign_put(request: HttpRequest, incident_id: UUID, payload: CampaignIn):  # type: ignore[no-untyped-def]
    incident = _incident(incident_id)
    existing = campaign_of(incident)
    if existing is not None and existing.state in (Campaign.State.SENDING, Campaign.State.PAUSED):
        Campaign.objects.filter(pk=existing.pk).update(rate=payload.rate)
        existing.refresh_from_db()
        return JsonResponse(_out(existing))
    try:
        campaign = campaign_save(
            incident=incident,
            remedy_kind=payload.remedy_kind,
            percent=payload.percent,
            amount=payload.amount,
            currency=payload.currency or "",
            valid_until=payload.valid_until,
            rate=payload.rate,
        )
    except CampaignRefused as exc:
        raise HttpError(409, exc.message) from None
    return JsonResponse(_out(campaign))


@router.get(
    "/incidents/{incident_id}/campaign",
    response={200: CampaignOut, **ERRORS},
    summary="The campaign and its progress",
)
def campaign_get(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    campaign = campaign_of(_incident(incident_id))
    if campaign is None:
        raise HttpError(404, _("This incident has no campaign yet."))
    return JsonResponse(_out(campaign))


def _action(incident_id: UUID, action: str) -> JsonResponse:
    campaign = campaign_of(_incident(incident_id))
    if campaign is None:
        raise HttpError(404, _("This incident has no campaign yet."))
    try:
        if action == "start":
            campaign_start(campaign=campaign)
        elif action == "pause":
            campaign_pause(campaign=campaign)
        elif action == "resume":
            campaign_resume(campaign=campaign)
        else:
            campaign_cancel(campaign=campaign)
    except CampaignRefused as exc:
        raise HttpError(409, exc.message) from None
    campaign.refresh_from_db()
    return JsonResponse(_out(campaign))


@router.post(
    "/incidents/{incident_id}/campaign/start",
    response={200: CampaignOut, **WRITE_ERRORS},
    summary="Start sending",
    description="Writes a message with a unique code for every affected customer (suppressed addresses are "
    "skipped) and starts sending at the campaign's rate. A campaign is started once: a second start answers 409, "
    "so nobody gets two apologies; so does an incident with nobody affected.",
)
def campaign_start_api(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    return _action(incident_id, "start")


@router.post(
    "/incidents/{incident_id}/campaign/pause",
    response={200: CampaignOut, **WRITE_ERRORS},
    summary="Pause sending",
)
def campaign_pause_api(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    return _action(incident_id, "pause")


@router.post(
    "/incidents/{incident_id}/campaign/resume",
    response={200: CampaignOut, **WRITE_ERRORS},
    summary="Resume sending",
)
def campaign_resume_api(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    return _action(incident_id, "resume")


@router.post(
    "/incidents/{incident_id}/campaign/cancel",
    response={200: CampaignOut, **WRITE_ERRORS},
    summary="Cancel what is not sent yet",
    description="Messages not yet sent are cancelled and their codes withdrawn; a batch in flight finishes.",
)
def campaign_cancel_api(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    return _action(incident_id, "cancel")
