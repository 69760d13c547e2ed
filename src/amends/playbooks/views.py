"""Console pages: the playbooks (managers edit, agents read) and the checklist on the case page."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.selectors import case_get
from amends.cases.views import actor, staff_required

from .forms import PlaybookForm, StepFormSet, TargetsForm, steps_given, steps_initial
from .models import ResponseTarget
from .selectors import case_checklist, default_targets, playbook_for, playbook_list, playbook_targets
from .services import checklist_step_tick, checklist_step_untick, default_targets_save, playbook_save


def _list_page(request: HttpRequest, defaults_form: TargetsForm | None = None, status: int = 200) -> HttpResponse:
    user = actor(request)
    defaults = default_targets(actor=user)
    rows = [
        {
            "category": category,
            "playbook": playbook,
            "targets": playbook_targets(actor=user, playbook=playbook),
        }
        for category, playbook in playbook_list(actor=user)
    ]
    context = {
        "rows": rows,
        "defaults": defaults,
        "defaults_form": defaults_form or TargetsForm(targets=defaults, auto_id="default_%s"),
        "can_edit": user.is_manager,
        "priorities": ResponseTarget.PRIORITY_CHOICES,
    }
    return render(request, "playbooks/list.html", context, status=status)


@staff_required
def playbooks_view(request: HttpRequest) -> HttpResponse:
    """Every category's playbook; managers also set the company's default targets here (the fallback for the
    priorities a playbook leaves empty, and for categories without one)."""
    user = actor(request)
    if request.method != "POST":
        return _list_page(request)
    if not user.is_manager:
        raise PermissionDenied
    form = TargetsForm(request.POST, auto_id="default_%s")
    if form.is_valid():
        try:
            default_targets_save(actor=user, targets=form.targets())
        except ValidationError as exc:
            _attach(exc, form)
        else:
            messages.success(request, _("The company's default targets are saved."))
            return redirect("playbooks:list")
    messages.error(request, _("Nothing was saved: see the messages below."))
    return _list_page(request, defaults_form=form, status=400)


@staff_required
def playbook_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A category's playbook: managers edit it, agents read it."""
    user = actor(request)
    category, playbook = playbook_for(actor=user, slug=slug)
    own = playbook_targets(actor=user, playbook=playbook)
    step_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not user.is_manager:
            raise PermissionDenied
        form = PlaybookForm(request.POST, category=category)
        steps = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and steps.is_valid():
            try:
                playbook_save(
                    actor=user,
                    category=category,
                    team=form.cleaned_data["team"],
                    targets=form.targets(),
                    steps=steps_given(steps),
                    remedy_kinds=form.cleaned_data["remedy_kinds"],
                    reply_template=form.cleaned_data["reply_template"],
                )
            except ValidationError as exc:
                step_errors = _attach(exc, form)
            else:
                messages.success(request, _("The playbook for %(category)s is saved.") % {"category": category.name})
                return redirect("playbooks:playbook", slug=category.slug)
        messages.error(request, _("The playbook was not saved: see the messages below."))
        status = 400
    else:
        initial = {
            "team": playbook.team if playbook else None,
            "remedy_kinds": playbook.remedy_kinds if playbook else [],
            "reply_template": playbook.reply_template if playbook else None,
        }
        form = PlaybookForm(targets=own, category=category)
        form.initial.update(initial)
        steps = StepFormSet(initial=steps_initial(list(playbook.steps.all()) if playbook else []), prefix="steps")
    context = {
        "category": category,
        "playbook": playbook,
        "form": form,
        "steps": steps,
        "step_errors": step_errors + list(steps.non_form_errors()),
        "own": own,
        "defaults": default_targets(actor=user),
        "can_edit": user.is_manager,
        "priorities": ResponseTarget.PRIORITY_CHOICES,
    }
    return render(request, "playbooks/playbook.html", context, status=status)


def _attach(exc: ValidationError, form: TargetsForm) -> list[str]:
    """Put the service's errors next to the fields they are about; those about the steps are returned."""
    rest: list[str] = []
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        elif name == "steps":
            rest.extend(errors)
        else:
            form.add_error(None, errors)
    return rest


@require_POST
@staff_required
def checklist_view(request: HttpRequest, public_id: uuid.UUID, step_id: uuid.UUID) -> HttpResponse:
    """Tick (done=1) or untick a checklist step on the case page: htmx gets the panel back, a plain form the page."""
    user = actor(request)
    case = case_get(actor=user, public_id=public_id)
    error = ""
    try:
        if request.POST.get("done") == "1":
            checklist_step_tick(case=case, step_id=step_id, actor=user)
        else:
            checklist_step_untick(case=case, step_id=step_id, actor=user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.headers.get("HX-Request"):
        context = {"case": case, "checklist": case_checklist(actor=user, case=case), "checklist_error": error}
        return render(request, "playbooks/_checklist.html", context)
    if error:
        messages.error(request, error)
    return redirect("cases:case", public_id=public_id)
