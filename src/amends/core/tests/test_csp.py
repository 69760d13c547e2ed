"""Every page carries the strict Content-Security-Policy; the pages have no inline script or style that it would
block. The routes are read from the URL configuration, so a new page is covered without touching this test."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from amends.brands.selectors import brand_default
from amends.conftest import open_case
from amends.replies.models import ReplyTemplate

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# A <script> without src runs inline, unless it only carries data (type="application/json").
INLINE = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>|<style\b|\sstyle=|\son[a-z]+=', re.I)


def routes(patterns: list | None = None, prefix: str = "") -> list[str]:
    """Every route in the URL configuration, e.g. 'console/cases/<uuid:public_id>/'."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in header.split("; ") if " " in d}


def fill(route: str, public_id: uuid.UUID) -> str:
    samples = {"uuid": str(public_id), "int": "1", "str": "acknowledgement", "path": "x", "slug": "x"}
    # Regular-expression routes, each with a path that reaches it.
    regex_samples = {r"^api/(?P<path>.*)$": "api/no-such-endpoint"}
    if route in regex_samples:
        return "/" + regex_samples[route]
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples[m.group(1) or "str"], route)
    assert not any(c in path for c in "^$()[]\\"), f"a regular-expression route needs a sample: {route}"
    return "/" + path


def test_every_route_answers_with_the_strict_policy(manager):
    case = open_case().case
    signed_in = Client()
    signed_in.force_login(manager)
    every = routes()
    assert len(every) > 30
    for route in every:
        for client in (Client(), signed_in):
            response = client.get(fill(route, case.public_id))
            assert policy(response) == STRICT, f"{route} answered {response.status_code} without the policy"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_pages_themselves_have_no_inline_script_or_style(manager, language):
    opened = open_case()
    staff = Client(headers={"Accept-Language": language})
    staff.force_login(manager)
    customer = Client(headers={"Accept-Language": language})
    customer.get(opened.status_url.removeprefix("http://127.0.0.1:8000"))
    template = ReplyTemplate.objects.first()
    assert template is not None
    pages = [
        (Client(), reverse("intake:complaint")),
        (Client(), reverse("accounts:login")),
        (customer, reverse("portal:status", args=[opened.case.public_id])),
        (staff, reverse("cases:inbox")),
        (staff, reverse("cases:case", args=[opened.case.public_id])),
        (staff, reverse("cases:outbox")),
        (staff, reverse("triage:taxonomy")),
        (staff, reverse("triage:clusters")),
        (staff, reverse("replies:templates")),
        (staff, reverse("replies:template", args=[template.pk])),
        (staff, reverse("brands:list")),
        (staff, reverse("brands:edit", args=[brand_default().pk])),
        (staff, reverse("authority")),
        (staff, reverse("sign_ins")),
        (staff, "/api/v1/docs"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == STRICT, url
        html = response.content.decode()
        assert not INLINE.findall(html), f"{url} has inline script or style: {INLINE.findall(html)}"


def test_the_thanks_page_has_the_policy_too():
    client = Client(enforce_csrf_checks=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/").content.decode()).group(1)
    response = client.post(
        "/", {"csrfmiddlewaretoken": token, "description": "The parcel never came.", "email": "a@example.com"}
    )
    assert response.status_code == 200 and 'data-testid="reference"' in response.content.decode()
    assert policy(response) == STRICT
    assert not INLINE.findall(response.content.decode())


def test_the_api_docs_load_swagger_from_this_site_not_a_cdn():
    html = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html
