import hashlib
import hmac
import re
import secrets

from django.utils import timezone

from .models import ApiKey


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def apikey_create(*, name: str) -> tuple[ApiKey, str]:
    """A new key; the returned string is the only time the full key exists outside the caller's hands."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = f"amk_{prefix}_{secret}"
    record = ApiKey.objects.create(
        name=name.strip()[:100], prefix=prefix, key_hash=_hash(key), created_at=timezone.now()
    )
    return record, key


# What apikey_create hands out: amk_, twelve hex digits (the prefix, looked up), _, the secret (token_urlsafe).
KEY_SHAPE = re.compile(r"amk_([0-9a-f]{12})_[A-Za-z0-9_-]{1,100}")


def apikey_authenticate(*, key: str) -> ApiKey | None:
    # Anything else never reaches the database (a NUL in the prefix would make PostgreSQL fail the query).
    shape = KEY_SHAPE.fullmatch(key)
    if shape is None:
        return None
    record = ApiKey.objects.filter(prefix=shape.group(1), revoked_at__isnull=True).first()
    if record is None or not hmac.compare_digest(record.key_hash, _hash(key)):
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integrator must not turn every call into two writes.
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


def apikey_revoke(*, record: ApiKey) -> None:
    ApiKey.objects.filter(pk=record.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
