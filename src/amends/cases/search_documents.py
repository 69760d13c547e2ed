"""The case search documents, kept in step with the cases (writes; the reads are in search.py).

A document is written when a case opens, grows by each message, and its identity is rewritten when the customer's
name is learnt. Each write is one statement; the text work is cached per word (search_text.word_keys), so an
intake pays a fraction of a millisecond for it (benchmarks/search.py measures it).
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Value
from django.db.models.functions import Concat

from amends.customers.models import Customer

from .models import Case, Message, SearchDocument
from .search_text import case_document, document_keys

BATCH = 1000


def _document(case: Case, bodies: list[str]) -> tuple[str, str]:
    customer = case.customer
    return case_document(
        reference=case.reference,
        customer_name=customer.name,
        customer_email=customer.email or "",
        order_reference=case.order_reference,
        subject=case.subject,
        description=case.description,
        bodies=bodies,
    )


def search_document_create(*, case: Case) -> SearchDocument:
    """The document of a case just opened (its first message is its description)."""
    identity, words = _document(case, [])
    return SearchDocument.objects.create(case_id=case.pk, identity=identity, words=words)


def search_document_add_message(*, case: Case, body: str) -> None:
    """A new message's words, added to its case's document (which is written whole if the case has none yet)."""
    if body == case.description:
        return  # the message that opened the case: its words are in the document already
    keys = document_keys(body)
    added = SearchDocument.objects.filter(case_id=case.pk).update(words=Concat(F("words"), Value(" " + keys)))
    if not added:
        search_document_refresh(case=case)


def search_document_refresh(*, case: Case) -> None:
    """The document of one case, rewritten whole from the case, its customer and its messages."""
    bodies = list(Message.objects.filter(case_id=case.pk).order_by("created_at", "id").values_list("body", flat=True))
    identity, words = _document(case, bodies)
    SearchDocument.objects.update_or_create(case_id=case.pk, defaults={"identity": identity, "words": words})


def search_identity_refresh(*, customer: Customer) -> int:
    """The identity part of every document of a customer whose name or e-mail changed; how many were written."""
    documents = []
    for case in Case.objects.filter(customer=customer).only("id", "reference", "order_reference"):
        identity, _words = case_document(
            reference=case.reference,
            customer_name=customer.name,
            customer_email=customer.email or "",
            order_reference=case.order_reference,
            subject="",
            description="",
            bodies=[],
        )
        documents.append(SearchDocument(case_id=case.pk, identity=identity))
    SearchDocument.objects.bulk_update(documents, ["identity"], batch_size=BATCH)
    return len(documents)


def search_documents_build(
    *, after_id: int = 0, batch: int = BATCH, rewrite: bool = False, models: Iterable | None = None
) -> int:
    """Documents for every case after `after_id` that has none (or every case, `rewrite`), a batch at a time (the
    backfill of migration 0010 and `manage.py search_reindex`); how many were written. `models` lets a migration
    pass its historical (Case, Message, SearchDocument)."""
    case_model, message_model, document_model = models or (Case, Message, SearchDocument)
    written = 0
    while True:
        chosen = case_model.objects.filter(id__gt=after_id)
        if not rewrite:
            chosen = chosen.filter(search_document__isnull=True)
        cases = list(
            chosen.select_related("customer")
            .only("id", "reference", "order_reference", "subject", "description", "customer__name", "customer__email")
            .order_by("id")[:batch]
        )
        if not cases:
            return written
        bodies: dict[int, list[str]] = defaultdict(list)
        for case_id, body in (
            message_model.objects.filter(case_id__in=[c.pk for c in cases])
            .order_by("case_id", "created_at", "id")
            .values_list("case_id", "body")
        ):
            bodies[case_id].append(body)
        documents = []
        for case in cases:
            identity, words = _document(case, bodies[case.pk])
            documents.append(document_model(case_id=case.pk, identity=identity, words=words))
        document_model.objects.bulk_create(
            documents, update_conflicts=True, unique_fields=["case"], update_fields=["identity", "words"]
        )
        written += len(documents)
        after_id = cases[-1].pk
