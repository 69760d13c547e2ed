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
