"""Console: the team's appointment calendar. Agents keep their own team's, managers every team's. Thin: validate,
check access, one service, render."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.models import Team, User
from amends.cases.views import actor, staff_required

from .forms import SeriesForm, SlotForm
from .models import AppointmentSlot
from .slots import Series
from .slots_service import SlotError, calendar_teams, slot_add, slot_remove, slot_series_add, team_slots


def _team(user: User, raw: str | None) -> tuple[list[Team], Team]:
    teams = calendar_teams(actor=user)
    if not teams:
        raise PermissionDenied
    if raw:
        chosen = next((t for t in teams if str(t.pk) == raw), None)
        if chosen is None:
            raise Http404("no such team")
        return teams, chosen
    own = next((t for t in teams if t.pk == user.team_id), None)
    return teams, own or teams[0]


def _page(
    request: HttpRequest, team: Team, teams: list[Team], slot_form: SlotForm, series_form: SeriesForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "remedies/calendar.html",
        {
            "team": team,
            "teams": teams,
            "slots": list(team_slots(team=team)),
            "slot_form": slot_form,
            "series_form": series_form,
        },
        status=status,
    )


def _back(team_id: int) -> HttpResponse:
    return redirect(f"{reverse('remedies:calendar')}?team={team_id}")


@staff_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    teams, team = _team(actor(request), request.GET.get("team"))
    return _page(request, team, teams, SlotForm(), SeriesForm())


def _aware(day: object, moment: object) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))  # type: ignore[arg-type]


@require_POST
@staff_required
def slot_add_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    teams, team = _team(user, request.POST.get("team"))
    form = SlotForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            slot_add(
                actor=user,
                team=team,
                starts_at=_aware(data["day"], data["start"]),
                ends_at=_aware(data["day"], data["end"]),
                capacity=data["capacity"],
            )
        except SlotError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The slot is in the calendar."))
            return _back(team.pk)
    return _page(request, team, teams, form, SeriesForm(), status=422)


@require_POST
@staff_required
def series_add_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    teams, team = _team(user, request.POST.get("team"))
    form = SeriesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        series = Series(
            first=data["first"],
            last=data["last"],
            weekdays=frozenset(int(d) for d in data["weekdays"]),
            day_start=data["day_start"],
            day_end=data["day_end"],
            minutes=data["minutes"],
        )
        try:
            added = slot_series_add(
                actor=user, team=team, series=series, tz=timezone.get_current_timezone(), capacity=data["capacity"]
            )
        except SlotError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(n)s slot(s) added to the calendar.") % {"n": added})
            return _back(team.pk)
    return _page(request, team, teams, SlotForm(), form, status=422)


@require_POST
@staff_required
def slot_remove_view(request: HttpRequest, slot_id: uuid.UUID) -> HttpResponse:
    user = actor(request)
    slot = AppointmentSlot.objects.select_related("team").filter(public_id=slot_id).first()
    if slot is None or slot.team not in calendar_teams(actor=user):
        raise Http404("no such slot")
    try:
        slot_remove(actor=user, slot=slot)
    except SlotError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The slot is removed."))
    return _back(slot.team_id)
