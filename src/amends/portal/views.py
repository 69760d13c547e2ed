import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amends.cases.lifecycle import IllegalTransition, Status
from amends.cases.models import Channel
from amends.cases.selectors import timeline
from amends.cases.services import case_add_customer_message, case_customer_verdict, case_public_thread
from amends.core.ratelimit import rate_limit
from amends.remedies import codes
from amends.remedies.forms import OtherRemedyForm
from amends.remedies.selectors import customer_options
from amends.remedies.services import remedy_ask_other

from .apology import (
    apology_case,
    apology_case_link,
    apology_for_case,
    apology_grant,
    apology_granted,
    apology_link_expires,
    apology_message,
    apology_view,
)
from .apology_links import apology_signature_valid
from .forms import MessageForm, VerdictForm
from .models import StatusLink
from .selectors import portal_case, portal_grant, portal_granted_link
from .services import status_link_claim, status_link_find


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _no_referrer(render(request, "portal/link_invalid.html", status=404))


def _enter(request: HttpRequest, link: StatusLink) -> HttpResponse:
    """Swap the link for a session, then drop the token from the address bar and referrers."""
    request.session.cycle_key()
    portal_grant(request, link=link)
    response = redirect("portal:status", public_id=link.case.public_id)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, link.case.language, samesite="Lax", max_age=365 * 86400)
    return _no_referrer(response)


def _used(request: HttpRequest, link: StatusLink) -> HttpResponse:
    thread = case_public_thread(link.case)
    context = {"brand": link.case.brand, "handle": thread.handle if thread else "", "claimed_at": link.claimed_at}
    return _no_referrer(render(request, "portal/link_used.html", context, status=410))


@never_cache
@rate_limit("status-link", limit=30)
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an e-mail opens the status page at once. The private link in a public reply is seen by everyone
    in the thread, so it is single-use: opening it shows a page asking the customer to go on (link previews that
    platforms fetch, and onlookers' curiosity, claim nothing), going on claims it for this browser's session, and
    anyone after them is told in words that it was used and how the customer gets a new one."""
    link = status_link_find(token=token)
    if link is None:
        return _gone(request)
    if not link.single_use:
        StatusLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        return _enter(request, link)
    if portal_case(request, public_id=link.case.public_id) is not None and portal_granted_link(request, link=link):
        return redirect("portal:status", public_id=link.case.public_id)  # the browser that claimed it, again
    if link.claimed_at is not None:
        return _used(request, link)
    if request.method == "POST":
        if not status_link_claim(link=link):
            return _used(request, link)  # another browser confirmed a moment earlier
        return _enter(request, link)
    thread = case_public_thread(link.case)
    context = {"brand": link.case.brand, "handle": thread.handle if thread else ""}
    response = render(request, "portal/link_claim.html", context)
    # Not no-referrer: a browser then posts the form with Origin: null, which the CSRF check refuses. Same-origin
    # keeps the token in the address from every other site all the same.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def status(
    request: HttpRequest,
    public_id: uuid.UUID,
    form: MessageForm | None = None,
    other_form: OtherRemedyForm | None = None,
) -> HttpResponse:
    case = portal_case(request, public_id=public_id)
    if case is None:
        return _gone(request)
    options = customer_options(case=case, language=get_language() or case.language)
    apology = apology_for_case(request, case=case)
    context = {
        "case": case,
        "entries": timeline(case=case, public_only=True),
        "form": form or MessageForm(),
        "awaiting_verdict": case.status == Status.RESOLVED,
        "options": options,
        "choosing": any(option.token for option in options),
        "other_form": other_form or OtherRemedyForm(),
        "apology": apology,
        "apology_code": codes.group(apology.code) if apology and apology.code else "",
    }
    failed = form is not None or other_form is not None
    return render(request, "portal/status.html", context, status=400 if failed else 200)


@require_POST
@rate_limit("customer-message", limit=20)
def other_remedy(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The customer asks for something other than the options, in their own words."""
    case = portal_case(request, public_id=public_id)
    if case is None:
        return _gone(request)
    form = OtherRemedyForm(request.POST)
    if form.is_valid():
        try:
            remedy_ask_other(case=case, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, _("Thank you. We have your wish, and a colleague will answer you soon."))
            return redirect("portal:status", public_id=public_id)
    return status(request, public_id, other_form=form)


@require_POST
@rate_limit("customer-message", limit=20)
def write(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = portal_case(request, public_id=public_id)
    if case is None:
        return _gone(request)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            case_add_customer_message(case=case, body=form.cleaned_data["body"], channel=Channel.FORM)
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            messages.success(request, _("Thank you. Your message has been added to your case."))
            return redirect("portal:status", public_id=public_id)
    return status(request, public_id, form=form)


@require_POST
def verdict(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = portal_case(request, public_id=public_id)
    if case is None:
        return _gone(request)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/error.html", {"message": _("Please choose yes or no.")}, status=400)
    try:
        case_customer_verdict(case=case, accepted=form.cleaned_data["accepted"])
    except IllegalTransition:
        messages.info(request, _("This case is not waiting for your answer any more."))
    else:
        if form.cleaned_data["accepted"]:
            messages.success(request, _("Thank you for confirming. We are glad it is sorted out."))
        else:
            messages.warning(
                request, _("We are sorry it is not sorted out yet. Your case is open again and back with our team.")
            )
    return redirect("portal:status", public_id=public_id)


# --- the link in an incident apology ------------------------------------------------------------------------


def _refused(request: HttpRequest, *, title: str, text: str, status: int) -> HttpResponse:
    context = {"title": title, "text": text}
    return _no_referrer(render(request, "portal/link_refused.html", context, status=status))


@never_cache
@rate_limit("status-link", limit=30)
def apology_redeem(request: HttpRequest, public_id: uuid.UUID, sig: str) -> HttpResponse:
    """The link in a customer's apology: their case's status page if they complained about the incident, else a
    page of their own with the incident's updates and their code. The signed link is swapped for a session."""
    if not apology_signature_valid(public_id, sig):
        return _refused(
            request,
            title=_("This link is not valid"),
            text=_(
                "The link is not the one we sent: it may have been cut short when it was copied. Open it from our "
                "e-mail again, or copy the whole link."
            ),
            status=404,
        )
    message = apology_message(public_id)
    if message is None:
        return _gone(request)
    if timezone.now() > apology_link_expires(message):
        return _refused(
            request,
            title=_("This link has expired"),
            text=_(
                "The links in our e-mails work for %(days)s days. Write to us and we will answer you, and send you "
                "a new link to follow your case."
            )
            % {"days": settings.STATUS_LINK_DAYS},
            status=410,
        )
    request.session.cycle_key()
    apology_grant(request, message=message)
    case = apology_case(message)
    link = apology_case_link(message=message, case=case) if case is not None else None
    if link is not None:
        portal_grant(request, link=link)
        response = redirect("portal:status", public_id=link.case.public_id)
    else:
        response = redirect("portal:apology", public_id=message.public_id)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and message.language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, message.language, samesite="Lax", max_age=365 * 86400)
    return _no_referrer(response)


@never_cache
def apology(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A customer's own page about the incident: what happened, its public updates, their code and remedy."""
    message = apology_granted(request, public_id=public_id)
    if message is None:
        return _gone(request)
    view = apology_view(message, language=get_language() or message.language)
    case = view.case if view.case is not None and portal_case(request, public_id=view.case.public_id) else None
    return _no_referrer(render(request, "portal/apology.html", {"view": view, "case": case}))
