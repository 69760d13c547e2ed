"""Posting claimed webhook rows to their endpoints, signed, with the same retry rules as e-mail."""

import time

import httpx
from django.conf import settings

from amends.outbox.models import OutboxMessage

from .models import WebhookEndpoint
from .safety import UnsafeDestination, check_url
from .services import signature

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def webhooks_deliver(messages: list[OutboxMessage]) -> int:
    from amends.outbox.services import outbox_mark_failed, outbox_mark_sent

    keys = {m.headers.get("endpoint") for m in messages}
    endpoints = {str(e.public_id): e for e in WebhookEndpoint.objects.filter(public_id__in=[k for k in keys if k])}
    allowed = frozenset(settings.WEBHOOK_ALLOWED_HOSTS)
    sent = 0
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        for message in messages:
            endpoint = endpoints.get(message.headers.get("endpoint", ""))
            if endpoint is None or not endpoint.is_active:
                outbox_mark_failed(message, error="the endpoint was removed or disabled", permanent=True)
                continue
            try:
                # Checked again at delivery: a host may resolve elsewhere now than when it was registered.
                check_url(message.recipient, allowed_hosts=allowed)
            except UnsafeDestination as exc:
                outbox_mark_failed(message, error=str(exc), permanent=True)
                continue
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "amends-webhooks/1",
                "X-Amends-Event": message.subject,
                "X-Amends-Delivery": str(message.public_id),
                "X-Amends-Signature": signature(secret=endpoint.secret, timestamp=int(time.time()), body=message.body),
            }
            try:
                response = client.post(message.recipient, content=message.body.encode(), headers=headers)
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
