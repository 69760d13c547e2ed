import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_by_reference, case_get
from amends.cases.views import actor, staff_required

from .models import ReplyTemplate
from .services import reply_coach, template_for, template_for_case, template_save
from .templating import VARIABLES, TemplateError, validate
from .templating import render as render_template


@require_POST
@staff_required
def coach_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Live coaching of the reply box (htmx, as the agent types)."""
    case = case_get(actor=actor(request), public_id=public_id)
    text = request.POST.get("body", "")[:50_000]
    if not text.strip():
        return HttpResponse("")
    return render(
        request, "replies/_coach.html", {"coaching": reply_coach(text=text, case=case, author=actor(request))}
    )


@staff_required
def template_insert_view(request: HttpRequest, public_id: uuid.UUID, purpose: str) -> HttpResponse:
    """The reply box, filled with the case's template for `purpose` (htmx swaps it in)."""
    case = case_get(actor=actor(request), public_id=public_id)
    template = template_for(purpose=purpose, case=case)
    filled = template_for_case(template=template, case=case) if template else None
    if filled is not None and filled.missing_options:
        # Never a reply with an empty list where the options belong: the agent is told to offer some first.
        return render(request, "replies/_reply_box.html", {"body": "", "missing_options": True})
    return render(request, "replies/_reply_box.html", {"body": filled.body if filled else ""})


@staff_required
def templates_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    language = request.GET.get("language", "")
    templates = ReplyTemplate.objects.select_related("category").order_by("language", "purpose")
    if language:
        templates = templates.filter(language=language)
    return render(
        request, "replies/templates.html", {"templates": templates, "can_edit": user.is_manager, "language": language}
    )


@staff_required
def template_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    template = ReplyTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404("no such template")
    subject, body, errors, preview = template.subject, template.body, {}, None
    reference = (request.POST.get("case") or request.GET.get("case") or "").strip().upper()[:40]
    case = case_by_reference(actor=user, reference=reference) if reference else None
    if reference and case is None:
        errors = {"case": _("No case has the reference %(reference)s.") % {"reference": reference}}
    if request.method == "POST":
        if not user.is_manager:
            raise PermissionDenied
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
        try:
            if request.POST.get("action") == "preview":
                validate(subject)
                validate(body)
            else:
                template_save(template=template, subject=subject, body=body, actor=user)
                messages.success(request, _("Template saved."))
                return redirect("replies:templates")
        except TemplateError as exc:
            errors = {"body": str(exc)}
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
    missing_options = False
    if not errors and case is not None:
        # A real case: its customer, its reference, and the options it really offers, with their links.
        draft = ReplyTemplate(subject=subject, body=body)
        filled = template_for_case(template=draft, case=case)
        preview, missing_options = (filled.subject, filled.body), filled.missing_options
    elif not errors:
        sample = {
            "customer_name": "Olga",
            "case_reference": "AM-2026-000123",
            "status_link": "https://…/status/…",
            "remedy_options": _("[the options offered on the case, each with the customer's link to choose it]"),
            "order_reference": "SO-1",
            "brand_name": "Customer care",
        }
        preview = (render_template(subject, sample), render_template(body, sample))
    return render(
        request,
        "replies/template_edit.html",
        {
            "template": template,
            "subject": subject,
            "body": body,
            "errors": errors,
            "preview": preview,
            "variables": VARIABLES,
            "can_edit": user.is_manager,
            "case": case,
            "reference": reference,
            "missing_options": missing_options,
        },
        status=400 if errors else 200,
    )
