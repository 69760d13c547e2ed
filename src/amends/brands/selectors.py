import time

from django.conf import settings

from .models import BrandIdentity

# Every intake needs the default brand and it changes perhaps once a year: read it at most once a minute per
# process instead of once per complaint.
_CACHE_SECONDS = 60.0
_cached: tuple[float, BrandIdentity] | None = None


def brand_default() -> BrandIdentity:
    """The default brand; a fresh install gets one named after the sender address so mail can always go out."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < _CACHE_SECONDS:
        return _cached[1]
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
    _cached = (now, brand)
    return brand


def brand_default_forget() -> None:
    """Drop the cached default brand (after the default changes, and between tests)."""
    global _cached
    _cached = None
