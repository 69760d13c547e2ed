"""Console pages of an incident's apology campaign (managers), and the customer's own pages the message links to:
the incident's status for them, and unsubscribing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amends.cases.views import actor, staff_required
from amends.core.csv_safe import csv_line
from amends.incidents.models import Incident
from amends.outbox.models import Suppression
from amends.outbox.suppression import is_suppressed, suppression_add
from amends.remedies import codes

from . import letters
from .affected import affected_import_csv
from .forms import OrdersWindowForm
from .models import AffectedCustomer, Campaign, CampaignMessage
from .preview import campaign_previews
from .selection import (
    SelectionRefused,
    affected_select_complainants,
    affected_select_orders,
    orders_in_window_count,
    selection_window,
)
from .selectors import affected_summary, campaign_of, campaign_progress
from .services import (
    CampaignRefused,
    campaign_cancel,
    campaign_pause,
    campaign_rate_set,
    campaign_resume,
    campaign_save,
    campaign_start,
)


def _incident(request: HttpRequest, public_id: uuid.UUID) -> Incident:
    if not actor(request).is_manager:
        raise PermissionDenied
    incident = Incident.objects.select_related("brand").filter(public_id=public_id).first()
    if incident is None:
        raise Http404("no such incident")
    return incident


def _page(request: HttpRequest, incident: Incident, **extra: object) -> HttpResponse:
    status = 400 if extra.get("errors") or extra.get("report") else 200
    return render(request, "campaigns/campaign.html", {**_context(incident), **extra}, status=status)


@staff_required
@require_GET
def campaign_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _page(request, _incident(request, public_id))


@staff_required
@require_POST
def affected_upload(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, incident, errors={"file": [_("Choose a CSV file to upload.")]})
    report = affected_import_csv(incident=incident, upload=upload)  # type: ignore[arg-type]
    if report.imported:
        messages.success(
            request,
            _("%(added)s affected customers added (%(repeated)s were named already or twice).")
            % {"added": report.added, "repeated": report.repeated},
        )
        return redirect("campaigns:page", public_id=incident.public_id)
    return _page(request, incident, report=report)


def _context(incident: Incident) -> dict[str, object]:
    campaign = campaign_of(incident)
    return {
        "incident": incident,
        "campaign": campaign,
        "affected": affected_summary(incident),
        "progress": campaign_progress(campaign) if campaign and campaign.state != Campaign.State.DRAFT else None,
        "default_valid_until": timezone.localdate() + timedelta(days=1),
    }


@staff_required
@require_POST
def affected_complainants(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    try:
        selected = affected_select_complainants(incident=incident)
    except SelectionRefused as exc:
        messages.error(request, exc.message)
    else:
        (messages.success if selected.added else messages.info)(request, selected.message)
    return redirect("campaigns:page", public_id=incident.public_id)


def _form_errors(form: OrdersWindowForm) -> dict[str, list[str]]:
    return {("orders_" + name): [str(m) for m in msgs] for name, msgs in form.errors.items()}


@staff_required
@require_POST
def affected_orders(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Everyone who ordered in the window (the incident's own unless the manager gives one) becomes affected."""
    incident = _incident(request, public_id)
    form = OrdersWindowForm(request.POST)
    if not form.is_valid():
        return _page(request, incident, errors=_form_errors(form), orders_posted=request.POST)
    try:
        selected = affected_select_orders(
            incident=incident, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    except SelectionRefused as exc:
        if exc.conflict:
            messages.error(request, exc.message)
            return redirect("campaigns:page", public_id=incident.public_id)
        return _page(
            request, incident, errors={f"orders_{exc.field or 'start'}": [exc.message]}, orders_posted=request.POST
        )
    (messages.success if selected.added else messages.info)(request, selected.message)
    return redirect("campaigns:page", public_id=incident.public_id)


@staff_required
@require_GET
def affected_orders_count(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """How many customers ordered in the window the form names: htmx asks as the manager changes it."""
    incident = _incident(request, public_id)
    form = OrdersWindowForm(request.GET)
    context: dict[str, object] = {"incident": incident}
    if not form.is_valid():
        context["error"] = next(iter(form.errors.values()))[0]
    else:
        try:
            start, end = selection_window(
                incident=incident, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        except SelectionRefused as exc:
            context["error"] = exc.message
        else:
            context.update(start=start, end=end, found=orders_in_window_count(incident=incident, start=start, end=end))
    return render(request, "campaigns/_orders_count.html", context)


def _export_lines(incident: Incident) -> Iterator[bytes]:
    yield csv_line(["email", "name", "language", "order_reference", "source"]).encode()
    rows = (
        AffectedCustomer.objects.filter(incident=incident)
        .order_by("id")
        .values_list("customer__email", "name", "language", "order_reference", "source")
    )
    block: list[str] = []
    for row in rows.iterator(chunk_size=5000):
        block.append(csv_line(row))  # a name like =HYPERLINK(...) is written so a spreadsheet shows it as text
        if len(block) >= 2000:
            yield "".join(block).encode()
            block.clear()
    if block:
        yield "".join(block).encode()


@staff_required
@require_GET
def affected_export(request: HttpRequest, public_id: uuid.UUID) -> StreamingHttpResponse:
    incident = _incident(request, public_id)
    response = StreamingHttpResponse(_export_lines(incident), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="affected-{incident.slug}.csv"'
    return response


def _decimal(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("Write a number, such as 20.")) from None
    if not value.is_finite():
        raise ValidationError(_("Write a number, such as 20."))
    return value


@staff_required
@require_POST
def campaign_settings(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name in ("percent", "amount"):
        try:
            values[name] = _decimal(request.POST.get(name, ""))
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    try:
        values["rate"] = int(request.POST.get("rate", ""))
    except ValueError:
        errors["rate"] = [_("Give the rate as a whole number of messages a second.")]
    try:
        values["valid_until"] = date.fromisoformat(request.POST.get("valid_until", ""))
    except ValueError:
        errors["valid_until"] = [_("Give the last day the code works, as a date.")]
    if not errors:
        try:
            campaign = campaign_of(incident)
            if campaign is not None and campaign.state in (Campaign.State.SENDING, Campaign.State.PAUSED):
                campaign_rate_set(campaign=campaign, rate=int(values["rate"]))  # type: ignore[call-overload]
                messages.success(request, _("The rate was changed."))
                return redirect("campaigns:page", public_id=incident.public_id)
            campaign_save(
                incident=incident,
                remedy_kind=request.POST.get("remedy_kind", ""),
                currency=request.POST.get("currency", ""),
                actor=actor(request),
                **values,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            errors = {
                ("whole" if field == "__all__" else field): [str(m) for m in msgs]
                for field, msgs in exc.message_dict.items()
            }
        except CampaignRefused as exc:
            errors = {"whole": [exc.message]}
    if errors:
        return _page(request, incident, errors=errors, posted=request.POST)
    messages.success(request, _("The campaign was saved: look at the preview before you start it."))
    return redirect("campaigns:preview", public_id=incident.public_id)


@staff_required
@require_GET
def campaign_preview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    incident = _incident(request, public_id)
    campaign = campaign_of(incident)
    if campaign is None:
        messages.error(request, _("Choose the remedy and the rate first."))
        return redirect("campaigns:page", public_id=incident.public_id)
    return render(
        request,
        "campaigns/preview.html",
        {"incident": incident, "campaign": campaign, "previews": campaign_previews(campaign)},
    )


def _act(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    incident = _incident(request, public_id)
    campaign = campaign_of(incident)
    if campaign is None:
        messages.error(request, _("Choose the remedy and the rate first."))
        return redirect("campaigns:page", public_id=incident.public_id)
    try:
        if action == "start":
            started = campaign_start(campaign=campaign, actor=actor(request))
            messages.success(
                request,
                _("Sending started: %(queued)s messages queued, %(suppressed)s addresses skipped (suppressed).")
                % {"queued": started.queued, "suppressed": started.suppressed},
            )
        elif action == "pause":
            campaign_pause(campaign=campaign)
            messages.success(request, _("Sending is paused."))
        elif action == "resume":
            campaign_resume(campaign=campaign)
            messages.success(request, _("Sending goes on."))
        else:
            cancelled = campaign_cancel(campaign=campaign)
            messages.success(
                request, _("The campaign was cancelled: %(n)s messages will not be sent.") % {"n": cancelled}
            )
    except CampaignRefused as exc:
        messages.error(request, exc.message)
    return redirect("campaigns:page", public_id=incident.public_id)


@staff_required
@require_POST
def campaign_start_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "start")


@staff_required
@require_POST
def campaign_pause_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "pause")


@staff_required
@require_POST
def campaign_resume_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "resume")


@staff_required
@require_POST
def campaign_cancel_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _act(request, public_id, "cancel")


@staff_required
@require_GET
def campaign_progress_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The progress bar alone, polled by htmx every two seconds while the campaign sends."""
    incident = _incident(request, public_id)
    campaign = campaign_of(incident)
    if campaign is None:
        raise Http404("no campaign")
    return render(
        request,
        "campaigns/_progress.html",
        {"incident": incident, "campaign": campaign, "progress": campaign_progress(campaign)},
    )


# --- the customer's pages ----------------------------------------------------------------------------------


def _message(public_id: uuid.UUID, sig: str) -> CampaignMessage:
    if not letters.signature_valid(public_id, sig):
        raise Http404("no such link")
    message = CampaignMessage.objects.select_related("campaign__incident__brand").filter(public_id=public_id).first()
    if message is None:
        raise Http404("no such link")
    return message


@require_GET
def apology_status(request: HttpRequest, public_id: uuid.UUID, sig: str) -> HttpResponse:
    message = _message(public_id, sig)
    campaign = message.campaign
    return render(
        request,
        "campaigns/status.html",
        {
            "message": message,
            "incident": campaign.incident,
            "code": codes.group(message.code) if message.code else "",
            "valid_until": campaign.valid_until,
            "unsubscribe": letters.unsubscribe_url(public_id),
            "suppressed": is_suppressed(message.recipient),
        },
    )


@csrf_exempt  # RFC 8058: the mail provider posts "List-Unsubscribe=One-Click" with no token; the link is signed
@require_http_methods(["GET", "POST"])
def apology_unsubscribe(request: HttpRequest, public_id: uuid.UUID, sig: str) -> HttpResponse:
    message = _message(public_id, sig)
    if request.method == "POST":
        suppression_add(address=message.recipient, reason=Suppression.Reason.UNSUBSCRIBED, detail="one-click")
        return render(request, "campaigns/unsubscribed.html", {"incident": message.campaign.incident})
    return render(
        request,
        "campaigns/unsubscribe.html",
        {"message": message, "incident": message.campaign.incident, "done": is_suppressed(message.recipient)},
    )
