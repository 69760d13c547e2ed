"""Console pages for triage: correcting a case's category, and the taxonomy managers edit."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.models import ActorKind, CaseEvent
from amends.cases.selectors import case_get
from amends.cases.services import event_record
from amends.cases.views import actor, staff_required
from amends.playbooks.services import case_playbook_apply

from .models import Category
from .selectors import cluster_members, clusters_growing
from .services import categories_in_use, category_create, category_remove, triage_correct
from .tasks import retrain_category_model


@require_POST
@staff_required
def correct_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = actor(request)
    case = case_get(actor=user, public_id=public_id)
    slug = request.POST.get("category", "")
    try:
        triage_correct(case_id=case.pk, text=case.description, category_slug=slug, actor=user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        event_record(
            case=case,
            kind=CaseEvent.Kind.TRIAGE_CORRECTED,
            actor_kind=ActorKind.AGENT,
            actor=user,
            data={"category": slug},
        )
        # The new category's playbook: its targets, and its team for a case no one has picked up yet.
        case_playbook_apply(case=case, actor=user)
        messages.success(request, _("Category set. The learner will use it at its next training."))
    return redirect("cases:case", public_id=public_id)


@staff_required
def taxonomy_view(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if request.method == "POST":
        if not user.is_manager:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "add":
                category_create(name=request.POST.get("name", ""), description=request.POST.get("description", ""))
                messages.success(request, _("Category added. Retrain the learner once it has examples."))
            elif action == "remove":
                category = Category.objects.filter(pk=request.POST.get("category") or 0, is_active=True).first()
                target = Category.objects.filter(pk=request.POST.get("move_to") or 0, is_active=True).first()
                if category is None:
                    raise ValidationError({"category": _("Choose a category to remove.")})
                moved = category_remove(category=category, move_to=target)
                messages.success(request, _("Category removed; %(n)s case(s) moved.") % {"n": moved})
            elif action == "retrain":
                retrain_category_model.enqueue()
                messages.success(request, _("Retraining started in the background."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return redirect("triage:taxonomy")
    counts = categories_in_use()
    categories = [(c, counts.get(c.pk, 0)) for c in Category.objects.filter(is_active=True)]
    return render(request, "triage/taxonomy.html", {"categories": categories, "can_edit": user.is_manager})


@staff_required
def clusters_view(request: HttpRequest) -> HttpResponse:
    """Probable incidents first, then the other clusters that are growing, each with its complaints."""
    actor(request)
    clusters = clusters_growing()
    members = cluster_members(cluster_ids=[c.pk for c in clusters])
    rows = [(c, members.get(c.pk, [])) for c in clusters]
    return render(request, "triage/clusters.html", {"rows": rows})
