"""The agent console: inbox, case page and the actions on a case. Thin: validate, check access, one service."""

import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.models import User
from amends.core.pagination import last_page, page_number
from amends.outbox.models import OutboxMessage
from amends.outbox.selectors import outbox_counts, outbox_failed_list
from amends.outbox.services import outbox_retry
from amends.playbooks.selectors import case_checklist
from amends.portal.services import status_links_revoke
from amends.remedies.selectors import remedy_panel
from amends.replies.models import ReplyTemplate
from amends.triage.models import Category, ComplaintCluster

from .forms import AssignForm, InboxFilterForm, NoteForm, PriorityForm, ReplyForm, StatusForm
from .lifecycle import IllegalTransition
from .models import ActorKind, Attachment, Case
from .selectors import InboxFilters, case_get, customer_history, inbox, timeline
from .services import (
    CaseConflict,
    ReplyBlocked,
    case_add_note,
    case_assign,
    case_reply,
    case_set_priority,
    case_transition,
)

PAGE = 50


def staff_required[R: HttpResponseBase](view: Callable[..., R]) -> Callable[..., R]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> R:
        actor(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def actor(request: HttpRequest) -> User:
    """The signed-in agent, manager or administrator making the request."""
    user = request.user
    if not isinstance(user, User) or not user.is_active or user.role not in User.Role.values:
        raise PermissionDenied
    return user


@staff_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = InboxFilters(**{k: v or "" for k, v in data.items()})
    cases = inbox(actor=actor(request), filters=filters)
    page = page_number(request.GET.get("page"))
    rows = list(cases[(page - 1) * PAGE : page * PAGE + 1])
    if not rows and page > 1:  # past the end: show the last page there is
        page = page_number(str(page), last=last_page(cases.count(), PAGE))
        rows = list(cases[(page - 1) * PAGE : page * PAGE + 1])
    context = {
        "form": form,
        "cases": rows[:PAGE],
        "page": page,
        "has_next": len(rows) > PAGE,
        "query": request.GET.copy(),
        "outbox": outbox_counts() if actor(request).is_manager else None,
        "incidents": ComplaintCluster.objects.filter(
            flagged_at__isnull=False, state=ComplaintCluster.State.OPEN
        ).count(),
    }
    template = "cases/_inbox_rows.html" if request.headers.get("HX-Request") else "cases/inbox.html"
    return render(request, template, context)


def _case_page(request: HttpRequest, case: Case, status: int = 200, **forms: object) -> HttpResponse:
    context = {
        "case": case,
        "entries": timeline(case=case),
        "history": customer_history(actor=actor(request), case=case),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(auto_id="note_%s"),
        "assign_form": AssignForm(initial={"team": case.team, "assignee": case.assignee}),
        "status_form": StatusForm(initial={"status": case.status}),
        "priority_form": PriorityForm(initial={"priority": case.priority}),
        "outbox": case.outbox.order_by("-created_at")[:10],
        "categories": Category.objects.filter(is_active=True),
        "coaching": forms.get("coaching"),
        "template_purposes": ReplyTemplate.Purpose.choices,
        "checklist": case_checklist(actor=actor(request), case=case),
        "remedy_panel": remedy_panel(actor=actor(request), case=case),
    }
    return render(request, "cases/case.html", context, status=status)


@staff_required
def case_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _case_page(request, case_get(actor=actor(request), public_id=public_id))


@require_POST
@staff_required
def reply_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = actor(request)
    case = case_get(actor=user, public_id=public_id)
    form = ReplyForm(request.POST)
    coaching = None
    if form.is_valid():
        try:
            case_reply(
                case=case,
                actor=user,
                body=form.cleaned_data["body"],
                status_after=form.cleaned_data["status_after"] or None,
                override=request.POST.get("override") == "1",
            )
        except ReplyBlocked as exc:
            coaching = exc.coaching
            form.add_error("body", _("The coach found something that must be fixed, or overridden on purpose."))
        except ValidationError as exc:
            form.add_error("body", exc)
        except IllegalTransition as exc:
            form.add_error("status_after", str(exc))
        else:
            messages.success(request, _("Reply sent to %(email)s.") % {"email": case.customer.email})
            return redirect("cases:case", public_id=public_id)
    return _case_page(request, case, status=400, reply_form=form, coaching=coaching)


@require_POST
@staff_required
def note_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=actor(request), public_id=public_id)
    form = NoteForm(request.POST, auto_id="note_%s")
    if form.is_valid():
        try:
            case_add_note(case=case, actor=actor(request), body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            return redirect("cases:case", public_id=public_id)
    return _case_page(request, case, status=400, note_form=form)


@require_POST
@staff_required
def assign_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=actor(request), public_id=public_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a team and an agent from the lists."))
    else:
        case_assign(
            case=case, actor=actor(request), team=form.cleaned_data["team"], assignee=form.cleaned_data["assignee"]
        )
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def status_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=actor(request), public_id=public_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    else:
        try:
            case_transition(case=case, to=form.cleaned_data["status"], actor_kind=ActorKind.AGENT, actor=actor(request))
        except IllegalTransition as exc:
            messages.error(request, _("Not changed: %(reason)s.") % {"reason": exc})
        except CaseConflict:
            messages.error(request, _("Not changed: the case changed meanwhile. Look again and retry."))
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def priority_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=actor(request), public_id=public_id)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a priority from the list."))
    else:
        case_set_priority(case=case, actor=actor(request), priority=form.cleaned_data["priority"])
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def revoke_links_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=actor(request), public_id=public_id)
    revoked = status_links_revoke(case=case, actor=actor(request))
    messages.success(request, _("%(n)s status link(s) revoked.") % {"n": revoked})
    return redirect("cases:case", public_id=public_id)


@staff_required
def attachment_view(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    attachment = Attachment.objects.select_related("case").filter(public_id=public_id).first()
    if attachment is None:
        raise Http404("no such attachment")
    case_get(actor=actor(request), public_id=attachment.case.public_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
def outbox_view(request: HttpRequest) -> HttpResponse:
    if not actor(request).is_manager:
        raise PermissionDenied
    failed = outbox_failed_list(actor=actor(request))[:200]
    return render(request, "cases/outbox.html", {"failed": failed, "counts": outbox_counts()})


@require_POST
@staff_required
def outbox_retry_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    if not actor(request).is_manager:
        raise PermissionDenied
    message = OutboxMessage.objects.filter(public_id=public_id).first()
    if message is None:
        raise Http404("no such message")
    if outbox_retry(message=message):
        messages.success(request, _("The message is queued again."))
    else:
        messages.info(request, _("The message was not parked as failed; nothing to retry."))
    return redirect("cases:outbox")
