"""Remedies over the REST API. An API key speaks for an integration, which holds an agent's authority (like its
replies); a signed-in member of staff (the console's session, with its CSRF token) acts as themselves, so a manager
can approve or reject here too. Thin: validate, find, one service, serialise."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from ninja.security import SessionAuth

from amends.accounts.models import User
from amends.api.auth import ApiKeyAuth
from amends.api.idempotency import run_idempotent
from amends.api.models import ApiKey
from amends.cases.models import Case
from amends.cases.schemas import ErrorOut

from . import codes
from .models import Remedy
from .schemas import (
    ChooseIn,
    FulfilmentIn,
    FulfilmentOut,
    GrantOut,
    OfferedOut,
    OfferIn,
    ProposeIn,
    ReasonIn,
    RemedyOut,
)
from .services import (
    GrantResult,
    RemedyRefused,
    remedy_approve,
    remedy_choose,
    remedy_grant,
    remedy_offer,
    remedy_propose,
    remedy_reject,
    remedy_settle,
    remedy_withdraw,
)


class StaffSession(SessionAuth):
    """A signed-in member of staff (agent, manager, administrator): the console's own session, CSRF-checked."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if isinstance(user, User) and user.is_active and user.role in User.Role.values:
            return user
        return None


router = Router(tags=["remedies"], auth=[ApiKeyAuth(), StaffSession()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut}


def _who(request: HttpRequest) -> tuple[User | None, str]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, User):
        return caller, caller.display_name
    return None, f"API key {caller.name}"


def _run(request: HttpRequest, work: Any) -> Any:
    """With an API key, POSTs honour Idempotency-Key; a person's session has none."""
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiKey):
        return run_idempotent(request, caller, work)
    status, body = work()
    return status, body


def _case(case_id: UUID) -> Case:
    case = Case.objects.select_related("customer", "brand", "team").filter(public_id=case_id).first()
    if case is None:
        raise HttpError(404, _("No case has this id."))
    return case


def _remedy(remedy_id: UUID) -> Remedy:
    remedy = (
        Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team")
        .filter(public_id=remedy_id)
        .first()
    )
    if remedy is None:
        raise HttpError(404, _("No remedy has this id."))
    return remedy


def _out(remedy: Remedy) -> dict[str, Any]:
    return RemedyOut.of(remedy, remedy.case.language).model_dump(mode="json")


def _grant_out(result: GrantResult) -> dict[str, Any]:
    return GrantOut(
        remedy=RemedyOut.of(result.remedy, result.remedy.case.language),
        granted=result.granted,
        approval_requested=result.approval is not None and not result.granted,
        refused_by=result.refused_by or None,
        budget_warning=result.budget_warning or None,
        code=codes.group(result.code.code) if result.code else None,
    ).model_dump(mode="json")


@router.get("/cases/{case_id}/remedies", response={200: list[RemedyOut], **ERRORS}, summary="A case's remedies")
def list_remedies(request: HttpRequest, case_id: UUID):  # type: ignore[no-untyped-def]
    case = _case(case_id)
    return [RemedyOut.of(r, case.language) for r in case.remedies.order_by("position", "id")]


@router.post(
    "/cases/{case_id}/remedies",
    response={201: RemedyOut, **WRITE_ERRORS},
    summary="Propose a remedy of your own",
    description="Held to the active policy's caps: a negative, zero, non-numeric or absurd value, one above a cap "
    "or in a currency without a rate is refused with 422 and the reason.",
)
def propose(request: HttpRequest, case_id: UUID, payload: ProposeIn):  # type: ignore[no-untyped-def]
    case = _case(case_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        remedy = remedy_propose(
            actor=actor,
            case=case,
            kind=payload.kind,
            value=payload.value,
            currency=payload.currency or "",
            actor_label=label,
        )
        return 201, _out(remedy)

    return _run(request, work)


@router.post(
    "/cases/{case_id}/remedies/offer",
    response={200: OfferedOut, **WRITE_ERRORS},
    summary="Offer proposed options to the customer",
    description="The customer gets an e-mail with one link per option; the case's first offer is recorded.",
)
def offer(request: HttpRequest, case_id: UUID, payload: OfferIn):  # type: ignore[no-untyped-def]
    case = _case(case_id)
    actor, label = _who(request)

    def work() -> tuple[int, Any]:
        chosen = None
        if payload.remedies is not None:
            chosen = list(Remedy.objects.filter(case=case, public_id__in=payload.remedies))
            if len(chosen) != len(set(payload.remedies)):
                raise HttpError(404, _("Not every id names a remedy of this case."))
        offered = remedy_offer(actor=actor, case=case, remedies=chosen, actor_label=label)
        return 200, OfferedOut(remedies=[RemedyOut.of(r, case.language) for r in offered]).model_dump(mode="json")

    return _run(request, work)


@router.post(
    "/remedies/{remedy_id}/grant",
    response={200: GrantOut, **WRITE_ERRORS},
    summary="Grant a remedy",
    description="Within the granter's authority (an API key holds an agent's: per case and per day) and the team's "
    "monthly budget, it is granted: the customer is told and `remedy.granted` goes to the shop. Above them it "
    "becomes an approval request for a manager (`granted: false`). Two grants at once: one wins, the other gets 409.",
)
def grant(request: HttpRequest, remedy_id: UUID):  # type: ignore[no-untyped-def]
    remedy = _remedy(remedy_id)
    actor, label = _who(request)
    return _run(request, lambda: (200, _grant_out(remedy_grant(actor=actor, remedy=remedy, actor_label=label))))


def _manager(request: HttpRequest) -> User:
    actor, _label = _who(request)
    if actor is None or not actor.is_manager:
        raise RemedyRefused(
            "not_manager",
            _("Only a manager may approve or reject a remedy; an API key holds an agent's authority."),
        )
    return actor


@router.post(
    "/remedies/{remedy_id}/approve",
    response={200: GrantOut, **WRITE_ERRORS},
    summary="Approve a remedy above someone's authority (managers)",
    description="A manager's session only: an API key holds an agent's authority and is refused with 403.",
)
def approve(request: HttpRequest, remedy_id: UUID, payload: ReasonIn):  # type: ignore[no-untyped-def]
    remedy = _remedy(remedy_id)
    manager = _manager(request)
    return _run(
        request, lambda: (200, _grant_out(remedy_approve(actor=manager, remedy=remedy, reason=payload.reason or "")))
    )


@router.post(
    "/remedies/{remedy_id}/reject",
    response={200: RemedyOut, **WRITE_ERRORS},
    summary="Reject a remedy above someone's authority (managers), with a reason",
)
def reject(request: HttpRequest, remedy_id: UUID, payload: ReasonIn):  # type: ignore[no-untyped-def]
    remedy = _remedy(remedy_id)
    manager = _manager(request)

    def work() -> tuple[int, dict[str, Any]]:
        remedy_reject(actor=manager, remedy=remedy, reason=payload.reason or "")
        return 200, _out(remedy)

    return _run(request, work)


@router.post(
    "/remedies/{remedy_id}/withdraw",
    response={200: RemedyOut, **WRITE_ERRORS},
    summary="Withdraw an option before it is granted",
)
def withdraw(request: HttpRequest, remedy_id: UUID, payload: ReasonIn):  # type: ignore[no-untyped-def]
    remedy = _remedy(remedy_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        remedy_withdraw(actor=actor, remedy=remedy, reason=payload.reason or "", actor_label=label)
        return 200, _out(remedy)

    return _run(request, work)


@router.post(
    "/remedies/choose",
    response={200: GrantOut, **WRITE_ERRORS},
    summary="Choose an option with the customer's signed link",
    description="For a shop that shows the options itself: the token of the customer's choice link. A link works "
    "once: a forged or truncated one is 404, an expired one 410, one for an option already chosen, declined or "
    "never offered 409.",
)
def choose(request: HttpRequest, payload: ChooseIn):  # type: ignore[no-untyped-def]
    slot = str(payload.slot) if payload.slot else None
    return _run(request, lambda: (200, _grant_out(remedy_choose(token=payload.token, slot=slot))))


@router.post(
    "/remedies/{remedy_id}/fulfilment",
    response={200: FulfilmentOut, **WRITE_ERRORS},
    summary="Report a granted remedy fulfilled or failed",
    description="Idempotent: the same report again answers 200 with `changed: false`; the opposite report about a "
    "settled remedy, or a report about a remedy not granted, is 409.",
)
def fulfilment(request: HttpRequest, remedy_id: UUID, payload: FulfilmentIn):  # type: ignore[no-untyped-def]
    remedy = _remedy(remedy_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        settled, changed = remedy_settle(
            remedy=remedy, status=payload.status, reason=payload.reason or "", actor=actor, actor_label=label
        )
        return 200, FulfilmentOut(remedy=RemedyOut.of(settled, settled.case.language), changed=changed).model_dump(
            mode="json"
        )

    return _run(request, work)
