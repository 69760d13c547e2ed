"""The site works without the internet: no page loads anything from another host; the favicon is ours."""

import re
from pathlib import Path

import pytest
from django.test import Client

APP = Path(__file__).resolve().parents[2]
# A URL another host would serve, in a template or our stylesheet/script (src, href, url(), @import).
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?https?:""")


def test_no_template_or_static_file_loads_from_another_host():
    files = [*APP.glob("*/templates/**/*.html"), *APP.glob("*/static/**/*.css"), *APP.glob("*/static/**/*.js")]
    assert files
    offenders = [str(f.relative_to(APP)) for f in files if REMOTE.search(f.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.django_db
def test_the_favicon_is_served_and_linked():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
    page = Client().get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert Client().post("/favicon.ico").status_code == 405
