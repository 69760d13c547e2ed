"""Posting claimed webhook rows to their endpoints, signed, with the same retry rules as e-mail."""

import time
from contextlib import ExitStack
from typing import TYPE_CHECKING

from django.conf import settings

from amends.outbox.models import OutboxMessage
from amends.outbox.services import outbox_mark_failed, outbox_mark_sent

from .models import WebhookEndpoint
from .safety import Destination, UnresolvedHost, UnsafeDestination, destination
from .services import signature

if TYPE_CHECKING:
    import httpx

# httpx is imported where a delivery needs it, not when this module is: the web workers import the outbox (and so
# this module) but never deliver, and httpx brings its command-line tool (click, rich, pygments) when they are
# installed, ~14 MB of every web worker's memory (benchmarks/memory.py).


def _post(client: "httpx.Client", where: Destination, body: bytes, headers: dict[str, str]) -> "httpx.Response":
    """Post to an address the check approved, never to a fresh lookup of the name; TLS is verified against the
    name (sni_hostname). Each address the name had is tried in turn while none accepts the connection."""
    import httpx

    if not where.addresses:  # a host the operator allowed by name
        return client.post(where.url, content=body, headers=headers)

    def send(address: str) -> "httpx.Response":
        url, host = where.pinned(address)
        return client.post(url, content=body, headers={**headers, **host}, extensions={"sni_hostname": where.host})

    *others, last = where.addresses
    for address in others:
        try:
            return send(address)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            continue
    return send(last)


def webhooks_deliver(messages: list[OutboxMessage]) -> int:
    import httpx

    keys = {m.headers.get("endpoint") for m in messages}
    endpoints = {str(e.public_id): e for e in WebhookEndpoint.objects.filter(public_id__in=[k for k in keys if k])}
    allowed = frozenset(settings.WEBHOOK_ALLOWED_HOSTS)
    sent = 0
    # One client per host name, so that a TLS connection kept alive for one name is never reused for another
    # that resolved to the same address. No proxy from the environment: the connection goes where it was checked.
    with ExitStack() as stack:
        clients: dict[str, httpx.Client] = {}
        for message in messages:
            endpoint = endpoints.get(message.headers.get("endpoint", ""))
            if endpoint is None or not endpoint.is_active:
                outbox_mark_failed(message, error="the endpoint was removed or disabled", permanent=True)
                continue
            try:
                # Checked again at delivery: a host may resolve elsewhere now than when it was registered.
                where = destination(message.recipient, allowed_hosts=allowed)
            except UnsafeDestination as exc:
                outbox_mark_failed(message, error=str(exc), permanent=not isinstance(exc, UnresolvedHost))
                continue
            client = clients.get(where.host)
            if client is None:
                timeout = httpx.Timeout(
                    settings.WEBHOOK_TIMEOUT_SECONDS, connect=min(5.0, settings.WEBHOOK_TIMEOUT_SECONDS)
                )
                client = stack.enter_context(httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False))
                clients[where.host] = client
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "amends-webhooks/1",
                "X-Amends-Event": message.subject,
                "X-Amends-Delivery": str(message.public_id),
                "X-Amends-Signature": signature(secret=endpoint.secret, timestamp=int(time.time()), body=message.body),
            }
            try:
                response = _post(client, where, message.body.encode(), headers)
            except httpx.HTTPError as exc:
                outbox_mark_failed(message, error=f"{exc.__class__.__name__}: {exc}"[:500])
                continue
            if 200 <= response.status_code < 300:
                outbox_mark_sent(message)
                sent += 1
            else:
                retryable = response.status_code in (408, 429) or response.status_code >= 500
                outbox_mark_failed(message, error=f"HTTP {response.status_code}", permanent=not retryable)
    return sent
