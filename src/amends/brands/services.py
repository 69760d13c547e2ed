from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from amends.core.text import single_line

from .models import BrandIdentity
from .selectors import brand_default_forget


@transaction.atomic
def brand_save(
    *,
    brand: BrandIdentity | None,
    name: str,
    sender_name: str,
    sender_email: str,
    signature: str = "",
    public_handle: str = "",
    is_default: bool = False,
) -> BrandIdentity:
    """Create or change the identity replies go out under; a brand name, never an agent's own."""
    errors: dict[str, str] = {}
    name, sender_name = single_line(name)[:100], single_line(sender_name)[:100]
    sender_email = single_line(sender_email).lower()
    if not name:
        errors["name"] = "A brand identity needs a name."
    if not sender_name:
        errors["sender_name"] = "Give the name customers see as the sender."
    try:
        validate_email(sender_email)
    except ValidationError:
        errors["sender_email"] = "Enter a valid sender address."
    others = BrandIdentity.objects.filter(name=name)
    if brand is not None:
        others = others.exclude(pk=brand.pk)
    clash = others.exists()
    if clash:
        errors["name"] = f"A brand identity called {name!r} exists already."
    if errors:
        raise ValidationError(errors)
    brand = brand or BrandIdentity()
    brand.name, brand.sender_name, brand.sender_email = name, sender_name, sender_email
    brand.signature, brand.public_handle = signature.strip()[:2000], single_line(public_handle)[:100]
    if is_default:
        BrandIdentity.objects.exclude(pk=brand.pk).filter(is_default=True).update(is_default=False)
    brand.is_default = is_default or brand.is_default or not BrandIdentity.objects.filter(is_default=True).exists()
    brand.save()
    brand_default_forget()
    return brand
