"""Reads about customers: what they bought before and after a complaint."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Order

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ValueAround:
    """A customer's reported orders before and after a moment (a complaint), by currency."""

    before: dict[str, Decimal]
    after: dict[str, Decimal]
    orders_before: int
    orders_after: int

    @property
    def known(self) -> bool:
        return bool(self.orders_before or self.orders_after)


def customer_value_around(*, customer_id: int, at: datetime) -> ValueAround:
    rows = (
        Order.objects.filter(customer_id=customer_id)
        .values("currency")
        .annotate(
            before=Sum("value", filter=Q(placed_at__lt=at)),
            after=Sum("value", filter=Q(placed_at__gte=at)),
            n_before=Count("id", filter=Q(placed_at__lt=at)),
            n_after=Count("id", filter=Q(placed_at__gte=at)),
        )
        .order_by("currency")
    )
    before: dict[str, Decimal] = {}
    after: dict[str, Decimal] = {}
    n_before = n_after = 0
    for row in rows:
        # SQLite's SUM drops the scale (50, not 50.00): money is shown to the cent either way.
        if row["before"]:
            before[row["currency"]] = Decimal(row["before"]).quantize(CENT)
        if row["after"]:
            after[row["currency"]] = Decimal(row["after"]).quantize(CENT)
        n_before += row["n_before"]
        n_after += row["n_after"]
    return ValueAround(before=before, after=after, orders_before=n_before, orders_after=n_after)
