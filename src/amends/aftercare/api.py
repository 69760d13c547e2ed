"""Aftercare over the REST API: surveys (for connectors that ask in their own channel), root causes and their
corrective actions, advocates, and the shop's orders. An API key speaks for the company (like an integration);
a signed-in member of staff acts as themselves (a manager may verify). Thin: validate, find, one service."""

import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticError

from amends.accounts.models import Team, User
from amends.api.auth import ApiKeyAuth
from amends.api.edge import WHOLE, JsonParser, Refused, refusal, schema_errors
from amends.api.idempotency import run_idempotent
from amends.api.models import ApiKey
from amends.cases.lifecycle import OPEN
from amends.cases.models import Case
from amends.cases.schemas import ErrorOut
from amends.core import display
from amends.customers.services import MAX_ORDERS, OrderRow, orders_record
from amends.remedies.api import StaffSession

from . import advocates as advocate_services
from . import selectors, services, surveys
from .models import CorrectiveAction, RootCause, RootCauseCategory, Survey
from .schemas import (
    ActionIn,
    ActionOut,
    AdvocateOut,
    CategoryOut,
    OrderRowIn,
    OrdersIn,
    OrdersOut,
    RootCauseIn,
    RootCauseOut,
    StatusIn,
    SurveyAnswerIn,
    SurveyAnswerOut,
    SurveyOut,
)

router = Router(tags=["aftercare"], auth=[ApiKeyAuth(), StaffSession()])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut, 410: ErrorOut, 413: ErrorOut, 415: ErrorOut}


def _who(request: HttpRequest) -> tuple[User | None, str]:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, User):
        return caller, caller.display_name
    return None, f"API key {caller.name}"


def _run(request: HttpRequest, work: Any) -> Any:
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiKey):
        return run_idempotent(request, caller, work)
    return work()


def _case(case_id: UUID) -> Case:
    case = Case.objects.select_related("customer", "brand", "assignee").filter(public_id=case_id).first()
    if case is None:
        raise HttpError(404, _("No case has this id."))
    return case


def _action_out(action: CorrectiveAction, today: date) -> dict[str, Any]:
    return ActionOut(
        id=action.public_id,
        root_cause=action.root_cause.public_id,
        what=action.what,
        team=action.team.name,
        due_date=action.due_date,
        status=action.status,  # type: ignore[arg-type]
        overdue=action.due_date < today and action.status not in services.FIXED,
        done_at=action.done_at,
        verified_at=action.verified_at,
    ).model_dump(mode="json")


def _root_out(root: RootCause) -> dict[str, Any]:
    today = timezone.localdate()
    return RootCauseOut(
        id=root.public_id,
        category=root.category.slug,
        category_name=display.root_cause_category_label(root.category),
        text=root.text,
        case=root.case.public_id if root.case else None,
        entities=list(root.entities or []),
        created_at=root.created_at,
        actions=[ActionOut(**_action_out(a, today)) for a in root.actions.all()],
    ).model_dump(mode="json")


def _survey_out(survey: Survey) -> dict[str, Any]:
    return SurveyOut(
        id=survey.public_id,
        case=survey.case.public_id,
        state=survey.state,  # type: ignore[arg-type]
        language=survey.language,
        due_at=survey.due_at,
        sent_at=survey.sent_at,
        reminder_sent_at=survey.reminder_sent_at,
        expires_at=survey.expires_at,
        answered_at=survey.answered_at,
        answered_via=survey.answered_via or None,
        satisfaction=survey.satisfaction,
        remedy_worth=survey.remedy_worth or None,  # type: ignore[arg-type]
        recommend=survey.recommend,
        comment=survey.comment or None,
        dissatisfied=survey.dissatisfied,
    ).model_dump(mode="json")


def _validation(exc: ValidationError) -> Refused:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {WHOLE: list(exc.messages)}
    return refusal(errors)


# ---------------------------------------------------------------- surveys


@router.get("/cases/{case_id}/survey", response={200: SurveyOut, **ERRORS}, summary="A case's latest survey")
def get_survey(request: HttpRequest, case_id: UUID):  # type: ignore[no-untyped-def]
    survey = selectors.case_survey(case=_case(case_id))
    if survey is None:
        raise HttpError(404, _("This case has no survey: it is sent once the case is resolved."))
    return _survey_out(survey)


@router.post(
    "/cases/{case_id}/survey/answer",
    response={200: SurveyAnswerOut, **WRITE_ERRORS},
    summary="Record the customer's survey answer (a connector that asked in its own channel)",
    description="Once: a second answer is a 409 and the first stands. 409 too when the case was reopened since the "
    "survey, 410 when its links expired. A dissatisfied answer (1-2, or a detractor 0-6 with negative words) "
    "reopens the case (`reopened: true`).",
)
def answer_survey(request: HttpRequest, case_id: UUID, payload: SurveyAnswerIn):  # type: ignore[no-untyped-def]
    case = _case(case_id)
    survey = selectors.case_survey(case=case)
    if survey is None:
        raise HttpError(404, _("This case has no survey: it is sent once the case is resolved."))

    def work() -> tuple[int, dict[str, Any]]:
        try:
            result = surveys.survey_answer(
                survey=survey,
                satisfaction=payload.satisfaction,
                via=Survey.Via.API,
                remedy_worth=payload.remedy_worth or "",
                recommend=payload.recommend,
                comment=payload.comment or "",
            )
        except surveys.SurveyRefused as exc:
            raise Refused(exc.status, exc.message, {WHOLE: [exc.message]}) from None
        except ValidationError as exc:
            raise _validation(exc) from None
        return 200, {"survey": _survey_out(result.survey), "reopened": result.reopened}

    return _run(request, work)


# ---------------------------------------------------------------- root causes and corrective actions


@router.get("/root-cause-categories", response={200: list[CategoryOut], **ERRORS}, summary="The root-cause taxonomy")
def list_categories(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [
        CategoryOut(slug=c.slug, name=display.root_cause_category_label(c), is_active=c.is_active)
        for c in RootCauseCategory.objects.all()
    ]


@router.get(
    "/cases/{case_id}/root-causes", response={200: list[RootCauseOut], **ERRORS}, summary="A case's root causes"
)
def list_root_causes(request: HttpRequest, case_id: UUID):  # type: ignore[no-untyped-def]
    case = _case(case_id)
    return [_root_out(r) for r in selectors.root_causes_with_actions().filter(case=case)]


def _specs(actions: list[ActionIn]) -> list[services.ActionSpec]:
    teams = {t.name: t.pk for t in Team.objects.filter(name__in=[a.team for a in actions])}
    return [services.ActionSpec(what=a.what, team_id=teams.get(a.team), due_date=a.due_date) for a in actions]


@router.post(
    "/cases/{case_id}/root-causes",
    response={201: RootCauseOut, **WRITE_ERRORS},
    summary="Record a resolved case's root cause, with corrective actions",
    description="Only on a resolved or closed case (409 on an open one). All or nothing: an action due in the past "
    "or owned by an unknown team is a 422 naming it (`actions.0.due_date`), and nothing is stored.",
)
def record_root_cause(request: HttpRequest, case_id: UUID, payload: RootCauseIn):  # type: ignore[no-untyped-def]
    case = _case(case_id)
    actor, label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        if case.status in OPEN:
            message = _("The case is still open: record its root cause when it is resolved.")
            raise Refused(409, message, {"case": [message]})
        try:
            root = services.root_cause_record(
                category=payload.category,
                text=payload.text,
                actor=actor,
                actor_label=label,
                case=case,
                actions=_specs(payload.actions),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "case" in exc.error_dict:
                message = exc.message_dict["case"][0]
                raise Refused(409, message, {"case": [message]}) from None
            raise _validation(exc) from None
        return 201, _root_out(selectors.root_causes_with_actions().get(pk=root.pk))

    return _run(request, work)


@router.post(
    "/root-causes/{root_cause_id}/actions",
    response={201: ActionOut, **WRITE_ERRORS},
    summary="Add a corrective action to a root cause",
)
def add_action(request: HttpRequest, root_cause_id: UUID, payload: ActionIn):  # type: ignore[no-untyped-def]
    root = RootCause.objects.filter(public_id=root_cause_id).first()
    if root is None:
        raise HttpError(404, _("No root cause has this id."))
    actor, _label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        try:
            action = services.corrective_action_add(root_cause=root, spec=_specs([payload])[0], actor=actor)
        except ValidationError as exc:
            raise _validation(exc) from None
        return 201, _action_out(
            CorrectiveAction.objects.select_related("team", "root_cause").get(pk=action.pk), timezone.localdate()
        )

    return _run(request, work)


@router.get(
    "/corrective-actions",
    response={200: list[ActionOut], **ERRORS},
    summary="Corrective actions not yet verified, overdue first",
)
def list_actions(request: HttpRequest):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    rows = CorrectiveAction.objects.exclude(status=CorrectiveAction.Status.VERIFIED).select_related(
        "team", "root_cause"
    )
    ordered = sorted(
        rows[:1000], key=lambda a: (not (a.due_date < today and a.status not in services.FIXED), a.due_date, a.pk)
    )
    return [_action_out(a, today) for a in ordered]


@router.post(
    "/corrective-actions/{action_id}/status",
    response={200: ActionOut, **WRITE_ERRORS},
    summary="Move a corrective action forward",
    description="open → in_progress → done → verified, forward only (409 otherwise). Verifying is a manager's "
    "(a manager's session; an API key is refused with 403).",
)
def advance_action(request: HttpRequest, action_id: UUID, payload: StatusIn):  # type: ignore[no-untyped-def]
    action = CorrectiveAction.objects.filter(public_id=action_id).first()
    if action is None:
        raise HttpError(404, _("No corrective action has this id."))
    actor, _label = _who(request)

    def work() -> tuple[int, dict[str, Any]]:
        try:
            moved = services.corrective_action_advance(action=action, to=payload.status, actor=actor)
        except services.ActionRefused as exc:
            raise Refused(exc.status, exc.message) from None
        fresh = CorrectiveAction.objects.select_related("team", "root_cause").get(pk=moved.pk)
        return 200, _action_out(fresh, timezone.localdate())

    return _run(request, work)


# ---------------------------------------------------------------- advocates


@router.get(
    "/advocates", response={200: list[AdvocateOut], **ERRORS}, summary="Customers whose complaint ended in delight"
)
def list_advocates(request: HttpRequest, limit: int = Query(50, ge=1, le=200)):  # type: ignore[no-untyped-def]
    actor, _label = _who(request)
    if actor is not None and not actor.is_manager:
        raise HttpError(403, _("Only a manager (or an API key) may list advocates."))
    found = advocate_services.advocates_find(actor=actor, limit=limit)
    return [
        AdvocateOut(
            customer=a.customer.public_id,
            email=a.customer.email,
            name=a.customer.name,
            case=a.case.public_id,
            satisfaction=a.survey.satisfaction or 0,
            recommend=a.survey.recommend or 0,
            reasons=a.reasons,
            orders_after=a.orders_after,
            actions=[x.kind for x in a.actions],
        )
        for a in found
    ]


# ---------------------------------------------------------------- orders

NDJSON = "application/x-ndjson"


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """Pydantic's schema with its local $defs written in place: the body is described here, not by a parameter."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


def _body_schema(model: Any) -> dict[str, Any]:
    schema = model.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


ORDERS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            # NDJSON (one OrderRowIn a line) is accepted too, as the description says; the document names JSON
            # only, the one body form generated clients and the API's fuzzing run can build.
            "application/json": {"schema": _body_schema(OrdersIn)},
        },
    }
}


def _rows(request: HttpRequest) -> list[Any]:
    """The batch as JSON ({"orders": [...]}) or NDJSON (one order object a line)."""
    if request.content_type == NDJSON:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, _("The request body is not valid UTF-8.")) from None
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line, parse_float=Decimal))
            except ValueError:
                raise Refused(400, _("Line %(line)s of the body is not a JSON object.") % {"line": number}) from None
        if not rows:
            raise refusal({WHOLE: [_("Send at least one order.")]})
        return rows
    body = JsonParser().parse_body(request)
    unknown = set(body) - {"orders"}
    if unknown:
        raise refusal({sorted(unknown)[0]: [_("This field is not part of the API; check its name.")]})
    orders = body.get("orders")
    if not isinstance(orders, list) or not orders:
        raise refusal({"orders": [_("Send the orders as a list of at least one.")]})
    return orders


@router.post(
    "/orders",
    response={200: OrdersOut, 201: OrdersOut, **WRITE_ERRORS},
    summary="Report orders (a batch; JSON or NDJSON)",
    description='Up to 1,000 orders, as `{"orders": [...]}` (application/json) or one order object a line '
    "(application/x-ndjson). Idempotent by `external_id`: an order reported again with the same facts is "
    "`unchanged`. All or nothing: a row naming an unknown customer, or an order reported before with other facts, "
    "is a 422 naming the row (`orders.3.customer`) and nothing of the batch is stored. 201 when something was "
    "stored, 200 when everything was known already.",
    openapi_extra=ORDERS_BODY,
)
def report_orders(request: HttpRequest):  # type: ignore[no-untyped-def]
    raw = _rows(request)
    if len(raw) > MAX_ORDERS:
        raise refusal({"orders": [_("At most %(n)s orders in one batch.") % {"n": MAX_ORDERS}]})
    errors: dict[str, list[str]] = {}
    rows: list[OrderRow] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"orders.{index}"] = [_("Give a JSON object here.")]
            continue
        try:
            row = OrderRowIn.model_validate(item)
        except PydanticError as exc:
            for field, messages in schema_errors([dict(e) for e in exc.errors()]).items():
                errors[f"orders.{index}.{field}" if field != WHOLE else f"orders.{index}"] = messages
            continue
        rows.append(
            OrderRow(
                external_id=row.external_id,
                placed_at=row.placed_at,
                value=row.value,
                currency=row.currency,
                customer_external_id=row.customer_external_id or "",
                customer_email=row.customer_email or "",
            )
        )
    if errors:
        raise refusal(errors)

    def work() -> tuple[int, dict[str, Any]]:
        outcome = orders_record(rows=rows)
        if outcome.errors:
            raise refusal(
                {f"orders.{i}.{field}": msgs for i, fields in outcome.errors.items() for field, msgs in fields.items()}
            )
        return (201 if outcome.created else 200), {"created": outcome.created, "unchanged": outcome.unchanged}

    return _run(request, work)
