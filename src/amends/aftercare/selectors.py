"""Reads for aftercare pages and the API. Each takes the acting user where access differs."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case as When_
from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value, When

from amends.accounts.models import Team, User
from amends.cases.lifecycle import OPEN
from amends.cases.models import Case
from amends.customers.selectors import ValueAround, customer_value_around

from .models import CorrectiveAction, Recurrence, RootCause, RootCauseCategory, Survey
from .services import FIXED


def root_causes_with_actions() -> QuerySet[RootCause]:
    return RootCause.objects.select_related("category", "recorded_by", "case", "cluster", "incident").prefetch_related(
        Prefetch("actions", queryset=CorrectiveAction.objects.select_related("team").order_by("due_date", "id"))
    )


@dataclass
class CasePanel:
    case: Case
    can_record: bool
    root_causes: list[RootCause]
    recurrences: list[Recurrence]
    surveys: list[Survey]
    value: ValueAround
    categories: list[RootCauseCategory] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    today: date | None = None


def case_panel(*, actor: User, case: Case, today: date) -> CasePanel:
    """What the case page's aftercare panel shows (the caller already checked the actor may see the case)."""
    return CasePanel(
        case=case,
        can_record=case.status not in OPEN,
        root_causes=list(root_causes_with_actions().filter(case=case)),
        recurrences=list(Recurrence.objects.filter(case=case).select_related("root_cause", "root_cause__category")),
        surveys=list(Survey.objects.filter(case=case).order_by("-created_at")[:3]),
        value=customer_value_around(customer_id=case.customer_id, at=case.created_at),
        categories=list(RootCauseCategory.objects.filter(is_active=True)),
        teams=list(Team.objects.all()),
        today=today,
    )


def actions_open(*, actor: User, today: date) -> QuerySet[CorrectiveAction]:
    """Actions not yet verified, overdue first (due before today and not done), then by due date."""
    return (
        CorrectiveAction.objects.exclude(status=CorrectiveAction.Status.VERIFIED)
        .select_related("team", "root_cause", "root_cause__category", "root_cause__case")
        .annotate(
            overdue=When_(
                When(Q(due_date__lt=today) & ~Q(status__in=FIXED), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("overdue", "due_date", "id")
    )


def category_root_causes(*, category_id: int, limit: int = 20) -> list[RootCause]:
    """The root causes recorded for complaints of one category (its playbook page shows them)."""
    return list(root_causes_with_actions().filter(complaint_category_id=category_id)[:limit])


def case_survey(*, case: Case) -> Survey | None:
    return Survey.objects.filter(case=case).order_by("-created_at").first()
