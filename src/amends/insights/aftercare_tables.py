"""The review's table of corrective actions (aftercare): those due, done or still open in the period."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from amends.aftercare.models import CorrectiveAction

from .period import Period
from .services import day_bounds
from .tables import Table

REVIEW_ROWS = 200  # a review lists actions, it does not dump them: the console's list has the rest


def corrective_actions_table(period: Period, *, rows: int | None = None) -> Table:
    """The first `rows` actions by due date; when there are more, the table's note says how many in words."""
    rows = REVIEW_ROWS if rows is None else rows
    start, _end = day_bounds(period.start)
    _start, end = day_bounds(period.end)
    in_period = CorrectiveAction.objects.filter(
        Q(created_at__gte=start, created_at__lt=end)
        | Q(done_at__gte=start, done_at__lt=end)
        | Q(status__in=["open", "in_progress"], created_at__lt=end)
    )
    actions = list(
        in_period.select_related("root_cause__category", "team")
        .annotate(since=Count("root_cause__recurrences"))
        .order_by("due_date", "id")[: rows + 1]
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
    if len(actions) > rows:
        actions = actions[:rows]
        more = in_period.count() - rows
        table.note = npgettext(
            "insights",
            "%(n)s more corrective action of the period is not listed here; the list of corrective actions has "
            "all of them.",
            "%(n)s more corrective actions of the period are not listed here; the list of corrective actions has "
            "all of them.",
            more,
        ) % {"n": more}
    for action in actions:
        table.rows.append(
            [
                action.what,
                _(action.root_cause.category.name),
                action.team.name,
                date_format(action.due_date, "SHORT_DATE_FORMAT"),
                action.get_status_display(),
                action.since,  # type: ignore[attr-defined]
            ]
        )
    return table
