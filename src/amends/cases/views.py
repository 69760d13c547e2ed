"""The agent console: inbox, case page and the actions on a case. Thin: validate, check access, one service."""

import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from amends.webhooks.services import webhook_subscribed

from .forms import BulkForm, CaseForm, InboxFilterForm, NoteForm, ReplyForm, SavedViewForm
from .keyset import BadCursor
from .lifecycle import OPEN, IllegalTransition
from .models import Attachment, Case, Channel
from .search import case_highlights
from .selectors import (
    InboxFilters,
    case_counts,
    case_get,
    customer_history,
    inbox_page,
    inbox_search,
    is_word_search,
    public_reply_deliveries,
    saved_views,
    timeline,
)
from .services import (
    PUBLIC_REPLY_EVENT,
    UNCHANGED,
    CaseConflict,
    ReplyBlocked,
    case_add_note,
    case_public_thread,
    case_reply,
    case_update,
    cases_bulk_update,
    saved_view_create,
    saved_view_delete,
    saved_view_query,
)
from .subjects import heading

PAGE = 50


def is_overdue(case: Case, now: datetime) -> bool:
    """Overdue is a deadline that has passed, now: not the `breached` flag, which the sweep raises up to a minute
    late and which orders the inbox. A case waiting on the customer, or resolved, has no deadline to miss."""
    return case.next_due_at is not None and case.next_due_at < now


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
    user = actor(request)
    notice = None
    search = None
    if is_word_search(filters.q):
        # A word search is ranked (best first, newest among equals) and bounded (at most a few hundred hits):
        # its pages are numbered, and a number past the end shows the last page.
        found = inbox_search(actor=user, filters=filters)
        search, ranked = found.search, found.cases
        number = page_number(request.GET.get("page"))
        rows = list(ranked[(number - 1) * PAGE : number * PAGE + 1])
        if not rows and number > 1:
            number = page_number(str(number), last=last_page(ranked.count(), PAGE))
            rows = list(ranked[(number - 1) * PAGE : number * PAGE + 1])
        next_query = _numbered_query(request, number + 1) if len(rows) > PAGE else None
        previous_query = _numbered_query(request, number - 1) if number > 1 else None
        rows = rows[:PAGE]
    else:
        cursor = request.GET.get("after") or request.GET.get("before") or None
        try:
            page = inbox_page(actor=user, filters=filters, cursor=cursor, size=PAGE)
        except BadCursor:
            # A link this server did not give out (edited by hand, cut short, or from before a change of format).
            notice = _("That page link is not valid (any more); here is the first page.")
            page = inbox_page(actor=user, filters=filters, cursor=None, size=PAGE)
        if not cursor and request.GET.get("page", "1").strip() not in ("", "1"):
            # Pages are not numbered any more (see keyset.py); an old link with a page number opens the first page.
            notice = _("The inbox pages with Next and Previous; here is the first page.")
        rows = page.rows
        next_query = _paging_query(request, "after", page.next_cursor)
        previous_query = _paging_query(request, "before", page.previous_cursor)
    now = timezone.now()
    for row in rows:
        row.overdue = is_overdue(row, now)  # type: ignore[attr-defined]
        # Set here, so that the template finds them: a missing attribute costs the template a dir() of the case.
        row.found_subject = row.found_customer = row.found_snippet = None  # type: ignore[attr-defined]
    if search is not None:
        case_highlights(rows, search.query)
    context = {
        "form": form,
        "search_notice": search.notice if search is not None else "",
        "cases": rows,
        "notice": notice,
        "next_query": next_query,
        "previous_query": previous_query,
        "filter_query": saved_view_query(request.GET.urlencode()),
        "saved_views": saved_views(actor=user),
        "view_form": SavedViewForm(),
        "bulk_form": BulkForm(),
        "outbox": outbox_counts() if user.is_manager else None,
        "counts": _inbox_counts(),
        "incidents": ComplaintCluster.objects.filter(
            flagged_at__isnull=False, state=ComplaintCluster.State.OPEN
        ).count(),
    }
    template = "cases/_inbox_rows.html" if request.headers.get("HX-Request") else "cases/inbox.html"
    return render(request, template, context)


def _inbox_counts() -> dict[str, int]:
    by_status = case_counts()
    return {"open": sum(by_status.get(s, 0) for s in OPEN), "all": sum(by_status.values())}


def _numbered_query(request: HttpRequest, number: int) -> str:
    """The query string of another page of a search's results: the same filters and words, that page's number."""
    query = request.GET.copy()
    for stale in ("after", "before"):
        query.pop(stale, None)
    query["page"] = str(number)
    return query.urlencode()


def _paging_query(request: HttpRequest, key: str, cursor: str | None) -> str | None:
    """The query string of the page next to this one: the same filters, with its cursor instead of ours."""
    if cursor is None:
        return None
    query = request.GET.copy()
    for stale in ("after", "before", "page"):
        query.pop(stale, None)
    query[key] = cursor
    return query.urlencode()


def _case_page(request: HttpRequest, case: Case, status: int = 200, **forms: object) -> HttpResponse:
    thread = case_public_thread(case)
    entries = timeline(case=case)
    if thread is not None:
        deliveries = public_reply_deliveries(case=case)
        for entry in entries:
            if entry["type"] == "message":
                entry["item"].public_deliveries = deliveries.get(str(entry["item"].public_id), [])
    context = {
        "case": case,
        "heading": heading(subject=case.subject, story=case.description),
        "overdue": is_overdue(case, timezone.now()),
        "entries": entries,
        "history": customer_history(actor=actor(request), case=case),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(auto_id="note_%s"),
        "case_form": forms.get("case_form") or CaseForm.for_case(case),
        # The mail to the customer; webhooks (a public reply's hand-over among them) are shown where they belong.
        "outbox": case.outbox.filter(kind=OutboxMessage.Kind.EMAIL).order_by("-created_at")[:10],
        "public_thread": thread,
        "connector_ready": thread is None or webhook_subscribed(PUBLIC_REPLY_EVENT),
        "handles": list(case.customer.handles.all()) if not case.customer.email else [],
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
        except CaseConflict:
            form.add_error(
                None,
                _("Not sent: the case changed while you wrote (a colleague or the customer). Look again and resend."),
            )
        else:
            if case.channel == Channel.PUBLIC_THREAD:
                messages.success(
                    request, _("Public reply handed to the connector, to be posted by the brand's account.")
                )
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
def update_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The one form for status, priority, team and assignee: what the agent changed, all of it or none."""
    user = actor(request)
    case = case_get(actor=user, public_id=public_id)
    form = CaseForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, case_form=form)
    changes = form.changes()
    if not changes:
        messages.info(request, _("Nothing to change."))
        return redirect("cases:case", public_id=public_id)
    try:
        case_update(
            case=case,
            actor=user,
            status=changes.get("status"),  # type: ignore[arg-type]
            priority=changes.get("priority"),  # type: ignore[arg-type]
            team=changes.get("team", UNCHANGED),  # type: ignore[arg-type]
            assignee=changes.get("assignee", UNCHANGED),  # type: ignore[arg-type]
        )
    except IllegalTransition as exc:
        labels = {str(value): str(label) for value, label in Case.STATUS_CHOICES}
        form.add_error(
            "status",
            _("A case cannot go from %(from)s to %(to)s. Nothing was changed.")
            % {"from": labels.get(exc.current, exc.current), "to": labels.get(exc.target, exc.target)},
        )
        return _case_page(request, case, status=400, case_form=form)
    except CaseConflict:
        messages.error(request, _("Not changed: the case changed meanwhile. Look again and retry."))
    except ValidationError as exc:
        form.add_error("assignee", exc)
        return _case_page(request, case, status=400, case_form=form)
    else:
        messages.success(request, _("Case updated."))
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def bulk_view(request: HttpRequest) -> HttpResponse:
    """One change to the cases ticked in the inbox; each case changed whole or refused, and said which."""
    user = actor(request)
    form = BulkForm(request.POST)
    back = redirect(f"{reverse('cases:inbox')}?{saved_view_query(request.POST.get('back', ''))}")
    ids = request.POST.getlist("case")
    if not ids:
        messages.error(request, _("Tick the cases to change first."))
        return back
    if not form.is_valid():
        messages.error(request, _("Choose the change from the lists."))
        return back
    data = form.cleaned_data
    assignee: User | None = UNCHANGED
    if data["assignee"] == "none":
        assignee = None
    elif data["assignee"]:
        assignee = User.objects.filter(pk=int(data["assignee"]), is_active=True).first()
        if assignee is None:  # left since the page was drawn: refuse, rather than read it as "nobody"
            messages.error(request, _("Choose the change from the lists."))
            return back
    try:
        outcome = cases_bulk_update(
            actor=user,
            case_ids=ids,
            status=data["status"] or None,
            priority=data["priority"],
            assignee=assignee,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    if outcome.changed:
        messages.success(
            request,
            ngettext("%(n)s case changed: %(refs)s.", "%(n)s cases changed: %(refs)s.", len(outcome.changed))
            % {"n": len(outcome.changed), "refs": ", ".join(outcome.changed)},
        )
    if outcome.unchanged:
        messages.info(
            request,
            ngettext(
                "%(n)s case was already so: %(refs)s.", "%(n)s cases were already so: %(refs)s.", len(outcome.unchanged)
            )
            % {"n": len(outcome.unchanged), "refs": ", ".join(outcome.unchanged)},
        )
    for reference, reason in outcome.refused:
        messages.error(request, _("%(ref)s not changed: %(reason)s.") % {"ref": reference, "reason": reason})
    missing = len(set(ids)) - len(outcome.changed) - len(outcome.unchanged) - len(outcome.refused)
    if missing > 0:
        messages.error(
            request,
            ngettext("%(n)s case was not found.", "%(n)s cases were not found.", missing) % {"n": missing},
        )
    return back


@require_POST
@staff_required
def saved_view_create_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = saved_view_create(owner=user, name=form.cleaned_data["name"], query=form.cleaned_data["query"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            return redirect(f"{reverse('cases:inbox')}?{view.query}")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{reverse('cases:inbox')}?{saved_view_query(request.POST.get('query', ''))}")


@require_POST
@staff_required
def saved_view_delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    if saved_view_delete(owner=actor(request), view_id=view_id):
        messages.success(request, _("View deleted."))
    else:
        messages.error(request, _("No such view of yours."))
    return redirect("cases:inbox")


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
