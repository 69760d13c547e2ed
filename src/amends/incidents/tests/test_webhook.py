"""`incident.published` reaches a connector signed, over real local HTTP; one that answers 500 or never answers is
retried, and the incident stays published exactly once."""

import json
import socket
from collections.abc import Iterator

import pytest
from django.utils import timezone

from amends.incidents.services import incident_publish
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due
from amends.webhooks.services import webhook_endpoint_create
from amends.webhooks.tests.test_webhooks import receiver, verify  # noqa: F401 (the fixture)

from .factories import declared

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A connector that accepts the connection and never answers (the kernel's backlog accepts it for us)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    server.close()


def _due_again() -> None:
    OutboxMessage.objects.filter(state="pending").update(next_attempt_at=timezone.now())


def test_a_connector_answering_500_gets_the_signed_event_on_the_retry(receiver, manager):  # noqa: F811
    endpoint = webhook_endpoint_create(url=receiver.url, events=["incident.published"])
    incident = declared(manager)
    incident_publish(incident=incident, actor=manager, level="company_page_post")
    incident_publish(incident=incident, actor=manager, level="company_page_post")  # twice: still one event
    receiver.statuses = [500]
    assert outbox_deliver_due() == 0
    hook = OutboxMessage.objects.get(kind="webhook")
    assert hook.state == "pending" and hook.last_error == "HTTP 500" and hook.attempts == 1
    _due_again()
    assert outbox_deliver_due() == 1
    assert OutboxMessage.objects.get(kind="webhook").state == "sent"
    assert len(receiver.requests) == 2
    headers, body = receiver.requests[-1]
    assert verify(endpoint.secret, headers, body) and headers["X-Amends-Event"] == "incident.published"
    payload = json.loads(body)["data"]["incident"]
    assert payload["slug"] == incident.slug and payload["brand"]["name"]


def test_a_connector_that_never_answers_times_out_and_is_retried(silent, manager, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    webhook_endpoint_create(url=silent, events=["incident.published"])
    incident_publish(incident=declared(manager), actor=manager, level="blog_post")
    assert outbox_deliver_due() == 0
    hook = OutboxMessage.objects.get(kind="webhook")
    assert hook.state == "pending" and "Timeout" in hook.last_error and hook.next_attempt_at > timezone.now()
