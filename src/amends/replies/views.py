import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_get
from amends.cases.views import actor, staff_required

from .services import reply_coach


@require_POST
@staff_required
def coach_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Live coaching of the reply box (htmx, as the agent types)."""
    case = case_get(actor=actor(request), public_id=public_id)
    text = request.POST.get("body", "")[:50_000]
    if not text.strip():
        return HttpResponse("")
    return render(request, "replies/_coach.html", {"coaching": reply_coach(text=text, case=case)})
