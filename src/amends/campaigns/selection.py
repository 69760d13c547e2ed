"""Naming an incident's affected customers by a selection over what amends already holds, beside the CSV upload and
the NDJSON batch: everyone who complained about the incident, or everyone with an order the shop reported through
the API (customers.Order) placed in the incident's window.

The window is the incident's own, start to end, both ends included (an incident with no end yet runs until now),
or one the manager gives. A customer found twice, or named already by another source, is one affected customer
(the unique (incident, customer) constraint, ON CONFLICT DO NOTHING). A customer known only by a handle on a public
platform has no address to write to: they are counted and left out, as the complainants are (the brand answers
them in their thread). A selection that finds nobody stores nothing and says so.

Orders carry no products or services, so the selection cannot narrow by the ones the incident names; the window
decides alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.customers.models import Customer, Order
from amends.incidents.models import Incident

from .affected import affected_add_complainants
from .models import AffectedCustomer, Campaign


class SelectionRefused(Exception):
    """The selection cannot run as asked; `message` says why, `field` names the input at fault ("" for none)."""

    def __init__(self, message: str, *, field: str = "", conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.conflict = conflict  # the campaign's state refuses it (409), not the input (422)


@dataclass(frozen=True)
class Selected:
    source: str  # complainants or orders
    found: int  # customers the selection found
    added: int  # affected customers new to the incident
    already_named: int  # found, with an address, and named before (by any source)
    without_email: int  # found, but known only by a handle: not written to
    start: datetime | None
    end: datetime | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "found": self.found,
            "added": self.added,
            "already_named": self.already_named,
            "without_email": self.without_email,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "message": self.message,
        }


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _open_list(incident: Incident) -> None:
    """Refuse once the campaign has started. Called inside the transaction that adds: the campaign's row is
    locked, so a start (which locks it too) comes wholly before or wholly after the customers added."""
    campaign = Campaign.objects.select_for_update().filter(incident=incident).only("state").first()
    if campaign is not None and campaign.state != Campaign.State.DRAFT:
        raise SelectionRefused(
            _("The apology campaign has started: its list of customers is fixed, so nobody can be added."),
            conflict=True,
        )


def selection_window(
    *, incident: Incident, start: datetime | None = None, end: datetime | None = None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The window orders are looked for in: the one given, else the incident's (until now while it goes on)."""
    for name, value in (("start", start), ("end", end)):
        if value is not None and timezone.is_naive(value):
            raise SelectionRefused(
                _("Give the time with its time zone, e.g. 2026-05-01T10:00:00Z."),
                field=name,
            )
    now = now or timezone.now()
    start = start or incident.started_at
    end = end or incident.ended_at or now
    if end < start:
        raise SelectionRefused(
            _("The window ends (%(end)s) before it starts (%(start)s).") % {"end": _when(end), "start": _when(start)},
            field="end",
        )
    return start, end


def _ordered_in(start: datetime, end: datetime) -> tuple[int, int]:
    """Customers with an order in the window, and how many of them have no e-mail address: one pass over the
    window's orders (the placed_at index)."""
    counts = Order.objects.filter(placed_at__gte=start, placed_at__lte=end).aggregate(
        found=Count("customer_id", distinct=True),
        without_email=Count("customer_id", distinct=True, filter=Q(customer__email__isnull=True)),
    )
    return counts["found"], counts["without_email"]


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def affected_select_orders(
    *, incident: Incident, start: datetime | None = None, end: datetime | None = None, now: datetime | None = None
) -> Selected:
    """Everyone with an order placed in the window becomes affected (see the module's docstring)."""
    with transaction.atomic():
        _open_list(incident)
    start, end = selection_window(incident=incident, start=start, end=end, now=now)
    total, without_email = _ordered_in(start, end)
    added = 0
    if total > without_email:
        orders, customers, affected = _table(Order), _table(Customer), _table(AffectedCustomer)
        adapt = connection.ops.adapt_datetimefield_value
        # One statement, set-wise: a sale day's hundred thousand orders are not read into Python. The order
        # reference is one of the customer's orders in the window (the greatest number).
        with transaction.atomic(), connection.cursor() as cursor:
            _open_list(incident)
            cursor.execute(
                f"INSERT INTO {affected} (incident_id, customer_id, name, language, order_reference, source, "  # noqa: S608
                f"created_at) SELECT %s, c.id, c.name, c.preferred_language, MAX(o.external_id), %s, %s "
                f"FROM {orders} o JOIN {customers} c ON c.id = o.customer_id "
                f"WHERE o.placed_at >= %s AND o.placed_at <= %s AND c.email IS NOT NULL "
                f"GROUP BY c.id, c.name, c.preferred_language "
                f"ON CONFLICT (incident_id, customer_id) DO NOTHING",
                [incident.pk, AffectedCustomer.Source.ORDERS, adapt(timezone.now()), adapt(start), adapt(end)],
            )
            added = cursor.rowcount
    already = total - without_email - added
    window = {"start": _when(start), "end": _when(end)}
    if not total:
        message = _("Nobody ordered between %(start)s and %(end)s: nobody was added.") % window
    elif total == without_email:
        message = ngettext(
            "%(n)s customer ordered between %(start)s and %(end)s, but has no e-mail address to write to: "
            "nobody was added.",
            "%(n)s customers ordered between %(start)s and %(end)s, but none has an e-mail address to write to: "
            "nobody was added.",
            total,
        ) % {"n": total, **window}
    else:
        message = _(
            "%(added)s customers who ordered between %(start)s and %(end)s were added; %(already)s were named "
            "already; %(without)s have no e-mail address to write to."
        ) % {"added": added, "already": already, "without": without_email, **window}
    return Selected(
        source="orders",
        found=total,
        added=added,
        already_named=already,
        without_email=without_email,
        start=start,
        end=end,
        message=message,
    )


def affected_select_complainants(*, incident: Incident) -> Selected:
    """Everyone who complained in the incident's cases or its cluster (affected.affected_add_complainants), with
    the counts the manager and the API are told."""
    with transaction.atomic():
        _open_list(incident)
    cases = Q(cases__incident_link__incident=incident)
    if incident.cluster_id:
        cases |= Q(cases__triage__cluster_id=incident.cluster_id)
    found = Customer.objects.filter(cases).distinct()
    total = found.count()
    without_email = found.filter(email__isnull=True).count() if total else 0
    added = 0
    if total > without_email:
        with transaction.atomic():
            _open_list(incident)
            added = affected_add_complainants(incident=incident)
    already = total - without_email - added
    if not total:
        message = _("Nobody has complained about this incident yet: nobody was added.")
    else:
        message = _(
            "%(added)s customers who complained were added; %(already)s were named already; %(without)s have no "
            "e-mail address to write to (the brand answers them in their thread)."
        ) % {"added": added, "already": already, "without": without_email}
    return Selected(
        source="complainants",
        found=total,
        added=added,
        already_named=already,
        without_email=without_email,
        start=None,
        end=None,
        message=message,
    )


def orders_in_window_count(*, incident: Incident, start: datetime | None = None, end: datetime | None = None) -> int:
    """How many customers ordered in the window (the console shows it as the manager sets the window)."""
    start, end = selection_window(incident=incident, start=start, end=end)
    return _ordered_in(start, end)[0]
