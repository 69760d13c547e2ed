import uuid

from django.db import IntegrityError, transaction

from amends.core.text import single_line

from .models import Customer


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
