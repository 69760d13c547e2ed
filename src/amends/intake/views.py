from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amends.brands.selectors import brand_default
from amends.cases.intake import MAX_ATTACHMENT_BYTES, IntakeRequest, Upload, case_open
from amends.cases.models import Channel
from amends.core.ratelimit import rate_limit
from amends.portal.selectors import portal_grant

from .forms import ComplaintForm

FORM_FIELDS = set(ComplaintForm.base_fields)


def render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """The page under the company's own name (the default brand's), not the product's generic one."""
    return django_render(request, template, {**context, "brand": brand_default()}, status=status)


@rate_limit("complaint", limit=10, methods=("POST",))
def complaint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "intake/complaint.html", {"form": ComplaintForm()})
    form = ComplaintForm(request.POST, request.FILES)
    if not form.is_valid():  # only the file field can fail here; the rules live in the intake service
        return render(request, "intake/complaint.html", {"form": form}, status=400)
    if form.cleaned_data["website"]:
        # The spam trap: answer like a success so the bot learns nothing, store nothing.
        return render(request, "intake/thanks.html", {"reference": None})
    files = request.FILES.getlist("attachments")
    oversized = [f.name for f in files if (f.size or 0) > MAX_ATTACHMENT_BYTES]
    if oversized:
        form.add_error(
            "attachments",
            _("The file %(name)s is too large: the limit is %(limit)s MB.")
            % {"name": oversized[0], "limit": MAX_ATTACHMENT_BYTES // 2**20},
        )
        return render(request, "intake/complaint.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        opened = case_open(
            request=IntakeRequest(
                email=data["email"],
                description=data["description"],
                channel=Channel.FORM,
                name=data["name"],
                ui_language=get_language() or "",
                order_reference=data["order_reference"],
                order_value=data["order_value"],
                order_currency=data["order_currency"] if data["order_value"] else "",
                remedy_sought=data["remedy_sought"],
                uploads=[Upload(name=f.name or "", content=f.read()) for f in files],
            )
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(
                field if field in FORM_FIELDS else ("attachments" if field == "attachments" else None), errors
            )
        return render(request, "intake/complaint.html", {"form": form}, status=400)
    # The person who just wrote to us may follow the case in this browser straight away.
    if opened.status_link is not None:  # always for the form: only a public post's comment joins a case
        portal_grant(request, link=opened.status_link)
    return render(request, "intake/thanks.html", {"reference": opened.case.reference, "case": opened.case})
