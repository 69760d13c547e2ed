"""The agent console: inbox, case page and the actions on a case. Thin: validate, check access, one service."""

import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.models import User
from amends.outbox.models import OutboxMessage
from amends.outbox.selectors import outbox_counts, outbox_failed_list
from amends.outbox.services import outbox_retry
from amends.portal.services import status_links_revoke

from .forms import AssignForm, InboxFilterForm, NoteForm, PriorityForm, ReplyForm, StatusForm
from .lifecycle import IllegalTransition
from .models import ActorKind, Attachment, Case
from .selectors import InboxFilters, case_get, customer_history, inbox, timeline
from .services import CaseConflict, case_add_note, case_assign, case_reply, case_set_priority, case_transition

PAGE = 50


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not isinstance(request.user, User) or request.user.role not in User.Role.values:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@staff_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = InboxFilters(**{k: v or "" for k, v in data.items()})
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows = list(inbox(actor=request.user, filters=filters)[(page - 1) * PAGE : page * PAGE + 1])  # type: ignore[arg-type]
    context = {
        "form": form, "cases": rows[:PAGE], "page": page, "has_next": len(rows) > PAGE,
        "query": request.GET.copy(), "outbox": outbox_counts() if request.user.is_manager else None,  # type: ignore[union-attr]
    }
    template = "cases/_inbox_rows.html" if request.headers.get("HX-Request") else "cases/inbox.html"
    return render(request, template, context)


def _case_page(request: HttpRequest, case: Case, status: int = 200, **forms: object) -> HttpResponse:
    context = {
        "case": case,
        "entries": timeline(case=case),
        "history": customer_history(actor=request.user, case=case),  # type: ignore[arg-type]
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "assign_form": AssignForm(initial={"team": case.team, "assignee": case.assignee}),
        "status_form": StatusForm(initial={"status": case.status}),
        "priority_form": PriorityForm(initial={"priority": case.priority}),
        "outbox": case.outbox.order_by("-created_at")[:10],
    }
    return render(request, "cases/case.html", context, status=status)


@staff_required
def case_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _case_page(request, case_get(actor=request.user, public_id=public_id))  # type: ignore[arg-type]


@require_POST
@staff_required
def reply_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            case_reply(case=case, actor=request.user, body=form.cleaned_data["body"],  # type: ignore[arg-type]
                       status_after=form.cleaned_data["status_after"] or None)
        except ValidationError as exc:
            form.add_error("body", exc)
        except IllegalTransition as exc:
            form.add_error("status_after", str(exc))
        else:
            messages.success(request, _("Reply sent to %(email)s.") % {"email": case.customer.email})
            return redirect("cases:case", public_id=public_id)
    return _case_page(request, case, status=400, reply_form=form)


@require_POST
@staff_required
def note_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_add_note(case=case, actor=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            return redirect("cases:case", public_id=public_id)
    return _case_page(request, case, status=400, note_form=form)


@require_POST
@staff_required
def assign_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a team and an agent from the lists."))
    else:
        case_assign(case=case, actor=request.user, team=form.cleaned_data["team"], assignee=form.cleaned_data["assignee"])  # type: ignore[arg-type]
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def status_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    else:
        try:
            case_transition(case=case, to=form.cleaned_data["status"], actor_kind=ActorKind.AGENT, actor=request.user)  # type: ignore[arg-type]
        except IllegalTransition as exc:
            messages.error(request, _("Not changed: %(reason)s.") % {"reason": exc})
        except CaseConflict:
            messages.error(request, _("Not changed: the case changed meanwhile. Look again and retry."))
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def priority_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a priority from the list."))
    else:
        case_set_priority(case=case, actor=request.user, priority=form.cleaned_data["priority"])  # type: ignore[arg-type]
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def revoke_links_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = case_get(actor=request.user, public_id=public_id)  # type: ignore[arg-type]
    revoked = status_links_revoke(case=case, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("%(n)s status link(s) revoked.") % {"n": revoked})
    return redirect("cases:case", public_id=public_id)


@staff_required
def attachment_view(request: HttpRequest, public_id: uuid.UUID) -> FileResponse:
    attachment = Attachment.objects.select_related("case").filter(public_id=public_id).first()
    if attachment is None:
        raise Http404("no such attachment")
    case_get(actor=request.user, public_id=attachment.case.public_id)  # type: ignore[arg-type]
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
def outbox_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_manager:  # type: ignore[union-attr]
        raise PermissionDenied
    failed = outbox_failed_list(actor=request.user)[:200]  # type: ignore[arg-type]
    return render(request, "cases/outbox.html", {"failed": failed, "counts": outbox_counts()})


@require_POST
@staff_required
def outbox_retry_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_manager:  # type: ignore[union-attr]
        raise PermissionDenied
    message = OutboxMessage.objects.filter(public_id=public_id).first()
    if message is None:
        raise Http404("no such message")
    if outbox_retry(message=message):
        messages.success(request, _("The message is queued again."))
    else:
        messages.info(request, _("The message was not parked as failed; nothing to retry."))
    return redirect("cases:outbox")
