"""A public reply handed to the connector over real HTTP: signed, retried with backoff when the connector answers
500 or does not answer in time, and its state shown in words on the case page."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from amends.cases.services import case_reply
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due
from amends.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

REPLY = (
    "Ольга, простите нас: это наша ошибка. Спасибо, что написали. Напишите нам в личные сообщения, "
    "и мы всё исправим сегодня."
)


class Connector(ThreadingHTTPServer):
    """A connector as it misbehaves: answers each delivery with the next status, or hangs while `hang` is set."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.hang = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/public-replies"


class Handler(BaseHTTPRequestHandler):
    server: Connector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers.items()), body))
        if self.server.hang.is_set():
            self.server.release.wait(5)  # past the client's timeout; released when the test ends
            return
        self.send_response(self.server.statuses.pop(0) if self.server.statuses else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def connector(settings) -> Iterator[Connector]:  # type: ignore[no-untyped-def]
    server = Connector()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()


def _reply(agent, connector):  # type: ignore[no-untyped-def]
    endpoint = webhook_endpoint_create(url=connector.url, events=["public_reply.requested"])
    case = open_case(channel="public_thread", email="", name="Ольга").case
    case_reply(case=case, actor=agent, body=REPLY)
    return endpoint, case, OutboxMessage.objects.get(case=case, subject="public_reply.requested")


def _page_says(client, case) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/console/cases/{case.public_id}/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('data-testid="public-reply-delivery"')
    return html[start : html.index("</div>", start)]


def test_a_500_is_retried_with_backoff_then_delivered_signed(agent, agent_client, connector):
    endpoint, case, row = _reply(agent, connector)
    connector.statuses = [500]
    before = timezone.now()
    outbox_deliver_due()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "HTTP 500")
    assert row.next_attempt_at > before + timezone.timedelta(seconds=20)  # backoff, not an immediate retry
    said = _page_says(agent_client, case)
    assert "the connector answered with an error (HTTP 500) on 1 attempt; trying again" in said
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())  # the backoff has passed
    outbox_deliver_due()
    row.refresh_from_db()
    assert row.state == "sent" and len(connector.received) == 2
    headers, body = connector.received[-1]
    parts = dict(item.split("=", 1) for item in headers["X-Amends-Signature"].split(","))
    expected = hmac.new(endpoint.secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]) and headers["X-Amends-Event"] == "public_reply.requested"
    reply = json.loads(body)["data"]["public_reply"]
    assert reply["reply"] == REPLY and reply["continue_url"] in reply["text"]
    assert "Accepted by the connector" in _page_says(agent_client, case)


def test_a_connector_that_does_not_answer_in_time_is_retried(agent, agent_client, connector):
    _endpoint, case, row = _reply(agent, connector)
    connector.hang.set()
    outbox_deliver_due()
    row.refresh_from_db()
    assert row.state == "pending" and row.attempts == 1 and "Timeout" in row.last_error
    assert "the connector did not answer in time" in _page_says(agent_client, case)


def test_after_the_last_attempt_the_page_says_it_was_not_posted(agent, agent_client, connector, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    _endpoint, case, row = _reply(agent, connector)
    connector.statuses = [503]
    outbox_deliver_due()
    row.refresh_from_db()
    assert row.state == "failed"
    assert "Not posted: the connector did not take it after 1 attempt" in _page_says(agent_client, case)
