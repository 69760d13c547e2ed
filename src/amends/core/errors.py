"""The pages for refusals and failures, and how they are logged.

A refusal (400, 403, a failed CSRF check) is an ordinary event: one line in the log, no traceback. A server error
(500) is logged with its traceback and a short id, and the page shows the same id so a person can quote it.
Django logs a response only if it was not logged already, so the handlers log themselves and mark it.

The pages stand alone (they do not extend base.html): a page for a failure must not fail in turn on what failed,
such as the database behind the session or the messages.
"""

import logging
import sys
import uuid

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _

request_logger = logging.getLogger("django.request")


def _page(status: int, title: str, message: str, error_id: str = "") -> HttpResponse:
    context = {"title": title, "message": message, "error_id": error_id, "LANGUAGE_CODE": get_language() or "en"}
    return HttpResponse(loader.get_template("core/error.html").render(context), status=status)


def _one_line(response: HttpResponse, request: HttpRequest, logger: logging.Logger, level: int, reason: str) -> None:
    reason = " ".join(reason.split())[:300]
    logger.log(
        level,
        "%s (%s): %s",
        response.reason_phrase,
        reason,
        request.path,
        extra={"status_code": response.status_code, "request": request},
    )
    response._has_been_logged = True  # type: ignore[attr-defined]


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    response = _page(400, _("Bad request"), _("The request could not be understood. Please go back and try again."))
    if isinstance(exception, SuspiciousOperation):
        # As Django does: django.security.<kind> at ERROR, so the suspicious ones can be watched apart.
        security = logging.getLogger(f"django.security.{exception.__class__.__name__}")
        _one_line(response, request, security, logging.ERROR, str(exception) or exception.__class__.__name__)
    else:
        _one_line(response, request, request_logger, logging.WARNING, str(exception) or "Bad request")
    return response


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    response = _page(403, _("Not allowed"), _("You may not see this page, or do this here."))
    _one_line(response, request, request_logger, logging.WARNING, str(exception) or "Permission denied")
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Django logs a 404 in one line itself.
    return _page(404, _("Not found"), _("There is no page at this address."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    response = _page(
        403,
        _("The form has expired"),
        _("The form was open too long or came from another page. Please go back, reload the page and try again."),
    )
    _one_line(response, request, logging.getLogger("django.security.csrf"), logging.WARNING, f"CSRF: {reason}")
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    error_id = uuid.uuid4().hex[:12]
    response = _page(
        500,
        _("Something went wrong on our side"),
        _("We could not finish this. Please try again in a moment; if it keeps failing, tell us this error number."),
        error_id,
    )
    request_logger.error(
        "Internal Server Error [error %s]: %s",
        error_id,
        request.path,
        exc_info=sys.exc_info(),
        extra={"status_code": 500, "request": request, "error_id": error_id},
    )
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class RefusalsInOneLine(logging.Filter):
    """A logging filter for the handlers: a record about a response below 500 keeps its line and drops any
    traceback, whoever logged it (a library's own handler, the debug pages)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
