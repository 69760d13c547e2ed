"""Refusals are logged in one line; a server error with its traceback and an id that its page shows."""

import logging
import re
import sys

import pytest
from django.test import Client

from amends.core.errors import RefusalsInOneLine

pytestmark = [pytest.mark.django_db, pytest.mark.urls("amends.core.tests.error_urls")]


def records_for(caplog, path: str) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.name.startswith("django.") and path in r.getMessage()]


@pytest.mark.parametrize(
    ("path", "status", "logger", "reason"),
    [
        ("/test/forbidden/", 403, "django.request", "not for agents"),
        ("/test/bad/", 400, "django.request", "no such filter"),
        ("/test/suspicious/", 400, "django.security.SuspiciousOperation", "tampered signature"),
    ],
)
def test_a_refusal_is_logged_in_one_line_without_a_traceback(caplog, path, status, logger, reason):
    caplog.set_level(logging.WARNING)
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    [record] = records_for(caplog, path)
    assert record.name == logger and reason in record.getMessage()
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert reason not in response.content.decode()


def test_a_disallowed_host_is_one_line_too(caplog):
    caplog.set_level(logging.WARNING)
    response = Client().get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    [record] = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert record.exc_info is None and "evil.example" in record.getMessage()


def test_a_console_refusal_is_one_line(caplog, agent_client):
    caplog.set_level(logging.WARNING)
    assert agent_client.get("/console/outbox/").status_code == 403
    [record] = records_for(caplog, "/console/outbox/")
    assert record.exc_info is None and record.levelname == "WARNING"


def test_a_failed_csrf_check_is_a_plain_page_and_one_line(caplog):
    caplog.set_level(logging.WARNING)
    response = Client(enforce_csrf_checks=True).post("/", {"description": "x", "email": "a@example.com"})
    assert response.status_code == 403 and "The form has expired" in response.content.decode()
    [record] = records_for(caplog, "CSRF")
    assert record.exc_info is None and record.name == "django.security.csrf"


def test_a_server_error_is_logged_with_its_traceback_and_the_id_its_page_shows(caplog):
    caplog.set_level(logging.WARNING)
    response = Client(raise_request_exception=False).get("/test/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    error_id = re.search(r'data-testid="error-id">([0-9a-f]{12})<', html).group(1)
    [record] = records_for(caplog, "/test/broken/")  # logged once: Django does not log it a second time
    assert record.levelname == "ERROR" and f"[error {error_id}]" in record.getMessage()
    assert record.exc_info is not None and "hunter2" in caplog.text  # the traceback is in the log ...
    assert "hunter2" not in html and "RuntimeError" not in html  # ... and nothing of it on the page


def test_each_server_error_has_its_own_id_and_the_page_speaks_the_visitors_language():
    client = Client(raise_request_exception=False, headers={"Accept-Language": "ru"})
    pages = [client.get("/test/broken/").content.decode() for _ in range(2)]
    ids = [re.search(r'data-testid="error-id">(\w+)<', page).group(1) for page in pages]
    assert ids[0] != ids[1]
    assert "Номер ошибки" in pages[0] and 'lang="ru"' in pages[0]


def test_the_console_handler_drops_tracebacks_of_refusals_whoever_logs_them():
    try:
        raise ValueError("inside")
    except ValueError:
        exc_info = sys.exc_info()
    refusal = logging.makeLogRecord({"msg": "Forbidden", "exc_info": exc_info, "status_code": 403})
    failure = logging.makeLogRecord({"msg": "Boom", "exc_info": exc_info, "status_code": 500})
    keep = RefusalsInOneLine()
    assert keep.filter(refusal) and keep.filter(failure)
    assert refusal.exc_info is None and failure.exc_info is not None


def test_an_unknown_page_is_a_plain_404():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404 and "There is no page at this address." in response.content.decode()
