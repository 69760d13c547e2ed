"""Incidents over the REST API. An API key speaks for an integration (a shop's monitoring declares an outage); a
signed-in member of staff acts as themselves, and only a manager may write (an agent is refused with 403). Thin:
validate, find, one service, serialise."""

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from amends.accounts.models import User
from amends.api.auth import ApiKeyAuth
from amends.api.fields import NO_NUL, DocumentPattern
from amends.api.idempotency import run_idempotent
from amends.api.models import ApiKey
from amends.cases.models import Case
from amends.cases.schemas import ErrorOut
from amends.remedies.api import StaffSession

from .models import Incident
from .schemas import (
    IncidentIn,
    IncidentOut,
    IncidentPage,
    LinkIn,
    LinkOut,
    PublishIn,
    PublishOut,
    ResolveIn,
    UpdateIn,
    UpdateOut,
)
from .services import incident_declare, incident_link_case, incident_publish, incident_resolve, incident_update

router = Router(tags=["incidents"], auth=[ApiKeyAuth(), StaffSession()])
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}
CURSOR = DocumentPattern(r"^[A-Za-z0-9_-]*={0,2}$")


def _who(request: HttpRequest) -> tuple[User | None, str]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, User):
        return caller, ""
    return None, f"API key {caller.name}"


def _run(request: HttpRequest, work: Any) -> Any:
    """With an API key, POSTs honour Idempotency-Key; a person's session has none."""
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiKey):
        return run_idempotent(request, caller, work)
    return work()


def _incident(incident_id: UUID) -> Incident:
    incident = Incident.objects.select_related("category", "cluster", "brand").filter(public_id=incident_id).first()
    if incident is None:
        raise HttpError(404, _("No incident has this id."))
    return incident


def _out(incident: Incident) -> dict[str, Any]:
    return IncidentOut.of(incident, cases=incident.links.count()).model_dump(mode="json")


@router.post(
    "/incidents",
    response={201: IncidentOut, **WRITE_ERRORS},
    summary="Declare an incident",
    description="Refused with 422 and the field at fault: an end before the start, a start in the future, an "
    "unknown category, a discount above 100 %. Complaints that arrive later and name its entities within its "
    "window are linked to it automatically.",
)
def declare(request: HttpRequest, payload: IncidentIn):  # type: ignore[no-untyped-def]
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        incident = incident_declare(
            actor=actor,
            title=payload.title,
            summary=payload.summary,
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            entities=payload.entities,
            severity=payload.severity,
            category=payload.category or "",
            remedy_kind=payload.remedy_kind.value if payload.remedy_kind else "",
            remedy_value=payload.remedy_value,
            actor_label=label,
        )
        return 201, IncidentOut.of(incident, cases=0).model_dump(mode="json")

    return _run(request, work)


class IncidentFilters(Schema):
    state: Incident.State | None = None
    cursor: Annotated[str, Field(max_length=200), CURSOR, NO_NUL] | None = Field(
        default=None, description="The next_cursor of the page before"
    )
    limit: int = Field(default=50, ge=1, le=200)


def _encode_cursor(incident: Incident) -> str:
    return base64.urlsafe_b64encode(f"{incident.created_at.isoformat()}|{incident.pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, _sep, pk = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode().partition("|")
        moment, number = datetime.fromisoformat(stamp), int(pk)
        if moment.tzinfo is None or not 0 < number < 2**63:
            raise ValueError(cursor)
        return moment.astimezone(UTC), number
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, _("The cursor is not one this API gave out.")) from None


@router.get("/incidents", response={200: IncidentPage, **READ_ERRORS}, summary="List incidents, newest first")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]):  # type: ignore[no-untyped-def]
    incidents = Incident.objects.select_related("category", "cluster").annotate(complaints=Count("links"))
    if filters.state:
        incidents = incidents.filter(state=filters.state)
    if filters.cursor:
        stamp, pk = _decode_cursor(filters.cursor)
        incidents = incidents.filter(created_at__lte=stamp).exclude(created_at=stamp, id__gte=pk)
    page = list(incidents.order_by("-created_at", "-id")[: filters.limit + 1])
    next_cursor = None
    if len(page) > filters.limit:
        page = page[: filters.limit]
        next_cursor = _encode_cursor(page[-1])
    return IncidentPage(
        items=[IncidentOut.of(i, cases=i.complaints) for i in page],  # type: ignore[attr-defined]
        next_cursor=next_cursor,
    )


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **READ_ERRORS}, summary="Get an incident")
def get_incident(request: HttpRequest, incident_id: UUID):  # type: ignore[no-untyped-def]
    return _out(_incident(incident_id))


@router.post(
    "/incidents/{incident_id}/updates",
    response={201: UpdateOut, **WRITE_ERRORS},
    summary="Add an update to an incident's timeline",
)
def add_update(request: HttpRequest, incident_id: UUID, payload: UpdateIn):  # type: ignore[no-untyped-def]
    incident = _incident(incident_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        event = incident_update(
            incident=incident, actor=actor, body=payload.body, public=payload.public, actor_label=label
        )
        return 201, UpdateOut(
            kind=event.kind, body=event.body, public=event.public, created_at=event.created_at
        ).model_dump(mode="json")

    return _run(request, work)


@router.post(
    "/incidents/{incident_id}/resolve",
    response={200: IncidentOut, **WRITE_ERRORS},
    summary="Resolve an incident",
    description="Its end is now unless `ended_at` says otherwise (not before it started: 422). An incident "
    "resolved already is 409: nothing changes.",
)
def resolve(request: HttpRequest, incident_id: UUID, payload: ResolveIn):  # type: ignore[no-untyped-def]
    incident = _incident(incident_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        resolved = incident_resolve(
            incident=incident, actor=actor, body=payload.body, ended_at=payload.ended_at, actor_label=label
        )
        return 200, _out(resolved)

    return _run(request, work)


@router.post(
    "/incidents/{incident_id}/cases",
    response={200: LinkOut, **WRITE_ERRORS},
    summary="Link a case to an incident",
    description="Idempotent: a case linked already answers `created: false`. A case of another incident is 409 "
    "(a case belongs to one incident at most); an unknown case 404.",
)
def link_case(request: HttpRequest, incident_id: UUID, payload: LinkIn):  # type: ignore[no-untyped-def]
    incident = _incident(incident_id)
    actor, label = _who(request)
    case = Case.objects.filter(public_id=payload.case).first()
    if case is None:
        raise HttpError(404, _("No case has this id."))

    def work() -> tuple[int, dict[str, Any]]:
        linked = incident_link_case(incident=incident, case=case, actor=actor, actor_label=label)
        return 200, LinkOut(
            incident=incident.public_id, case=case.public_id, how=linked.link.how, created=linked.created
        ).model_dump(mode="json")

    return _run(request, work)


@router.post(
    "/incidents/{incident_id}/publish",
    response={200: PublishOut, **WRITE_ERRORS},
    summary="Publish an incident at a rung of the communication ladder",
    description="The public page /incidents/{slug} and its Atom feed go live with the statement in every "
    "language, and the signed `incident.published` webhook goes to the connectors. Publishing again answers "
    "`published: false` and sends nothing. A statement the coach blocks (blaming a supplier or the customers) "
    "is refused with 422 unless `override` is true.",
)
def publish(request: HttpRequest, incident_id: UUID, payload: PublishIn):  # type: ignore[no-untyped-def]
    incident = _incident(incident_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        result = incident_publish(
            incident=incident, actor=actor, level=payload.level, override=payload.override, actor_label=label
        )
        out = IncidentOut.of(result.incident, cases=result.incident.links.count())
        return 200, PublishOut(incident=out, published=result.published).model_dump(mode="json")

    return _run(request, work)
