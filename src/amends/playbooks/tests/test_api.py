from datetime import timedelta

import pytest
from django.test import Client

from amends.accounts.models import Team
from amends.cases.lifecycle import Priority
from amends.conftest import open_case
from amends.playbooks.services import StepInput
from amends.replies.models import ReplyTemplate

from .factories import category_of, save_playbook

pytestmark = pytest.mark.django_db
H, D = timedelta(hours=1), timedelta(days=1)


def test_it_lists_the_playbooks_with_their_targets_steps_and_remedies(api, manager):
    category = category_of(open_case().case)
    template = ReplyTemplate.objects.filter(category__isnull=True, purpose="apology", language="en").get()
    playbook = save_playbook(
        manager=manager,
        category=category,
        team=Team.objects.create(name="Fulfilment"),
        targets={Priority.URGENT: (30 * timedelta(minutes=1), 4 * H)},
        steps=["Check the order", StepInput(id=None, text="Send the right size")],
        remedy_kinds=["replacement", "discount_code"],
        reply_template=template,
    )
    response = api.get("/api/v1/playbooks")
    assert response.status_code == 200
    data = response.json()
    assert data["defaults"][2] == {
        "priority": 3,
        "first_response_seconds": 8 * 3600,
        "resolution_seconds": 3 * 86400,
        "source": "default",
    }
    (item,) = data["items"]
    assert item["category"] == category.slug and item["team"] == "Fulfilment"
    assert item["targets"][0] == {
        "priority": 1,
        "first_response_seconds": 1800,
        "resolution_seconds": 4 * 3600,
        "source": "playbook",
    }
    assert item["targets"][1]["source"] == "default" and len(item["targets"]) == 4
    assert [s["text"] for s in item["steps"]] == ["Check the order", "Send the right size"]
    assert item["steps"][0]["id"] == str(playbook.steps.first().public_id)
    assert item["remedy_kinds"] == ["replacement", "discount_code"]
    assert item["reply_template"] == {"purpose": "apology", "language": "en", "category": None}


def test_it_needs_an_api_key(db):
    response = Client().get("/api/v1/playbooks")
    assert response.status_code == 401 and "API key" in response.json()["detail"]
