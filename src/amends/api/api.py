"""The REST API: /api/v1/, API keys as bearer tokens, OpenAPI at /api/v1/openapi.json."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaError

from amends.cases.api import router as cases_router
from amends.cases.lifecycle import IllegalTransition
from amends.cases.services import ReplyBlocked
from amends.remedies.api import router as remedies_router
from amends.remedies.lifecycle import IllegalTransition as IllegalRemedyTransition
from amends.remedies.services import RemedyError
from amends.replies.api import router as coach_router

from .auth import ApiKeyAuth

api = NinjaAPI(
    title="amends",
    version="1",
    description="Service recovery: open and follow complaint cases. Authenticate with `Authorization: Bearer KEY` "
    "(keys come from `manage.py createapikey NAME`). POST requests accept an `Idempotency-Key` header.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
)
api.add_router("/", cases_router)
api.add_router("/", coach_router)
api.add_router("/", remedies_router)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        first = next(iter(errors.items()))
        detail = f"{first[0]}: {first[1][0]}"
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
        detail = errors["__all__"][0]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(SchemaError)
def invalid_shape(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query"))
        errors.setdefault(location or "__all__", []).append(error.get("msg", "invalid"))
    first = next(iter(errors.items()), ("__all__", ["invalid request"]))
    return api.create_response(request, {"detail": f"{first[0]}: {first[1][0]}", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("A valid API key is required: send the header Authorization: Bearer KEY.")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(IllegalTransition)
def illegal_transition(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(RemedyError)
def remedy_refused(request: HttpRequest, exc: RemedyError) -> HttpResponse:
    # A conflict (409), a refusal (403), a bad value (422), a bad choice link (404, 410, 409): nothing was changed.
    return api.create_response(request, {"detail": exc.message, "errors": {exc.code: [exc.message]}}, status=exc.status)


@api.exception_handler(IllegalRemedyTransition)
def illegal_remedy_transition(request: HttpRequest, exc: IllegalRemedyTransition) -> HttpResponse:
    detail = _("A remedy cannot go from %(current)s to %(target)s; nothing was changed.") % {
        "current": exc.current,
        "target": exc.target,
    }
    return api.create_response(request, {"detail": detail}, status=409)


@api.exception_handler(ReplyBlocked)
def reply_blocked(request: HttpRequest, exc: ReplyBlocked) -> HttpResponse:
    # Raised inside the idempotent work, so no Idempotency-Key record is kept: the same key may carry the fix.
    rules = ", ".join(f.rule for f in exc.findings)
    detail = _(
        "The coach refused this reply (%(rules)s): nothing was sent. Fix it, or send it again with override "
        "set to true to take responsibility; the override is recorded on the case."
    ) % {"rules": rules}
    return api.create_response(
        request,
        {
            "detail": detail,
            "errors": {"body": [f.message for f in exc.findings]},
            "findings": [asdict(f) for f in exc.findings],
        },
        status=422,
    )
