"""Webhook endpoints and the events written to the outbox for them."""

import hashlib
import hmac
import json
import secrets
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from amends.outbox.models import OutboxMessage

from .models import WebhookEndpoint
from .safety import UnsafeDestination, check_url

EVENTS = (
    "case.opened",
    "case.replied",
    "case.customer_message",
    "case.resolved",
    "case.reopened",
    "case.closed",
    "remedy.granted",
    "incident.published",
    # A reply to a public post, for the connector to post under the brand's account (cases.services).
    "public_reply.requested",
)
_CACHE_SECONDS = 5.0
_cached: tuple[float, list[WebhookEndpoint]] | None = None


def webhook_endpoint_create(*, url: str, events: list[str] | None = None, description: str = "") -> WebhookEndpoint:
    chosen = list(events or EVENTS)
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise ValidationError({"events": f"unknown event(s) {', '.join(unknown)}; known: {', '.join(EVENTS)}"})
    try:
        check_url(url, allowed_hosts=frozenset(settings.WEBHOOK_ALLOWED_HOSTS))
    except UnsafeDestination as exc:
        raise ValidationError({"url": str(exc)}) from None
    endpoint = WebhookEndpoint.objects.create(
        public_id=uuid.uuid4(),
        url=url,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        events=chosen,
        description=description[:200],
        created_at=timezone.now(),
    )
    webhook_endpoints_forget()
    return endpoint


def webhook_endpoint_disable(*, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    webhook_endpoints_forget()


def webhook_endpoints_forget() -> None:
    global _cached
    _cached = None


def _active_endpoints() -> list[WebhookEndpoint]:
    # Intake emits an event per complaint; the list of endpoints changes rarely, so read it every few seconds.
    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] > _CACHE_SECONDS:
        _cached = (now, list(WebhookEndpoint.objects.filter(is_active=True)))
    return _cached[1]


def webhook_subscribed(event: str) -> bool:
    """Whether any active endpoint listens for `event` (an event nobody hears would be written nowhere)."""
    return any(event in e.events for e in _active_endpoints())


def webhook_emit(
    *, event: str, case_id: int | None, data: dict[str, Any], headers: dict[str, str] | None = None
) -> int:
    """Write one outbox row per endpoint subscribed to `event`. Call inside the transaction of the change.
    `headers` are kept on each row (not sent): e.g. the message a public reply delivers, for the case page. An
    event about no one case (an incident published) has no case_id."""
    endpoints = [e for e in _active_endpoints() if event in e.events]
    if not endpoints:
        return 0
    now = timezone.now()
    rows = []
    for endpoint in endpoints:
        delivery = uuid.uuid4()
        body = json.dumps(
            {"id": str(delivery), "type": event, "created_at": now, "data": data},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        rows.append(
            OutboxMessage(
                public_id=delivery,
                kind=OutboxMessage.Kind.WEBHOOK,
                case_id=case_id,
                recipient=endpoint.url,
                subject=event,
                body=body,
                headers={**(headers or {}), "endpoint": str(endpoint.public_id)},
                next_attempt_at=now,
                created_at=now,
            )
        )
    OutboxMessage.objects.bulk_create(rows)
    return len(rows)


def signature(*, secret: str, timestamp: int, body: str) -> str:
    """Stripe-style: HMAC-SHA256 over "timestamp.body", so a receiver can refuse old or altered deliveries."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
