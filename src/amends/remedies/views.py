"""The customer's choice page (the link in the e-mail) and the console's remedy actions and approvals queue.
Thin: validate, check access, one service, render."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_get
from amends.cases.views import actor, staff_required
from amends.core.ratelimit import rate_limit
from amends.customers.services import customer_label

from .catalogue import Kind
from .forms import DecisionForm
from .lifecycle import IllegalTransition
from .models import Remedy
from .presenting import approval_reason, remedy_text
from .selectors import approvals_queue
from .services import (
    ChoiceRefused,
    GrantResult,
    RemedyError,
    refuse_choice,
    remedy_approve,
    remedy_by_token,
    remedy_choose,
    remedy_grant,
    remedy_offer,
    remedy_reject,
    remedy_settle,
    remedy_withdraw,
)
from .slots_service import slot_choices


def _customer_page(
    request: HttpRequest, template: str, context: dict, *, language: str, status: int = 200
) -> HttpResponse:
    """A page for the customer, in their case's language unless their browser chose one on our site."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    # The site's own Referrer-Policy (same-origin) keeps the token in the address from other sites. Not
    # "no-referrer": Chromium then sends the confirmation's POST with Origin: null, which the CSRF check refuses.
    with translation.override(chosen or language):
        return render(request, template, context, status=status)


def _refused(request: HttpRequest, refused: ChoiceRefused) -> HttpResponse:
    remedy = refused.remedy
    language = remedy.case.language if remedy is not None else (translation.get_language() or "en")
    return _customer_page(
        request,
        "remedies/choice_refused.html",
        {"refused": refused, "case": remedy.case if remedy is not None else None},
        language=language,
        status=refused.status,
    )


@never_cache
@rate_limit("remedy-choice", limit=30)
def choose_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the option and asks for a confirmation (mail scanners fetch links; a GET changes nothing); POST
    chooses it."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    error = None
    try:
        remedy = remedy_by_token(token=token)
        if request.method == "POST":
            result = remedy_choose(token=token, slot=request.POST.get("slot") or None)
            return _customer_page(
                request, "remedies/chosen.html", _chosen_context(result), language=remedy.case.language
            )
        if remedy.state != "offered" or remedy.expires_at is None or remedy.expires_at <= timezone.now():
            raise refuse_choice(remedy, timezone.now())
    except ChoiceRefused as refused:
        if refused.code not in ("slot_taken", "pick_time"):
            return _refused(request, refused)
        # The time the customer wanted is gone (or none was picked): the same page again, with the times left.
        error = refused
    language = remedy.case.language
    with translation.override(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or language):
        text = remedy_text(remedy)
    return _customer_page(
        request,
        "remedies/choose.html",
        {
            "remedy": remedy,
            "case": remedy.case,
            "text": text,
            "token": token,
            "slots": slot_choices(remedy=remedy) if remedy.kind == Kind.APPOINTMENT else [],
            "error": error,
        },
        language=language,
        status=error.status if error else 200,
    )


def _chosen_context(result: GrantResult) -> dict:
    remedy = result.remedy
    return {
        "remedy": remedy,
        "case": remedy.case,
        "text": remedy_text(remedy, remedy.case.language),
        "granted": result.granted,
        "code": result.code,
    }


# -- console -------------------------------------------------------------------------------------------------


def _remedy_of_case(request: HttpRequest, public_id: uuid.UUID, remedy_id: uuid.UUID) -> Remedy:
    case = case_get(actor=actor(request), public_id=public_id)
    remedy = (
        Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team")
        .filter(case=case, public_id=remedy_id)
        .first()
    )
    if remedy is None:
        raise Http404("no such remedy")
    return remedy


def _report(request: HttpRequest, result: GrantResult) -> None:
    if result.granted:
        messages.success(request, _("Granted. The customer is told, and the shop asked to fulfil it."))
    else:
        messages.warning(
            request,
            _("Above your authority (%(reason)s): a manager has been asked to approve it.")
            % {"reason": approval_reason(result.approval.reason) if result.approval else result.refused_by},
        )
    if result.budget_warning:
        messages.warning(request, result.budget_warning)


@require_POST
@staff_required
def grant_view(request: HttpRequest, public_id: uuid.UUID, remedy_id: uuid.UUID) -> HttpResponse:
    remedy = _remedy_of_case(request, public_id, remedy_id)
    try:
        _report(request, remedy_grant(actor=actor(request), remedy=remedy))
    except (RemedyError, IllegalTransition) as error:
        messages.error(request, _("Not granted: %(reason)s") % {"reason": _message(error)})
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def offer_view(request: HttpRequest, public_id: uuid.UUID, remedy_id: uuid.UUID | None = None) -> HttpResponse:
    case = case_get(actor=actor(request), public_id=public_id)
    chosen = None
    if remedy_id is not None:
        chosen = [_remedy_of_case(request, public_id, remedy_id)]
    try:
        offered = remedy_offer(actor=actor(request), case=case, remedies=chosen)
    except (RemedyError, IllegalTransition) as error:
        messages.error(request, _("Not offered: %(reason)s") % {"reason": _message(error)})
    else:
        messages.success(
            request,
            _("%(n)s option(s) offered to %(email)s.") % {"n": len(offered), "email": customer_label(case.customer)},
        )
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def withdraw_view(request: HttpRequest, public_id: uuid.UUID, remedy_id: uuid.UUID) -> HttpResponse:
    remedy = _remedy_of_case(request, public_id, remedy_id)
    try:
        remedy_withdraw(actor=actor(request), remedy=remedy, reason=request.POST.get("reason", ""))
    except (RemedyError, IllegalTransition) as error:
        messages.error(request, _("Not withdrawn: %(reason)s") % {"reason": _message(error)})
    else:
        messages.success(request, _("The option is withdrawn."))
    return redirect("cases:case", public_id=public_id)


@require_POST
@staff_required
def settle_view(request: HttpRequest, public_id: uuid.UUID, remedy_id: uuid.UUID) -> HttpResponse:
    """Manual fulfilment: the agent says a granted remedy was delivered, or why it could not be."""
    remedy = _remedy_of_case(request, public_id, remedy_id)
    user = actor(request)
    status = request.POST.get("status", "")
    try:
        _remedy, changed = remedy_settle(
            remedy=remedy,
            status=status,
            reason=request.POST.get("reason", ""),
            actor=user,
            actor_label=user.display_name,
        )
    except (RemedyError, IllegalTransition) as error:
        messages.error(request, _("Not recorded: %(reason)s") % {"reason": _message(error)})
    else:
        if not changed:
            messages.info(request, _("That was already recorded."))
        elif status == "fulfilled":
            messages.success(request, _("Marked as fulfilled."))
        else:
            messages.warning(request, _("Marked as failed. The reason is on the case."))
    return redirect("cases:case", public_id=public_id)


def _message(error: Exception) -> str:
    if isinstance(error, RemedyError):
        return error.message
    if isinstance(error, IllegalTransition):
        return _("a remedy cannot go from %(from)s to %(to)s.") % {"from": error.current, "to": error.target}
    return str(error)


@staff_required
def approvals_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not user.is_manager:
        raise PermissionDenied
    queue = list(approvals_queue(actor=user)[:200])
    for approval in queue:
        approval.text = remedy_text(approval.remedy)  # type: ignore[attr-defined]
    return render(request, "remedies/approvals.html", {"queue": queue, "form": DecisionForm()})


@require_POST
@staff_required
def decide_view(request: HttpRequest, remedy_id: uuid.UUID, decision: str) -> HttpResponse:
    user = actor(request)
    if not user.is_manager:
        raise PermissionDenied
    remedy = (
        Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team")
        .filter(public_id=remedy_id)
        .first()
    )
    if remedy is None or decision not in ("approve", "reject"):
        raise Http404("no such approval")
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "approve":
            remedy_approve(actor=user, remedy=remedy, reason=reason)
            messages.success(request, _("Approved and granted: %(reference)s.") % {"reference": remedy.case.reference})
        else:
            remedy_reject(actor=user, remedy=remedy, reason=reason)
            messages.success(request, _("Rejected: %(reference)s.") % {"reference": remedy.case.reference})
    except (RemedyError, IllegalTransition) as error:
        messages.error(request, _message(error))
    return redirect("remedies:approvals")
