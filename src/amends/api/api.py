"""The REST API: /api/v1/, API keys as bearer tokens, OpenAPI at /api/v1/openapi.json."""

from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from amends.aftercare.api import router as aftercare_router
from amends.campaigns.api import router as campaigns_router
from amends.cases.api import router as cases_router
from amends.cases.lifecycle import IllegalTransition
from amends.cases.services import ReplyBlocked
from amends.incidents.api import router as incidents_router
from amends.incidents.services import IncidentRefused
from amends.insights.api import router as insights_router
from amends.playbooks.api import router as playbooks_router
from amends.remedies.api import router as remedies_router
from amends.remedies.codes_api import router as codes_router
from amends.remedies.lifecycle import IllegalTransition as IllegalRemedyTransition
from amends.remedies.services import RemedyError
from amends.replies.api import router as coach_router

from .auth import ApiKeyAuth
from .edge import WHOLE, JsonParser, Refused, refusal, schema_errors

api = NinjaAPI(
    title="amends",
    version="1",
    description="Service recovery: open and follow complaint cases. Authenticate with `Authorization: Bearer KEY` "
    "(keys come from `manage.py createapikey NAME`). POST requests accept an `Idempotency-Key` header.\n\n"
    "Request bodies are JSON objects in UTF-8 (`Content-Type: application/json`; anything else is a 415). Text "
    "must be valid Unicode without NUL characters: a lone UTF-16 surrogate such as `\\ud800`, or bytes that are "
    "not UTF-8, are refused, never stored. A field the API does not know is refused by name.\n\n"
    "Every refusal is an `ErrorOut` in the caller's language (`Accept-Language`): `detail` for a person, and "
    "`errors` naming each field at fault. 400: the request cannot be read (not JSON, not UTF-8, a cursor this "
    "API did not give out); 401: no valid API key; 403: a role may not do that; 404: no such case or incident; "
    "409: the case or incident cannot do that now, or an "
    "Idempotency-Key reused with another request; 413: the body is over 3 MB; 415: not JSON; 422: a field "
    "breaks a rule of this document.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
    parser=JsonParser(),
)
api.add_router("/", cases_router)
api.add_router("/", coach_router)
api.add_router("/", playbooks_router)
api.add_router("/", codes_router)
api.add_router("/", campaigns_router)


def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(Refused)
def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return _refused(request, exc)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja turns any failure to read the body into a 400 "Cannot parse request body"; the parser's own
    # refusal (415, 400 with the reason, 422 naming the field) travels as its cause.
    if isinstance(exc.__cause__, Refused):
        return _refused(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/", remedies_router)
api.add_router("/", aftercare_router)
api.add_router("/", incidents_router)


@api.exception_handler(IncidentRefused)
def incident_refused(request: HttpRequest, exc: IncidentRefused) -> HttpResponse:
    # A role (403), an unknown cluster (404) or the incident's state (409): nothing was changed.
    return api.create_response(request, {"detail": exc.message, "errors": {exc.code: [exc.message]}}, status=exc.status)


api.add_router("/", insights_router)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    else:
        errors = {WHOLE: [str(m) for m in exc.messages]}
    return _refused(request, refusal(errors))


@api.exception_handler(SchemaError)
def invalid_shape(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors = schema_errors(list(exc.errors)) or {WHOLE: [_("The request is not valid.")]}
    return _refused(request, refusal(errors))


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    return api.create_response(
        request, {"detail": _("The request body is larger than %(limit)s MB.") % {"limit": limit}}, status=413
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("A valid API key is required: send the header Authorization: Bearer KEY.")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(IllegalTransition)
def illegal_transition(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
    message = _("This case cannot go from %(current)s to %(target)s.") % {"current": exc.current, "target": exc.target}
    return api.create_response(request, {"detail": message}, status=409)


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


def no_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything under /api/ that is no endpoint (a case id with a slash in it, a typo): JSON like every answer
    of the API, not the site's HTML page."""
    return JsonResponse({"detail": _("There is no API endpoint at this address.")}, status=404)
