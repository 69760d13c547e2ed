"""Console pages for incidents: every member of staff reads them; managers declare, promote, update, resolve,
link, edit the ladder's statements and publish. Thin: read the form, one service, render or redirect."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.models import Case
from amends.cases.views import actor, staff_required
from amends.core.display import ladder_label, language_label
from amends.replies.coach import Coaching

from . import extensions
from .drafts import company_languages, public_url, remedy_words, statement_coach
from .forms import DeclareForm, LinkForm, ResolveForm, StatementForm, UpdateForm
from .ladder import CODES, Level, level_of, recommend
from .models import Incident
from .reasons import reason_words
from .selectors import incident_cases, incident_get, incident_reach, incident_timeline, incidents_list
from .services import (
    IncidentRefused,
    incident_declare,
    incident_link_case,
    incident_promote_cluster,
    incident_publish,
    incident_resolve,
    incident_statement_save,
    incident_unlink_case,
    incident_update,
    statements_for,
)


def _incident(request: HttpRequest, public_id: uuid.UUID) -> Incident:
    incident = incident_get(actor=actor(request), public_id=public_id)
    if incident is None:
        raise Http404
    return incident


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for _field, problems in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
            messages.error(request, "; ".join(problems))
    elif isinstance(exc, IncidentRefused):
        messages.error(request, exc.message)


@staff_required
def list_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    return render(
        request,
        "incidents/list.html",
        {"incidents": incidents_list(actor=user)[:100], "form": DeclareForm(), "can_edit": user.is_manager},
    )


@require_POST
@staff_required
def declare_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = DeclareForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_declare(
                actor=user,
                title=data["title"],
                summary=data["summary"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                entities=form.entity_list(),
                severity=data["severity"],
                category=data["category"],
                remedy_kind=data["remedy_kind"],
                remedy_value=data["remedy_value"] or None,
            )
        except (ValidationError, IncidentRefused) as exc:
            if isinstance(exc, IncidentRefused):
                return _forbidden_or(request, exc)
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Incident declared."))
            return redirect("incidents:detail", public_id=incident.public_id)
    context = {"incidents": incidents_list(actor=user)[:100], "form": form, "can_edit": user.is_manager}
    return render(request, "incidents/list.html", context, status=400)


def _forbidden_or(request: HttpRequest, exc: IncidentRefused) -> HttpResponse:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)
    return redirect(request.META.get("HTTP_REFERER") or "incidents:list")


@require_POST
@staff_required
def promote_view(request: HttpRequest, cluster_id: uuid.UUID) -> HttpResponse:
    try:
        incident = incident_promote_cluster(actor=actor(request), cluster_id=cluster_id)
    except IncidentRefused as exc:
        if exc.status == 403:
            return _forbidden_or(request, exc)
        messages.error(request, exc.message)
        return redirect("triage:clusters")
    messages.success(request, _("The cluster is now an incident; its complaints joined it."))
    return redirect("incidents:detail", public_id=incident.public_id)


@staff_required
def detail_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    return _detail(request, incident)


@dataclass
class StatementView:
    language: str
    label: str
    title: str
    body: str
    edited: bool
    coaching: Coaching
    form: StatementForm


def _detail(
    request: HttpRequest, incident: Incident, status: int = 200, chosen: str | None = None, **forms: Any
) -> HttpResponse:
    user = actor(request)
    reach = incident_reach(incident=incident, extra_customers=extensions.extra_customers(incident))
    advice = recommend(reach)
    chosen = request.GET.get("level", "") if chosen is None else chosen
    level = level_of(chosen) if chosen in CODES else advice.level
    if incident.published_at and not chosen:
        level = level_of(incident.public_level)
    statements = []
    if level != Level.PRIVATE_REPLY:
        for language, (title, body, edited) in statements_for(incident, level).items():
            statements.append(
                StatementView(
                    language=language,
                    label=language_label(language),
                    title=title,
                    body=body,
                    edited=edited,
                    coaching=statement_coach(incident=incident, body=body, language=language),
                    form=forms.get(f"statement_{language}")
                    or StatementForm(initial={"title": title, "body": body}, prefix=language),
                )
            )
    context = {
        "sections": extensions.sections(incident),
        "incident": incident,
        "remedy": remedy_words(incident),
        "timeline": incident_timeline(incident=incident)[:200],
        "cases": incident_cases(incident=incident),
        "reach": reach,
        "advice": advice,
        "reasons": [reason_words(r) for r in advice.reasons],
        "level": level,
        "levels": [(lvl.code, ladder_label(lvl.code)) for lvl in Level],
        "statements": statements,
        "blocked": any(s.coaching.blocking for s in statements),
        "public_url": public_url(incident),
        "can_edit": user.is_manager,
        "update_form": forms.get("update_form") or UpdateForm(),
        "resolve_form": ResolveForm(),
        "link_form": forms.get("link_form") or LinkForm(),
        "languages": company_languages(),
    }
    return render(request, "incidents/detail.html", context, status=status)


@require_POST
@staff_required
def update_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            incident_update(
                incident=incident,
                actor=actor(request),
                body=form.cleaned_data["body"],
                public=form.cleaned_data["public"],
            )
        except IncidentRefused as exc:
            return _forbidden_or(request, exc)
        except ValidationError as exc:
            form.add_error("body", exc.message_dict.get("body") or exc.messages)
        else:
            messages.success(request, _("Update added."))
            return redirect("incidents:detail", public_id=public_id)
    return _detail(request, incident, status=400, update_form=form)


@require_POST
@staff_required
def resolve_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    form = ResolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The text is too long."))
        incident_resolve(incident=incident, actor=actor(request), body=form.cleaned_data["body"] or None)
    except IncidentRefused as exc:
        return _forbidden_or(request, exc)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Incident resolved."))
    return redirect("incidents:detail", public_id=public_id)


@require_POST
@staff_required
def link_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        case = Case.objects.filter(reference=form.cleaned_data["reference"].strip().upper()).first()
        if case is None:
            form.add_error("reference", _("No case has this reference."))
        else:
            try:
                linked = incident_link_case(incident=incident, case=case, actor=actor(request))
            except IncidentRefused as exc:
                if exc.status == 403:
                    return _forbidden_or(request, exc)
                form.add_error("reference", exc.message)
            else:
                if linked.created:
                    messages.success(request, _("Case %(reference)s linked.") % {"reference": case.reference})
                else:
                    messages.info(request, _("Case %(reference)s was linked already.") % {"reference": case.reference})
                return redirect("incidents:detail", public_id=public_id)
    return _detail(request, incident, status=400, link_form=form)


@require_POST
@staff_required
def unlink_view(request: HttpRequest, public_id: uuid.UUID, case_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    case = Case.objects.filter(public_id=case_id).first()
    if case is None:
        raise Http404
    try:
        incident_unlink_case(incident=incident, case=case, actor=actor(request))
    except IncidentRefused as exc:
        return _forbidden_or(request, exc)
    messages.success(request, _("Case %(reference)s unlinked.") % {"reference": case.reference})
    return redirect("incidents:detail", public_id=public_id)


@require_POST
@staff_required
def statement_view(request: HttpRequest, public_id: uuid.UUID, level: str, language: str) -> HttpResponse:
    incident = _incident(request, public_id)
    form = StatementForm(request.POST, prefix=language)
    if form.is_valid():
        try:
            incident_statement_save(
                incident=incident,
                actor=actor(request),
                level=level,
                language=language,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except IncidentRefused as exc:
            return _forbidden_or(request, exc)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Statement saved."))
            return redirect(f"{request.path.rsplit('/statement/', 1)[0]}/?level={level}")
    return _detail(request, incident, status=400, chosen=level, **{f"statement_{language}": form})


@require_POST
@staff_required
def publish_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    level = request.POST.get("level", "")
    try:
        result = incident_publish(
            incident=incident, actor=actor(request), level=level, override=request.POST.get("override") == "1"
        )
    except IncidentRefused as exc:
        return _forbidden_or(request, exc)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(f"{request.path.rsplit('/publish/', 1)[0]}/?level={level if level in CODES else ''}")
    if result.published:
        messages.success(request, _("Published: the incident page is live and the connectors are told."))
    else:
        messages.info(request, _("This incident was published already; nothing was sent again."))
    return redirect("incidents:detail", public_id=public_id)
