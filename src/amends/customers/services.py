import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.core.text import single_line

from .models import Customer, Order


def customer_get_or_create(
    *,
    email: str,
    name: str = "",
    language: str = "",
    external_id: str | None = None,
    known: Customer | None = None,
) -> Customer:
    """The customer with this e-mail, created on first contact; a name or language they give fills blanks only.
    `known` is the caller's own fresh lookup of the same e-mail, saving a second read."""
    email = email.strip().lower()
    name = single_line(name)[:200]
    customer = known if known is not None and known.email == email else Customer.objects.filter(email=email).first()
    if customer is None:
        if external_id and Customer.objects.filter(external_id=external_id).exists():
            external_id = None  # that reference already names someone else; the e-mail decides who this is
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    public_id=uuid.uuid4(),
                    email=email,
                    name=name,
                    preferred_language=language,
                    external_id=external_id or None,
                )
        except IntegrityError:
            # A concurrent intake created the same customer first; use theirs.
            customer = Customer.objects.get(email=email)
    updates = {}
    if name and not customer.name:
        updates["name"] = name
    if language and not customer.preferred_language:
        updates["preferred_language"] = language
    if external_id and not customer.external_id and not Customer.objects.filter(external_id=external_id).exists():
        updates["external_id"] = external_id
    if updates:
        Customer.objects.filter(pk=customer.pk).update(**updates)
        for field, value in updates.items():
            setattr(customer, field, value)
    return customer


# ---------------------------------------------------------------- orders (the shop reports them through the API)


@dataclass(frozen=True)
class OrderRow:
    external_id: str
    placed_at: datetime
    value: Decimal
    currency: str
    customer_external_id: str = ""
    customer_email: str = ""


@dataclass
class OrdersOutcome:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Row number (from 0) → field → messages. Any error and nothing of the batch is stored.
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)


MAX_ORDERS = 1000


def orders_record(*, rows: list[OrderRow], now: datetime | None = None) -> OrdersOutcome:
    """Store a batch of orders, all or nothing. Idempotent by the shop's order number: a row reported before with
    the same facts is `unchanged`; with other facts it is refused (an order does not change its customer, time or
    value). A customer we do not know is refused by row, by name. New orders add to the customer's lifetime value."""
    now = now or timezone.now()
    outcome = OrdersOutcome()
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.external_id in seen:
            outcome.errors.setdefault(index, {})["external_id"] = [
                _("The order %(order)s is in this batch twice (rows %(first)s and %(second)s).")
                % {"order": row.external_id, "first": seen[row.external_id], "second": index}
            ]
        seen.setdefault(row.external_id, index)
        if bool(row.customer_external_id) == bool(row.customer_email):
            outcome.errors.setdefault(index, {})["customer"] = [
                _("Name the customer by external_id or by email (one of them).")
            ]
    by_ref = {
        ref: pk
        for ref, pk in Customer.objects.filter(
            external_id__in={r.customer_external_id for r in rows if r.customer_external_id}
        ).values_list("external_id", "pk")
    }
    by_email = {
        email: pk
        for email, pk in Customer.objects.filter(
            email__in={r.customer_email.strip().lower() for r in rows if r.customer_email}
        ).values_list("email", "pk")
    }
    existing = {o.external_id: o for o in Order.objects.filter(external_id__in=[r.external_id for r in rows])}
    fresh: list[tuple[int, OrderRow, int]] = []
    for index, row in enumerate(rows):
        if index in outcome.errors:
            continue
        if row.customer_external_id:
            customer_id = by_ref.get(row.customer_external_id)
            missing = _("No customer has the external_id %(ref)s.") % {"ref": row.customer_external_id}
        else:
            customer_id = by_email.get(row.customer_email.strip().lower())
            missing = _("No customer has the e-mail address %(email)s.") % {"email": row.customer_email}
        if customer_id is None:
            outcome.errors.setdefault(index, {})["customer"] = [missing]
            continue
        before = existing.get(row.external_id)
        if before is not None:
            same = (
                before.customer_id == customer_id
                and before.placed_at == row.placed_at
                and before.value == row.value
                and before.currency == row.currency
            )
            if same:
                outcome.unchanged.append(row.external_id)
            else:
                outcome.errors.setdefault(index, {})["external_id"] = [
                    _("The order %(order)s was reported before with other facts; an order does not change.")
                    % {"order": row.external_id}
                ]
            continue
        fresh.append((index, row, customer_id))
    if outcome.errors:
        outcome.created, outcome.unchanged = [], []
        return outcome
    try:
        with transaction.atomic():
            Order.objects.bulk_create(
                [
                    Order(
                        customer_id=customer_id,
                        external_id=row.external_id,
                        placed_at=row.placed_at,
                        value=row.value,
                        currency=row.currency,
                        created_at=now,
                    )
                    for _index, row, customer_id in fresh
                ]
            )
            added: dict[int, Decimal] = {}
            for _index, row, customer_id in fresh:
                added[customer_id] = added.get(customer_id, Decimal("0")) + row.value
            for customer_id, value in added.items():
                Customer.objects.filter(pk=customer_id).update(lifetime_value=F("lifetime_value") + value)
    except IntegrityError:
        # The same order reported by two requests at once: the other stored it; this batch stores nothing.
        raced = [r.external_id for _i, r, _c in fresh if Order.objects.filter(external_id=r.external_id).exists()]
        for index, row, _c in fresh:
            if row.external_id in raced:
                outcome.errors[index] = {
                    "external_id": [
                        _("The order %(order)s was stored meanwhile by another request; send the batch again.")
                        % {"order": row.external_id}
                    ]
                }
        if not outcome.errors:
            raise
        outcome.unchanged = []
        return outcome
    outcome.created = [row.external_id for _i, row, _c in fresh]
    return outcome
