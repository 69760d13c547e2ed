"""Shared test fixtures: factories that go through the real services, and real servers the tests start."""

import importlib
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from amends.accounts.models import User
from amends.accounts.services import user_create
from amends.api.services import apikey_create
from amends.cases.intake import IntakeRequest, Opened, case_open
from amends.cases.public_threads import PublicPost

# The rows the data migrations seed (what the product ships with), by the very functions those migrations run. A
# transactional test flushes every table, migration data included, so a test that needs these rows after one asks
# for `migration_seeds` instead of seeding them by hand. Each function is idempotent (get_or_create, or "if none").
MIGRATION_SEEDS = (
    ("accounts", "0002_authority_limit", "default_limits"),  # authority limits per role
    ("triage", "0002_default_taxonomy", "forwards"),  # complaint categories
    ("replies", "0002_default_templates", "forwards"),  # message (reply) templates
    ("remedies", "0003_default_policy_v1", "forwards"),  # the default remedy policy
    ("playbooks", "0002_default_targets", "forwards"),  # company-wide response targets
    ("aftercare", "0002_root_cause_taxonomy", "seed"),  # root-cause taxonomy
)


def migration_seeds_run() -> None:
    from django.apps import apps

    from amends.remedies.selectors import policy_forget
    from amends.triage.services import categories_forget

    for app, migration, function in MIGRATION_SEEDS:
        seed = getattr(importlib.import_module(f"amends.{app}.migrations.{migration}"), function)
        seed(apps, None)  # the current models stand in for the historical ones: the seeded fields still exist
    categories_forget()
    policy_forget()


@pytest.fixture
def migration_seeds(request: pytest.FixtureRequest) -> None:
    """The migration-seeded rows, present again, in the test's database (transactional or not)."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    migration_seeds_run()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps what it receives; it can be told to refuse the next N mails, to
    refuse some recipients, and to offer PIPELINING (RFC 2920; aiosmtpd reads commands one by one either way, but
    does not announce it)."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    fail_next: int = 0
    fail_code: str = "451 4.3.0 Try again later"
    refused_recipients: set[str] = field(default_factory=set)
    pipelining: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refused_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_code
            self.received.append(
                message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            )  # type: ignore[arg-type]
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:  # type: ignore[no-untyped-def]
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 10},
        }
    }
    yield sink
    controller.stop()


def open_case(*, priority: int | None = None, **overrides: object) -> Opened:
    fields: dict = {
        "email": "olga@example.com",
        "name": "Ольга",
        "language": "ru",
        "description": "Прислали кроссовки не того размера, а нужны к субботе.",
    }
    fields.update(overrides)
    if fields.get("channel") == "public_thread" and "public" not in fields:
        # A public post comes with its platform, handle and address; tests that need none in particular get one.
        fields["public"] = PublicPost(
            platform="instagram",
            handle="@Olga.K",  # data, not a code: the display guard reads snake_case as a leaked code
            post_url=f"https://www.instagram.com/p/{uuid.uuid4().hex[:12]}/",
            followers=int(fields.get("followers") or 0),
        )
    if priority is None:
        return case_open(request=IntakeRequest(**fields))
    return case_open(request=IntakeRequest(**fields), priority=priority)


@pytest.fixture
def opened(db) -> Opened:  # type: ignore[no-untyped-def]
    return open_case()


@pytest.fixture
def agent(db) -> User:  # type: ignore[no-untyped-def]
    return user_create(username="ana", password="agent-password-1", first_name="Ana", role=User.Role.AGENT)


@pytest.fixture
def manager(db) -> User:  # type: ignore[no-untyped-def]
    return user_create(username="milan", password="manager-password-1", first_name="Milan", role=User.Role.MANAGER)


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(agent)
    return client


@pytest.fixture
def api_key(db) -> str:  # type: ignore[no-untyped-def]
    _record, key = apikey_create(name="shop backend")
    return key


@pytest.fixture
def api(api_key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_key}"})


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # One test's cached copies must not leak into the next. Rate limits count in the shared cache: in the database
    # (rolled back or flushed after each test) or, in the Redis mode, in the same Redis that clear() empties.
    from django.core.cache import cache

    from amends.brands.selectors import brand_default_forget
    from amends.playbooks.routing import playbooks_forget
    from amends.remedies.selectors import policy_forget
    from amends.triage.services import categories_forget
    from amends.webhooks.services import webhook_endpoints_forget

    cache.clear()
    brand_default_forget()
    categories_forget()
    playbooks_forget()
    webhook_endpoints_forget()
    policy_forget()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request through the test client leaves its language active in the thread (the locale middleware activates
    # it and nothing deactivates it): a Russian status page must not make the next test's messages Russian.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
