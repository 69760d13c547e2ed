from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.cases.views import actor, staff_required

from .forms import SignInForm
from .models import SignInThrottle, User
from .selectors import authority_limits, sign_in_failures, sign_in_pauses
from .services import authority_limits_save, sign_in_pause_lift


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", code="paused"):
            response.status_code = 429
        return response


@staff_required
def authority_view(request: HttpRequest) -> HttpResponse:
    """Each role's authority limit; managers change them (the reply coach and, later, remedies hold to them)."""
    user = actor(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            authority_limits_save(
                amounts={role: request.POST.get(role, "") for role in User.Role.values},
                per_day={f"{role}__per_day": request.POST.get(f"{role}__per_day", "") for role in User.Role.values},
                actor=user,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Authority limits saved."))
            return redirect("authority")
    rows = [
        {
            "role": role,
            "label": label,
            "amount": request.POST.get(role, "") if errors else amount,
            "per_day": request.POST.get(f"{role}__per_day", "") if errors else per_day,
            "errors": errors.get(role, []),
            "per_day_errors": errors.get(f"{role}__per_day", []),
        }
        for role, label, amount, per_day in authority_limits()
    ]
    context = {"rows": rows, "can_edit": user.is_manager}
    return render(request, "accounts/authority.html", context, status=400 if errors else 200)


@staff_required
def sign_ins_view(request: HttpRequest) -> HttpResponse:
    """Failed sign-ins and the accounts and addresses paused now; managers only."""
    user = actor(request)
    if not user.is_manager:
        raise PermissionDenied
    context = {"failures": sign_in_failures(actor=user)[:200], "pauses": sign_in_pauses(actor=user)}
    return render(request, "accounts/sign_ins.html", context)


@require_POST
@staff_required
def sign_in_lift_view(request: HttpRequest, pk: int) -> HttpResponse:
    sign_in_pause_lift(throttle=get_object_or_404(SignInThrottle, pk=pk), actor=actor(request))
    messages.success(request, _("The pause is lifted: signing in may be tried again at once."))
    return redirect("sign_ins")
