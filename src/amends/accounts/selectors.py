from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from . import signin
from .models import AuthorityLimit, SignInFailure, SignInThrottle, User


def authority_limit(user: User) -> Decimal | None:
    """The user's authority: their role's limit; None when the role has no limit."""
    limit = AuthorityLimit.objects.filter(role=user.role).first()
    return limit.amount if limit else None


def integration_authority_limit() -> Decimal | None:
    """An integration's authority (an API key: no person stands behind it) is an agent's, the front line's, unless
    a person overrides the coach on purpose; None when agents have no limit."""
    limit = AuthorityLimit.objects.filter(role=User.Role.AGENT).first()
    return limit.amount if limit else None


def authority_limits() -> list[tuple[str, str, Decimal | None, Decimal | None]]:
    """Every role with its label, its limit per case and its limit per day, in the order of the roles."""
    limits = {limit.role: limit for limit in AuthorityLimit.objects.all()}
    rows = []
    for role, label in User.Role.choices:
        limit = limits.get(role)
        rows.append((role, str(label), limit.amount if limit else None, limit.per_day if limit else None))
    return rows


def sign_in_failures(*, actor: User) -> QuerySet[SignInFailure]:
    """Failed sign-ins, newest first; managers only."""
    if not actor.is_manager:
        return SignInFailure.objects.none()
    return SignInFailure.objects.select_related("user").order_by("-at")


@dataclass(frozen=True)
class Pause:
    throttle: SignInThrottle
    until: datetime


def sign_in_pauses(*, actor: User) -> list[Pause]:
    """Accounts and addresses that may not try to sign in now, longest wait first; managers only."""
    if not actor.is_manager:
        return []
    now = timezone.now()
    candidates = SignInThrottle.objects.filter(
        failures__gte=min(signin.ACCOUNT.free, signin.ADDRESS.free),
        last_failure_at__gt=now - max(signin.ACCOUNT.longest_pause, signin.ADDRESS.longest_pause),
    )
    pauses = []
    for row in candidates:
        until = signin.ALLOWANCES[row.scope].paused_until(row.failures, row.last_failure_at)
        if until is not None and until > now:
            pauses.append(Pause(throttle=row, until=until))
    return sorted(pauses, key=lambda p: p.until, reverse=True)
