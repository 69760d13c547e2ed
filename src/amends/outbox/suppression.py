"""The suppression list: every campaign and every follow-up asks here before it writes a message."""

from collections.abc import Iterable

from django.utils import timezone

from .models import Suppression


def suppressed_addresses(addresses: Iterable[str]) -> set[str]:
    wanted = {a.strip().lower() for a in addresses if a}
    if not wanted:
        return set()
    found: set[str] = set()
    chunk = sorted(wanted)
    # Chunked so a million-address campaign stays under SQLite's bound-parameter limit.
    for start in range(0, len(chunk), 5000):
        part = chunk[start : start + 5000]
        found.update(Suppression.objects.filter(address__in=part).values_list("address", flat=True))
    return found


def is_suppressed(address: str) -> bool:
    return bool(address) and Suppression.objects.filter(address=address.strip().lower()).exists()


def suppression_add(*, address: str, reason: str, detail: str = "") -> Suppression:
    """Idempotent: the first reason recorded for an address stands."""
    suppression, _ = Suppression.objects.get_or_create(
        address=address.strip().lower(),
        defaults={"reason": reason, "detail": detail[:300], "created_at": timezone.now()},
    )
    return suppression
