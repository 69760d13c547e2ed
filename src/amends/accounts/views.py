from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amends.cases.views import actor, staff_required

from .models import User
from .selectors import authority_limits
from .services import authority_limits_save


@staff_required
def authority_view(request: HttpRequest) -> HttpResponse:
    """Each role's authority limit; managers change them (the reply coach and, later, remedies hold to them)."""
    user = actor(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            authority_limits_save(amounts={role: request.POST.get(role, "") for role in User.Role.values}, actor=user)
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
            "errors": errors.get(role, []),
        }
        for role, label, amount in authority_limits()
    ]
    context = {"rows": rows, "can_edit": user.is_manager}
    return render(request, "accounts/authority.html", context, status=400 if errors else 200)
