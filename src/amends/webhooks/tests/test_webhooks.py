"""Webhooks delivered to a real local HTTP server, signed; unsafe destinations refused."""

import hashlib
import hmac
import ipaddress
import json
import socket
import socketserver
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
from amends.webhooks import safety
from amends.webhooks.safety import UnsafeDestination, check_url
from amends.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.location = ""

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
        if self.server.location:
            self.send_header("Location", self.server.location)
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


# The destination check at delivery, against real sockets: a name that changes its answer, the spellings of a
# private address, a redirect.


class Listener(socketserver.ThreadingTCPServer):
    """A bare TCP server that keeps the first bytes of every connection and hangs up: it sees any attempt to
    reach it, TLS or not."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), Recorder)
        self.received: list[bytes] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class Recorder(socketserver.BaseRequestHandler):
    server: Listener

    def handle(self) -> None:
        self.request.settimeout(5)
        try:
            self.server.received.append(self.request.recv(4096))
        except OSError:
            self.server.received.append(b"")


def serve(server: socketserver.BaseServer) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


@pytest.fixture
def internal() -> Iterator[Listener]:
    """A service inside the firewall, on 127.0.0.1, that no webhook may reach."""
    server = Listener()
    serve(server)
    yield server
    server.shutdown()
    server.server_close()


class Resolver:
    """DNS the test controls: each name answers from its queue (the last answer repeats); None fails the lookup.
    Other names resolve as usual. Every component that resolves (the check, httpx) asks it."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str] | None]] = {}
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(host)
        queue = self.answers[host]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer is None:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answer
        ]


@pytest.fixture
def dns(monkeypatch, settings) -> Resolver:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOWED_HOSTS = []
    resolver = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


def delivered_hook() -> OutboxMessage:
    open_case()
    outbox_deliver_due()
    return OutboxMessage.objects.get(kind="webhook")


def test_a_name_that_turns_private_after_registration_is_refused_at_delivery(dns, internal):
    url = f"https://hooks.partner.example:{internal.port}/hooks"
    dns.answers["hooks.partner.example"] = [["93.184.216.34"]]
    webhook_endpoint_create(url=url, events=["case.opened"])  # public when registered
    dns.answers["hooks.partner.example"] = [["127.0.0.1"]]  # and this machine at delivery
    hook = delivered_hook()
    assert hook.state == "failed" and "private or local address (127.0.0.1)" in hook.last_error
    assert internal.received == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns):
    dns.answers["hooks.partner.example"] = [["93.184.216.34", "10.0.0.7"]]
    with pytest.raises(ValidationError, match=r"private or local address \(10\.0\.0\.7\)"):
        webhook_endpoint_create(url="https://hooks.partner.example/hooks")


def test_delivery_connects_to_the_address_it_checked_not_to_a_second_lookup(dns, internal, monkeypatch):
    # The public side of the test is 127.0.0.2, which the check is told to treat as public; the name answers it
    # to the check and 127.0.0.1 to anyone who looks it up again (DNS rebinding).
    public = Listener("127.0.0.2", internal.port)
    serve(public)
    checked = safety.refused_address
    monkeypatch.setattr(safety, "refused_address", lambda ip: ip != ipaddress.ip_address("127.0.0.2") and checked(ip))
    dns.answers["hooks.partner.example"] = [["127.0.0.2"], ["127.0.0.2"], ["127.0.0.1"]]
    try:
        webhook_endpoint_create(url=f"https://hooks.partner.example:{internal.port}/hooks", events=["case.opened"])
        hook = delivered_hook()
    finally:
        public.shutdown()
        public.server_close()
    assert dns.lookups == ["hooks.partner.example"] * 2  # registration and delivery, nobody else
    assert internal.received == []
    [hello] = public.received
    assert hello[:1] == b"\x16" and b"hooks.partner.example" in hello  # a TLS ClientHello naming the host (SNI)
    assert hook.state == "pending" and hook.last_error.startswith("ConnectError")  # no certificate: tried again


def test_a_name_that_does_not_resolve_at_delivery_is_tried_again(dns):
    dns.answers["hooks.partner.example"] = [["93.184.216.34"], None]
    webhook_endpoint_create(url="https://hooks.partner.example/hooks", events=["case.opened"])
    hook = delivered_hook()
    assert hook.state == "pending" and "cannot be resolved" in hook.last_error


PRIVATE_FORMS = [
    ("[::1]", "private"),
    ("[::ffff:127.0.0.1]", "private"),
    ("[::127.0.0.1]", "private"),  # IPv4-compatible, deprecated
    ("[64:ff9b::7f00:1]", "private"),  # NAT64 of 127.0.0.1
    ("[2002:7f00:1::1]", "private"),  # 6to4 of 127.0.0.1
    ("[fd00::1]", "private"),
    ("[fe80::1]", "private"),
    ("[::]", "private"),
    ("[ff02::1]", "private"),
    ("2130706433", "unusual form"),
    ("0x7f000001", "unusual form"),
    ("127.1", "unusual form"),
    ("0177.0.0.1", "unusual form"),
    ("0", "unusual form"),
    ("127.0.0.1.", "private"),
    ("169.254.169.254", "private"),
    ("0.0.0.0", "private"),  # noqa: S104
    ("100.64.0.1", "private"),
    ("192.0.0.8", "private"),
    ("10.1.2.3", "private"),
    ("localhost", "private"),
]


@pytest.mark.parametrize(("host", "reason"), PRIVATE_FORMS)
def test_every_spelling_of_a_private_address_is_refused_at_registration(dns, host, reason):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=f"https://{host}:8443/hooks")
    assert reason in refused.value.message_dict["url"][0]


@pytest.mark.parametrize(("host", "reason"), PRIVATE_FORMS)
def test_every_spelling_of_a_private_address_is_refused_at_delivery(dns, internal, settings, host, reason):
    # Registered while the operator allowed the host by name; the allowance is gone by the time it is delivered.
    url = f"https://{host}:{internal.port}/hooks"
    settings.WEBHOOK_ALLOWED_HOSTS = [host.strip("[]")]
    webhook_endpoint_create(url=url, events=["case.opened"])
    settings.WEBHOOK_ALLOWED_HOSTS = []
    hook = delivered_hook()
    assert hook.state == "failed" and reason in hook.last_error
    assert internal.received == []


@pytest.mark.parametrize("url", ["https://::1/hooks", "https://[::1/hooks", "https://shop.example:99999/hooks"])
def test_a_malformed_address_is_refused_not_a_crash(db, url):
    with pytest.raises(ValidationError):
        webhook_endpoint_create(url=url)


def test_a_redirect_is_not_followed(receiver, internal):
    receiver.statuses, receiver.location = [307], f"http://127.0.0.1:{internal.port}/hooks"
    webhook_endpoint_create(url=receiver.url, events=["case.opened"])
    hook = delivered_hook()
    assert len(receiver.requests) == 1 and internal.received == []
    assert hook.state == "failed" and hook.last_error == "HTTP 307"
