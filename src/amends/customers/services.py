import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from amends.core.text import single_line

from .models import Customer, CustomerHandle


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


def customer_by_handle(*, platform: str, handle_key: str) -> Customer | None:
    return Customer.objects.filter(handles__platform=platform, handles__handle_key=handle_key).first()


def customer_handle_attach(*, customer: Customer, platform: str, handle: str) -> None:
    """Remember that this customer is `handle` on `platform`, unless that handle already names someone."""
    CustomerHandle.objects.bulk_create(
        [
            CustomerHandle(
                customer=customer,
                platform=platform,
                handle=handle,
                handle_key=handle.casefold(),
                created_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )


def customer_for_handle(
    *, platform: str, handle: str, name: str = "", language: str = "", known: Customer | None = None
) -> Customer:
    """The customer a public platform knows as `handle`, created on their first post with no e-mail address (the
    reply reaches them in the thread, through the connector). Call inside a transaction."""
    key = handle.casefold()
    customer = known or customer_by_handle(platform=platform, handle_key=key)
    if customer is not None:
        return customer
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                public_id=uuid.uuid4(), email=None, name=single_line(name)[:200], preferred_language=language
            )
            CustomerHandle.objects.create(
                customer=customer, platform=platform, handle=handle, handle_key=key, created_at=timezone.now()
            )
            return customer
    except IntegrityError:
        # A concurrent post by the same author created them first; use theirs.
        found = customer_by_handle(platform=platform, handle_key=key)
        if found is None:
            raise
        return found


def customer_label(customer: Customer) -> str:
    """How a person reads who the customer is: their name, else their e-mail, else their first handle."""
    if customer.name or customer.email:
        return customer.name or customer.email or ""
    handle = customer.handles.order_by("id").first()
    return f"@{handle.handle}" if handle else str(customer.public_id)
