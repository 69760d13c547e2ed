"""The review's table of corrective actions (aftercare): those due, done or still open in the period."""

from __future__ import annotations

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from amends.aftercare.models import CorrectiveAction

from .period import Period
from .services import day_bounds
from .tables import Table

REVIEW_ROWS = 200  # a review lists actions, it does not dump them: the console's list has the rest


def corrective_actions_table(period: Period) -> Table:
    start, _end = day_bounds(period.start)
    _start, end = day_bounds(period.end)
    actions = (
        CorrectiveAction.objects.filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(done_at__gte=start, done_at__lt=end)
            | Q(status__in=["open", "in_progress"], created_at__lt=end)
        )
        .select_related("root_cause__category", "team")
        .order_by("due_date", "id")[:REVIEW_ROWS]
    )
    table = Table(
        "corrective-actions",
        pgettext("insights", "Corrective actions"),
        [
            pgettext("insights", "Action"),
            pgettext("insights", "Root cause"),
            _("Team"),
            _("Due"),
            _("Status"),
            pgettext("insights", "Recurrences since"),
        ],
    )
    for action in actions:
        since = action.root_cause.recurrences.count()
        table.rows.append(
            [
                action.what,
                _(action.root_cause.category.name),
                action.team.name,
                date_format(action.due_date, "SHORT_DATE_FORMAT"),
                action.get_status_display(),
                since,
            ]
        )
    return table
