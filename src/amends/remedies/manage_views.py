"""The managers' pages of the remedy engine: the policy (editor, check, preview, activate, import, export,
history), the rate table and the team budgets with personal authority. Managers only; thin: validate, one
service, render."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amends.accounts.models import Team, User
from amends.cases.views import actor, staff_required

from .models import ExchangeRate, PersonalAuthority, RemedyPolicy, TeamBudget
from .policy import Policy
from .policy_file import MAX_FILE_CHARS, PolicyFileError, Problem
from .policy_service import (
    PolicyConflict,
    month_of,
    personal_authority_remove,
    personal_authority_set,
    policy_activate,
    policy_check,
    rate_add,
    team_budget_set,
)
from .policy_words import policy_words
from .preview import policy_preview
from .selectors import BUDGET_WARNING_SHARE, month_start, policy_active, policy_parse, rate_table


def manager_required[R: HttpResponse](view: Callable[..., R]) -> Callable[..., R]:
    @staff_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> R:
        if not actor(request).is_manager:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# -- policy ---------------------------------------------------------------------------------------------------


def _words(record: RemedyPolicy | None) -> dict[str, object] | None:
    if record is None:
        return None
    try:
        return policy_words(policy_parse(record))
    except PolicyFileError:
        return None


def _policy_page(
    request: HttpRequest,
    *,
    draft: str,
    note: str = "",
    problems: list[Problem] | None = None,
    checked: bool = False,
    preview: Any = None,
    status: int = 200,
) -> HttpResponse:
    active = RemedyPolicy.objects.filter(is_active=True).select_related("created_by").first()
    history = RemedyPolicy.objects.select_related("created_by").order_by("-version")[:100]
    context = {
        "active": active,
        "words": _words(active),
        "history": history,
        "draft": draft,
        "note": note,
        "problems": problems or [],
        "checked": checked,
        "preview": preview,
        "max_chars": MAX_FILE_CHARS,
    }
    return render(request, "remedies/policy.html", context, status=status)


def _draft_from(request: HttpRequest) -> str:
    version = request.GET.get("from", "")
    record = None
    if version.isdigit():
        record = RemedyPolicy.objects.filter(version=int(version)).first()
    record = record or RemedyPolicy.objects.filter(is_active=True).first()
    return record.source if record else ""


@require_http_methods(["GET", "POST"])
@manager_required
def policy_view(request: HttpRequest) -> HttpResponse:
    """The active policy, its history, and the editor: check, preview or activate the draft."""
    if request.method == "GET":
        return _policy_page(request, draft=_draft_from(request))
    draft = request.POST.get("source", "")
    note = request.POST.get("note", "")
    action = request.POST.get("action", "check")
    try:
        policy = policy_check(source=draft)
    except PolicyFileError as error:
        return _policy_page(request, draft=draft, note=note, problems=error.problems, status=400)
    if action == "activate":
        try:
            record = policy_activate(actor=actor(request), source=draft, note=note)
        except PolicyFileError as error:
            return _policy_page(request, draft=draft, note=note, problems=error.problems, status=400)
        except ValidationError as error:
            problems = [Problem(None, "", m) for m in error.messages]
            return _policy_page(request, draft=draft, note=note, problems=problems, status=400)
        except PolicyConflict:
            messages.error(request, _("Another manager activated a version just now. Check the draft and try again."))
            return _policy_page(request, draft=draft, note=note, status=409)
        messages.success(
            request,
            _("Version %(n)s is active. Offers already made keep the values they were made with.")
            % {"n": record.version},
        )
        return redirect("remedies:policy")
    preview = _preview(policy) if action == "preview" else None
    return _policy_page(request, draft=draft, note=note, checked=True, preview=preview)


def _preview(draft: Policy) -> Any:
    active = policy_active()
    return policy_preview(
        draft=draft,
        active=active.policy if active else None,
        rates=rate_table(),
        active_version=active.version if active else None,
    )


@require_POST
@manager_required
def policy_import_view(request: HttpRequest) -> HttpResponse:
    """Put an uploaded .toml file into the editor, checked; it becomes active only when activated."""
    upload = request.FILES.get("file")
    if upload is None:
        problem = Problem(None, "", _("Choose a .toml file to import."))
        return _policy_page(request, draft=_draft_from(request), problems=[problem], status=400)
    if upload.size is not None and upload.size > MAX_FILE_CHARS:
        problem = Problem(None, "", _("The file is too large for a policy."))
        return _policy_page(request, draft=_draft_from(request), problems=[problem], status=400)
    try:
        draft = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = Problem(None, "", _("The file is not UTF-8 text: save it as UTF-8 and import it again."))
        return _policy_page(request, draft=_draft_from(request), problems=[problem], status=400)
    try:
        policy_check(source=draft)
    except PolicyFileError as error:
        return _policy_page(request, draft=draft, problems=error.problems, status=400)
    messages.success(request, _("The file is in the editor and has no problems. Preview it, then activate it."))
    return _policy_page(request, draft=draft, checked=True)


@require_GET
@manager_required
def policy_version_view(request: HttpRequest, version: int) -> HttpResponse:
    record = get_object_or_404(RemedyPolicy.objects.select_related("created_by"), version=version)
    return render(request, "remedies/policy_version.html", {"record": record, "words": _words(record)})


@require_GET
@manager_required
def policy_export_view(request: HttpRequest, version: int) -> HttpResponse:
    record = get_object_or_404(RemedyPolicy, version=version)
    response = HttpResponse(record.source, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="remedy-policy-v{record.version}.toml"'
    return response


# -- rates ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@manager_required
def rates_view(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values = {"currency": "", "valid_from": timezone.localdate().isoformat(), "rate": ""}
    if request.method == "POST":
        values = {name: request.POST.get(name, "")[:40] for name in values}
        try:
            row = rate_add(
                actor=actor(request),
                currency=values["currency"],
                valid_from=values["valid_from"],
                rate=values["rate"],
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(
                request,
                _("Rate added: 1 %(code)s = %(rate)s %(home)s from %(day)s.")
                % {
                    "code": row.currency,
                    "rate": row.rate.normalize(),
                    "home": settings.CURRENCY,
                    "day": row.valid_from,
                },
            )
            return redirect("remedies:rates")
    rates = ExchangeRate.objects.select_related("created_by").order_by("currency", "-valid_from")[:500]
    context = {"rates": rates, "errors": errors, "values": values, "home": settings.CURRENCY}
    return render(request, "remedies/rates.html", context, status=400 if errors else 200)


# -- budgets and personal authority ---------------------------------------------------------------------------


def _budget_rows(month: Any) -> list[dict[str, Any]]:
    budgets = {b.team_id: b for b in TeamBudget.objects.filter(month=month)}
    rows = []
    for team in Team.objects.order_by("name"):
        budget = budgets.get(team.pk)
        share = int(budget.spent * 100 / budget.amount) if budget and budget.amount else None
        over = bool(budget and budget.spent >= budget.amount)
        warn = bool(budget and not over and budget.amount and budget.spent >= budget.amount * BUDGET_WARNING_SHARE)
        rows.append({"team": team, "budget": budget, "share": share, "over": over, "warn": warn})
    return rows


@require_http_methods(["GET", "POST"])
@manager_required
def budgets_view(request: HttpRequest) -> HttpResponse:
    """Each team's remedy budget for a month (spent, share, warning at 80 %), and personal authority."""
    user = actor(request)
    month = month_of(request.GET.get("month", "")) or month_start()
    errors: dict[str, list[str]] = {}
    form = "budget"
    if request.method == "POST":
        form = request.POST.get("form", "budget")
        try:
            if form == "authority":
                person = User.objects.filter(pk=_int(request.POST.get("user"))).first()
                if person is None:
                    raise ValidationError({"user": [_("Choose a person.")]})
                personal_authority_set(
                    actor=user,
                    user=person,
                    per_case=request.POST.get("per_case", ""),
                    per_day=request.POST.get("per_day", ""),
                )
                messages.success(request, _("%(name)s's own limits are saved.") % {"name": person.display_name})
            elif form == "remove":
                person = get_object_or_404(User, pk=_int(request.POST.get("user")))
                personal_authority_remove(actor=user, user=person)
                messages.success(
                    request, _("%(name)s has the limits of their role again.") % {"name": person.display_name}
                )
            else:
                team = Team.objects.filter(pk=_int(request.POST.get("team"))).first()
                if team is None:
                    raise ValidationError({"team": [_("Choose a team.")]})
                chosen = request.POST.get("month", "")
                budget = team_budget_set(actor=user, team=team, month=chosen, amount=request.POST.get("amount", ""))
                messages.success(
                    request,
                    _("The budget of %(team)s for %(month)s is saved.")
                    % {"team": team.name, "month": budget.month.strftime("%Y-%m")},
                )
                return redirect(f"{request.path}?month={budget.month:%Y-%m}")
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect(request.get_full_path())
    context = {
        "month": month,
        "rows": _budget_rows(month),
        "teams": Team.objects.order_by("name"),
        "people": User.objects.filter(is_active=True).order_by("username"),
        "overrides": PersonalAuthority.objects.select_related("user").order_by("user__username"),
        "errors": errors,
        "form": form,
        "posted": request.POST if errors else {},
        "budget_month": request.POST.get("month", "")[:20] if errors else f"{month:%Y-%m}",
        "home": settings.CURRENCY,
    }
    return render(request, "remedies/budgets.html", context, status=400 if errors else 200)


def _int(raw: object) -> int:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 12 else 0
