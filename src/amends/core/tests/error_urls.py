"""The project's URLs and error handlers, plus views that fail on purpose (for test_errors only)."""

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from amends.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for agents")


def bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("no such filter")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered signature")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("database password is hunter2")


urlpatterns = [
    path("test/forbidden/", forbidden),
    path("test/bad/", bad),
    path("test/suspicious/", suspicious),
    path("test/broken/", broken),
    *urlpatterns,
]
