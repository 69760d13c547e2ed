import time

from django.conf import settings
from django.db import transaction

from .models import BrandIdentity

# Every intake needs the default brand and it changes perhaps once a year: read it at most once a minute per
# process instead of once per complaint.
_CACHE_SECONDS = 60.0
_cached: tuple[float, BrandIdentity] | None = None


def brand_default() -> BrandIdentity:
    """The default brand; a fresh install gets one named after the sender address so mail can always go out."""
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
    # Shared with the other threads only once the caller's transaction commits: a row this transaction created
    # may yet roll back and, until the commit, other connections cannot see it (it would be a foreign key to
    # nothing). Outside a transaction on_commit runs at once.
    transaction.on_commit(lambda: _remember(now, brand))
    return brand


def _remember(when: float, brand: BrandIdentity) -> None:
    global _cached
    _cached = (when, brand)


def brand_default_forget() -> None:
    """Drop the cached default brand (after the default changes, and between tests)."""
    global _cached
    _cached = None
