import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from amends.brands.models import BrandIdentity
from amends.brands.selectors import brand_default
from amends.brands.services import brand_save
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_new_default_brand_signs_the_next_acknowledgement():
    brand_save(
        brand=None, name="Stride", sender_name="Stride Care", sender_email="Care@Stride.example", is_default=True
    )
    assert brand_default().name == "Stride"
    open_case()
    assert OutboxMessage.objects.get().sender == "Stride Care <care@stride.example>"
    assert BrandIdentity.objects.filter(is_default=True).count() == 1


@pytest.mark.parametrize(
    ("field", "values"),
    [("sender_email", {"sender_email": "nope"}), ("name", {"name": " "}), ("sender_name", {"sender_name": "\r\n"})],
)
def test_bad_input_is_refused_field_by_field(field, values):
    data = {"name": "Stride", "sender_name": "Stride Care", "sender_email": "care@stride.example", **values}
    with pytest.raises(ValidationError) as excinfo:
        brand_save(brand=None, **data)
    assert field in excinfo.value.message_dict


def test_only_managers_edit_brands(agent_client, manager):
    assert agent_client.get("/console/brands/").status_code == 200
    assert agent_client.post("/console/brands/", {"name": "X"}).status_code == 403
    client = Client()
    client.force_login(manager)
    bad = client.post("/console/brands/", {"name": "X", "sender_name": "X", "sender_email": "bad"})
    assert bad.status_code == 400 and "valid sender address" in bad.content.decode()
    ok = client.post(
        "/console/brands/",
        {
            "name": "Sprint",
            "sender_name": "Sprint Care",
            "sender_email": "hi@sprint.example",
            "public_handle": "@sprint",
        },
    )
    assert ok.status_code == 302 and BrandIdentity.objects.filter(name="Sprint").exists()


@pytest.mark.django_db(transaction=True)
def test_a_default_brand_created_in_a_transaction_that_rolls_back_is_not_remembered():
    from django.db import transaction

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        lost = brand_default()
        raise Undo
    assert not BrandIdentity.objects.filter(pk=lost.pk).exists()
    kept = brand_default()
    assert BrandIdentity.objects.filter(pk=kept.pk).exists()  # not the rolled-back row, remembered
    assert brand_default().pk == kept.pk


@pytest.mark.django_db(transaction=True)
def test_a_default_brand_is_shared_with_other_threads_only_after_its_transaction_commits():
    import threading

    from django.db import connection, transaction

    seen: list[int] = []

    def other_thread() -> None:
        try:
            seen.append(brand_default().pk)
        finally:
            connection.close()

    from amends.brands import selectors

    with transaction.atomic():
        mine = brand_default()
        assert selectors._cached is None  # not yet visible to anyone else
    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(30)
    assert seen == [mine.pk]
