from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amends.cases.views import actor, staff_required

from .models import BrandIdentity
from .services import brand_save


@staff_required
def brands_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = actor(request)
    brand = None
    if pk is not None:
        brand = BrandIdentity.objects.filter(pk=pk).first()
        if brand is None:
            raise Http404("no such brand identity")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not user.is_manager:
            raise PermissionDenied
        try:
            brand_save(
                brand=brand,
                name=request.POST.get("name", ""),
                sender_name=request.POST.get("sender_name", ""),
                sender_email=request.POST.get("sender_email", ""),
                signature=request.POST.get("signature", ""),
                public_handle=request.POST.get("public_handle", ""),
                is_default=request.POST.get("is_default") == "1",
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Brand identity saved."))
            return redirect("brands:list")
    context = {
        "brands": BrandIdentity.objects.order_by("-is_default", "name"),
        "brand": brand,
        "errors": errors,
        "form": request.POST if errors else None,
        "can_edit": user.is_manager,
    }
    return render(request, "brands/brands.html", context, status=400 if errors else 200)
