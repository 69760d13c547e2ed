"""`{{ case.public_id|case_url }}`: the console link of a case, as `{% url 'cases:case' case.public_id %}` writes it.

Pages that list hundreds of cases (the clusters page shows a thousand) spent a fifth of their time in reverse();
the path differs from case to case only in the id, so it is reversed once per script prefix and the id put in.
"""

import unicodedata
import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django import template
from django.template.defaultfilters import truncatechars
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from amends.core.display import language_label

register = template.Library()

_PLACEHOLDER = uuid.UUID(int=0)


@lru_cache(maxsize=16)
def _around(prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The case path before and after its id (the prefix and urlconf are the cache's key: reverse reads them)."""
    path = reverse("cases:case", args=[_PLACEHOLDER])
    before, after = path.split(str(_PLACEHOLDER))
    return before, after


@register.filter
def case_url(public_id: uuid.UUID | str) -> str:
    before, after = _around(get_script_prefix(), get_urlconf())
    return f"{before}{uuid.UUID(str(public_id))}{after}"


@register.filter
def case_items(cases: Iterable[Any]) -> SafeString:
    """`<li>` of each case (anything with public_id, reference, language and subject): its linked reference, its
    language and its subject cut at 80 characters. Written here, not in a template loop, for the lists of a
    thousand cases (the clusters page)."""
    return format_html_join(
        "",
        '<li><a href="{}" class="reference">{}</a> <span class="badge">{}</span> {}</li>',
        (
            (case_url(case.public_id), case.reference, language_label(case.language), _cut(case.subject, 80))
            for case in cases
        ),
    )


def _cut(text: str, length: int) -> str:
    """As the truncatechars filter, which walks every character even of a text shorter than `length`: NFC, then
    cut only if it is longer (the filter counts no combining marks, so a text this short is never cut)."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else truncatechars(text, length)
