"""The case page's "part of incident X" banner. A template tag, so the case page shows it without the cases app
importing incidents (incidents builds on cases, never the other way round)."""

from typing import Any

from django import template

from amends.cases.models import Case

from ..drafts import remedy_words
from ..selectors import incident_for_case

register = template.Library()


@register.inclusion_tag("incidents/_case_banner.html")
def incident_banner(case: Case) -> dict[str, Any]:
    incident = incident_for_case(case=case)
    return {"case": case, "incident": incident, "remedy": remedy_words(incident) if incident else ""}
