"""Aftercare on other apps' pages (the case page, the status page, a playbook) without those apps importing
aftercare: their templates load this library, and the arrows stay aftercare → cases/portal/playbooks."""

from typing import Any

from django import template
from django.utils import timezone

from amends.core import display

from .. import selectors
from ..models import Survey

register = template.Library()

register.filter("root_cause_category", display.root_cause_category_label)
register.filter("action_status", display.action_status_label)
register.filter("survey_state", display.survey_state_label)
register.filter("survey_via", display.survey_via_label)
register.filter("remedy_worth", display.remedy_worth_label)
register.filter("advocate_kind", display.advocate_kind_label)
register.filter("recurrence_match", display.recurrence_match_label)


@register.inclusion_tag("aftercare/_case_panel.html", takes_context=True)
def aftercare_case_panel(context: template.Context, case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = selectors.case_panel(actor=user, case=case, today=timezone.localdate())  # type: ignore[arg-type]
    return {
        "panel": panel,
        "case": case,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "form_errors": context.get("root_cause_errors"),
    }


@register.inclusion_tag("aftercare/_status_survey.html", takes_context=True)
def aftercare_status_survey(context: template.Context, case: Any) -> dict[str, Any]:
    """The survey on the customer's status page: open to answer while it is, thanked once answered."""
    survey = selectors.case_survey(case=case)
    open_now = (
        survey is not None
        and survey.state in (Survey.State.SENT, Survey.State.SCHEDULED)
        and survey.resolved_at == case.resolved_at
        and case.status in ("resolved", "closed")
        and (survey.expires_at is None or survey.expires_at > timezone.now())
    )
    return {"survey": survey, "open": open_now, "case": case, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("aftercare/_playbook_root_causes.html")
def aftercare_playbook_root_causes(category: Any) -> dict[str, Any]:
    category_id = getattr(category, "pk", None)
    return {"root_causes": selectors.category_root_causes(category_id=category_id) if category_id else []}
