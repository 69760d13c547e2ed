from django.conf import settings

from .models import BrandIdentity


def brand_default() -> BrandIdentity:
    """The default brand; a fresh install gets one named after the sender address so mail can always go out."""
    brand = BrandIdentity.objects.filter(is_default=True).first()
    if brand is None:
        brand, _created = BrandIdentity.objects.get_or_create(
            is_default=True,
            defaults={
                "name": "Customer care",
                "sender_name": "Customer care",
                "sender_email": settings.DEFAULT_FROM_EMAIL,
            },
        )
    return brand
