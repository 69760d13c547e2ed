"""Webhooks delivered to a real local HTTP server, signed; unsafe destinations refused."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from amends.cases.lifecycle import Status
from amends.cases.services import case_reply
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_deliver_due
from amends.webhooks.safety import UnsafeDestination, check_url
from amends.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers.items()), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    server = Receiver()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in headers["X-Amends-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_new_case_and_its_resolution_are_posted_signed(receiver, agent):
    endpoint = webhook_endpoint_create(url=receiver.url, events=["case.opened", "case.resolved"])
    case = open_case().case
    case_reply(case=case, actor=agent, body="Sorry, refunded.", status_after=Status.RESOLVED)
    assert outbox_deliver_due() == 4  # the acknowledgement, the reply e-mail and two webhooks
    events = [json.loads(body)["type"] for _headers, body in receiver.requests]
    assert events == ["case.opened", "case.resolved"]
    headers, body = receiver.requests[0]
    assert verify(endpoint.secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    payload = json.loads(body)
    assert payload["data"]["case"]["reference"] == case.reference and headers["X-Amends-Event"] == "case.opened"


def test_a_server_error_is_retried_and_a_client_error_parks_the_delivery(receiver):
    webhook_endpoint_create(url=receiver.url, events=["case.opened"])
    receiver.statuses = [503, 410]
    open_case(email="one@example.com")
    open_case(email="two@example.com")
    outbox_deliver_due()
    hooks = OutboxMessage.objects.filter(kind="webhook").order_by("id")
    assert [h.state for h in hooks] == ["pending", "failed"]
    assert hooks[0].last_error == "HTTP 503" and hooks[1].last_error == "HTTP 410"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://shop.example/hooks", "https"),
        ("https://127.0.0.1/hooks", "private"),
        ("https://10.1.2.3/x", "private"),
        ("https://169.254.169.254/latest", "private"),
        ("ftp://shop.example/x", "https"),
        ("https://user:pw@shop.example/x", "password"),
        ("not a url", "https"),
    ],
)
def test_unsafe_destinations_are_refused(db, url, reason):
    with pytest.raises(ValidationError) as excinfo:
        webhook_endpoint_create(url=url)
    assert reason in excinfo.value.message_dict["url"][0]


def test_private_addresses_are_refused_even_by_name():
    with pytest.raises(UnsafeDestination, match="private or local"):
        check_url("https://localhost/hooks")


def test_unknown_events_are_refused(db):
    with pytest.raises(ValidationError, match=r"case\.exploded"):
        webhook_endpoint_create(url="https://203.0.113.9/hooks", events=["case.exploded"])


def test_the_command_adds_lists_and_disables(receiver, capsys):
    call_command("webhook", "add", receiver.url, "--events", "case.opened")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    call_command("webhook", "list")
    line = capsys.readouterr().out.strip()
    assert "active" in line and receiver.url in line
    call_command("webhook", "disable", line.split()[0])
    open_case()
    assert not OutboxMessage.objects.filter(kind="webhook").exists()
    with pytest.raises(CommandError):
        call_command("webhook", "disable", "not-an-id")
    with pytest.raises(CommandError, match="https"):
        call_command("webhook", "add", "http://shop.example/x")
