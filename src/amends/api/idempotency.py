"""Idempotency-Key with Stripe's semantics.

The same key with the same request replays the first response; the same key with a different request is a
409. The record is written in the same transaction as the work, so a request that fails leaves no record and
may be retried with its key, and two racing requests with one key cannot both do the work.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.core.validators import text_refusal

from .models import ApiKey, IdempotencyRecord

MAX_KEY = 255


def _conflict(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=409)


def recorded(api_key: ApiKey, key: str) -> IdempotencyRecord | None:
    """The response already given for this key of this API key, if any (keys of different API keys never meet)."""
    return IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()


def run_idempotent(
    request: HttpRequest, api_key: ApiKey, work: Callable[[], tuple[int, dict[str, Any]]]
) -> JsonResponse:
    """Run `work` (which returns a status and a JSON-ready body) at most once per Idempotency-Key."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = work()
        return JsonResponse(body, status=status)
    if len(key) > MAX_KEY:
        return JsonResponse(
            {"detail": _("The Idempotency-Key header is longer than %(n)s characters.") % {"n": MAX_KEY}}, status=400
        )
    problem = text_refusal(key)
    if problem:
        return JsonResponse({"detail": problem, "errors": {"Idempotency-Key": [problem]}}, status=400)
    digest = hashlib.sha256(
        b"\0".join([(request.method or "").encode(), request.path.encode(), request.body])
    ).hexdigest()

    def replay(record: IdempotencyRecord) -> JsonResponse:
        if record.request_hash != digest:
            return _conflict(_("This Idempotency-Key was already used with a different request."))
        response = JsonResponse(record.response_body, status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response

    existing = recorded(api_key, key)
    if existing:
        return replay(existing)
    try:
        with transaction.atomic():
            status, body = work()
            IdempotencyRecord.objects.create(
                api_key=api_key,
                key=key,
                method=request.method or "",
                path=request.path[:300],
                request_hash=digest,
                status_code=status,
                response_body=body,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # A concurrent request with the same key won the race; its work stands and ours was rolled back.
        winner = recorded(api_key, key)
        if winner is None:
            raise
        return replay(winner)
    return JsonResponse(body, status=status)
