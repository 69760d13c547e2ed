"""Aftercare pages: the root-cause panel's form (htmx), the managers' actions list, the taxonomy and follow-up
settings, advocates, and the customer's survey answer pages. Thin: validate, check access, one service, render."""

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amends.cases.models import Case
from amends.cases.selectors import case_get
from amends.cases.views import actor, staff_required
from amends.core import languages
from amends.customers.models import Customer
from amends.incidents.models import Incident
from amends.portal.selectors import portal_case
from amends.remedies.models import KIND_CHOICES
from amends.triage.models import ComplaintCluster

from . import advocates as advocate_services
from . import links, selectors, services, surveys
from .models import CorrectiveAction, RootCause, RootCauseCategory, Survey, SurveyText


def _manager(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = actor(request)
    if not user.is_manager:
        raise PermissionDenied
    return user


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str) -> int | None:
    try:
        return int(raw) if raw and raw.strip().isdigit() else None
    except ValueError:
        return None


def _action_from(post: dict, prefix: str = "action_") -> services.ActionSpec | None:  # type: ignore[type-arg]
    what, team, due = post.get(f"{prefix}what", ""), post.get(f"{prefix}team", ""), post.get(f"{prefix}due", "")
    if not (what.strip() or team or due):
        return None
    return services.ActionSpec(what=what, team_id=_int(team), due_date=_date(due))


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": list(exc.messages)}


# ---------------------------------------------------------------- root causes


@require_POST
@staff_required
def record_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The case page's root-cause form. With htmx the panel is answered in place, errors and all."""
    user = actor(request)
    case = case_get(actor=user, public_id=public_id)
    spec = _action_from(request.POST)
    errors = None
    try:
        services.root_cause_record(
            category=request.POST.get("category", ""),
            text=request.POST.get("text", ""),
            actor=user,
            case=case,
            actions=[spec] if spec else [],
        )
    except ValidationError as exc:
        errors = _messages(exc)
    case.refresh_from_db()
    if request.headers.get("HX-Request"):
        html = render_to_string(
            "aftercare/_panel_only.html", {"case": case, "root_cause_errors": errors}, request=request
        )
        return HttpResponse(html)
    if errors:
        for field_messages in errors.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("The root cause is recorded."))
    return redirect("cases:case", public_id=public_id)


@staff_required
def root_causes_view(request: HttpRequest) -> HttpResponse:
    """Record a root cause on a resolved incident or a cluster; the latest root causes of every kind."""
    user = actor(request)
    errors = None
    if request.method == "POST":
        subject = request.POST.get("subject", "")
        kind, _sep, raw_id = subject.partition(":")
        cluster = incident = None
        try:
            key = uuid.UUID(raw_id)
        except ValueError:
            key = None
        if kind == "incident" and key:
            incident = Incident.objects.filter(public_id=key).first()
        elif kind == "cluster" and key:
            cluster = ComplaintCluster.objects.filter(public_id=key).first()
        spec = _action_from(request.POST)
        try:
            if incident is None and cluster is None:
                raise ValidationError({"subject": [_("Choose the incident or cluster the root cause is about.")]})
            services.root_cause_record(
                category=request.POST.get("category", ""),
                text=request.POST.get("text", ""),
                actor=user,
                cluster=cluster,
                incident=incident,
                actions=[spec] if spec else [],
            )
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            messages.success(request, _("The root cause is recorded."))
            return redirect("aftercare:root_causes")
    context = {
        "root_causes": selectors.root_causes_with_actions()[:50],
        "incidents": Incident.objects.filter(state=Incident.State.RESOLVED).order_by("-started_at")[:50],
        "clusters": ComplaintCluster.objects.order_by("-last_seen")[:50],
        "categories": RootCauseCategory.objects.filter(is_active=True),
        "teams": selectors.Team.objects.all(),
        "today": timezone.localdate(),
        "errors": errors,
    }
    return render(request, "aftercare/root_causes.html", context, status=400 if errors else 200)


@staff_required
def actions_view(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    today = timezone.localdate()
    context = {"actions": selectors.actions_open(actor=user, today=today)[:500], "today": today}
    return render(request, "aftercare/actions.html", context)


@require_POST
@staff_required
def action_advance_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = actor(request)
    action = CorrectiveAction.objects.select_related("root_cause__case").filter(public_id=public_id).first()
    if action is None:
        raise Http404
    try:
        services.corrective_action_advance(action=action, to=request.POST.get("to", ""), actor=user)
    except services.ActionRefused as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The corrective action is updated."))
    back = request.POST.get("back", "")
    case = action.root_cause.case
    if back == "case" and case is not None:
        return redirect("cases:case", public_id=case.public_id)
    return redirect("aftercare:actions" if user.is_manager else "cases:inbox")


@require_POST
@staff_required
def action_add_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = actor(request)
    root = RootCause.objects.select_related("case").filter(public_id=public_id).first()
    if root is None:
        raise Http404
    spec = _action_from(request.POST) or services.ActionSpec(what="", team_id=None, due_date=None)
    try:
        services.corrective_action_add(root_cause=root, spec=spec, actor=user)
    except ValidationError as exc:
        for field_messages in _messages(exc).values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("The corrective action is added."))
    if root.case is not None:
        return redirect("cases:case", public_id=root.case.public_id)
    return redirect("aftercare:root_causes")


# ---------------------------------------------------------------- taxonomy and follow-up settings


@staff_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            with transaction.atomic():
                if form == "settings":
                    surveys.aftercare_settings_save(
                        survey_enabled=request.POST.get("survey_enabled") == "on",
                        survey_delay_hours=_int(request.POST.get("survey_delay_hours", "")) or 0,
                        reminder_after_hours=_int(request.POST.get("reminder_after_hours", "")) or 0,
                        link_valid_days=_int(request.POST.get("link_valid_days", "")) or 0,
                        actor=user,
                    )
                elif form == "category":
                    slug = request.POST.get("slug", "")
                    existing = RootCauseCategory.objects.filter(slug=slug).first() if slug else None
                    services.root_cause_category_save(
                        slug=slug,
                        name=request.POST.get("name", ""),
                        is_active=request.POST.get("is_active", "on") == "on",
                        category=existing,
                    )
                elif form == "text":
                    surveys.survey_text_save(
                        purpose=request.POST.get("purpose", ""),
                        language=request.POST.get("language", ""),
                        subject=request.POST.get("subject", ""),
                        body=request.POST.get("body", ""),
                        actor=user,
                    )
                else:
                    raise ValidationError(_("Unknown form."))
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("aftercare:settings")
    context = {
        "config": surveys.aftercare_settings(),
        "categories": RootCauseCategory.objects.all(),
        "texts": SurveyText.objects.order_by("purpose", "language"),
        "purposes": SurveyText.Purpose.choices,
        "languages": languages.supported_codes(),
        "variables": surveys.TEXT_VARIABLES,
        "errors": errors,
    }
    return render(request, "aftercare/settings.html", context, status=400 if errors else 200)


# ---------------------------------------------------------------- advocates


@staff_required
def advocates_view(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    context = {
        "advocates": advocate_services.advocates_find(actor=user),
        "paradox": advocate_services.recovery_paradox(),
        "kinds": advocate_services.AdvocateAction.Kind.choices,
        "remedy_kinds": KIND_CHOICES,
    }
    return render(request, "aftercare/advocates.html", context)


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ".")) if raw.strip() else None
    except InvalidOperation:
        return None


@require_POST
@staff_required
def advocate_act_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _manager(request)
    customer = Customer.objects.filter(public_id=public_id).first()
    if customer is None:
        raise Http404
    kind = request.POST.get("kind", "")
    reward = None
    if kind == "reward":
        reward = advocate_services.Reward(
            remedy_kind=request.POST.get("remedy_kind", ""),
            amount=_decimal(request.POST.get("amount", "")),
            percent=_decimal(request.POST.get("percent", "")),
            currency=request.POST.get("currency", "").strip().upper(),
            valid_days=_int(request.POST.get("valid_days", "")) or 90,
        )
    case_id = _uuid(request.POST.get("case", ""))
    case = Case.objects.filter(public_id=case_id, customer=customer).first() if case_id else None
    try:
        advocate_services.advocate_act(
            actor=user,
            customer=customer,
            kind=kind,
            note=request.POST.get("note", ""),
            link=request.POST.get("link", ""),
            reward=reward,
            case=case,
        )
    except ValidationError as exc:
        for field_messages in _messages(exc).values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("Done, and recorded."))
    return redirect("aftercare:advocates")


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


# ---------------------------------------------------------------- the customer's answer


def _refused_page(request: HttpRequest, exc: surveys.SurveyRefused) -> HttpResponse:
    response = render(
        request, "aftercare/survey_refused.html", {"message": exc.message, "code": exc.code}, status=exc.status
    )
    response["Referrer-Policy"] = "same-origin"
    return response


# The token is in the address: the page tells no other site where it came from ("same-origin" rather than
# "no-referrer", which makes the browser send Origin: null with the form and CSRF refuses it).
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the one click from the e-mail records the score and asks the rest (surveys.survey_click: one read, one
    short transaction, the follow-up queued). HEAD (a mail scanner's or a browser's look-ahead) records nothing.
    POST: the rest of the survey (once)."""
    if request.method == "HEAD":
        try:
            links.survey_token_read(token)
        except links.BadSurveyLink:
            return HttpResponse(status=404)
        return HttpResponse()
    if request.method == "POST":
        return _details(request, token)
    errors = None
    try:
        click = surveys.survey_click(token=token)
    except surveys.SurveyAnswered as exc:
        if not exc.click.details_open:
            return _refused_page(request, exc)
        click, errors = exc.click, {"__all__": [exc.message]}  # the score stands; the rest may still be given
    except surveys.SurveyRefused as exc:
        return _refused_page(request, exc)
    return _click_page(request, click, token, errors)


def _click_page(
    request: HttpRequest, click: surveys.Click, token: str, errors: dict[str, list[str]] | None, *, status: int = 200
) -> HttpResponse:
    # The page speaks the survey's language (the e-mail's), unless the customer chose one on our pages. It is
    # rendered without the context processors (the session, messages and user it shows none of): a third of the
    # template's time in benchmarks/survey_profile.py. The form posts back to this same address.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or click.language
    with translation.override(language):
        context = {
            "click": click,
            "errors": errors,
            "language": translation.get_language(),
            "csrf_token": get_token(request),
            "stylesheet": _stylesheet(),
        }
        response = HttpResponse(get_template("aftercare/survey_click.html").render(context), status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


@cache
def _stylesheet() -> str:
    return static("amends/amends.css")


def _details(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey, _score = surveys.survey_by_token(token)
        surveys.survey_details(
            survey=survey,
            remedy_worth=request.POST.get("remedy_worth", ""),
            recommend=_int(request.POST.get("recommend", "")),
            comment=request.POST.get("comment", ""),
        )
    except surveys.SurveyRefused as exc:
        return _refused_page(request, exc)
    except ValidationError as exc:
        click = surveys.Click(
            survey_id=survey.pk,
            language=survey.language,
            brand_name=survey.case.brand.sender_name,
            satisfaction=survey.satisfaction or 0,
            dissatisfied=survey.dissatisfied,
            details_open=True,
        )
        return _click_page(request, click, token, _messages(exc), status=400)
    return _thanks(request, survey)


def _thanks(request: HttpRequest, survey: Survey) -> HttpResponse:
    response = render(request, "aftercare/survey_thanks.html", {"survey": survey, "case": survey.case})
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def status_answer_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The survey answered on the status page (the customer's session holds the case)."""
    case = portal_case(request, public_id=public_id)
    if case is None:
        return render(request, "portal/link_invalid.html", status=404)
    survey = selectors.case_survey(case=case)
    if survey is None:
        raise Http404
    try:
        surveys.survey_answer(
            survey=survey,
            satisfaction=_int(request.POST.get("satisfaction", "")),
            via=Survey.Via.PORTAL,
            remedy_worth=request.POST.get("remedy_worth", ""),
            recommend=_int(request.POST.get("recommend", "")),
            comment=request.POST.get("comment", ""),
        )
    except surveys.SurveyRefused as exc:
        return _refused_page(request, exc)
    except ValidationError as exc:
        for field_messages in _messages(exc).values():
            for message in field_messages:
                messages.error(request, message)
        return redirect("portal:status", public_id=public_id)
    messages.success(request, _("Thank you for your answer, for telling us about the problem, and for your trust."))
    return redirect("portal:status", public_id=public_id)
