import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.core.ratelimit import client_address

from . import signin
from .models import AuthorityLimit, SignInFailure, SignInThrottle, Team, User

logger = logging.getLogger(__name__)


def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = User.Role.AGENT,
    team: Team | None = None,
) -> User:
    if role not in User.Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        team=team,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    return user


def team_get_or_create(*, name: str) -> Team:
    team, _created = Team.objects.get_or_create(name=name)
    return team


def _limit(raw: str | None) -> Decimal | None:
    """A limit as a manager typed it: an amount, or empty for no limit; ValidationError names what is wrong."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter an amount such as 50 or 49.99, or leave it empty for no limit.")) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e10") or value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Enter an amount from 0 to 9,999,999,999.99 with at most two decimals."))
    return value


def authority_limits_save(*, amounts: dict[str, str], actor: User, per_day: dict[str, str] | None = None) -> None:
    """Set every role's limit per case (and, when given, per day: all of one person's grants in a day) from the
    manager's form: an amount, or empty for no limit. All or nothing."""
    if not actor.is_manager:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    parsed: dict[str, dict[str, Decimal | None]] = {}
    for role in User.Role.values:
        parsed[role] = {}
        fields = [("amount", role, amounts)] + (
            [("per_day", f"{role}__per_day", per_day)] if per_day is not None else []
        )
        for field, key, source in fields:
            try:
                parsed[role][field] = _limit(source.get(key))
            except ValidationError as exc:
                errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for role, values in parsed.items():
            AuthorityLimit.objects.update_or_create(role=role, defaults=values)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or none; `checked` is False when a pause refused it before the password
    was looked at; `wait` is how long until the next try may be made (after a refusal, or a failure that started
    a pause)."""

    user: User | None
    checked: bool = True
    wait: timedelta | None = None


def _throttles(*, account: str, address: str) -> Q:
    return Q(scope=SignInThrottle.Scope.ACCOUNT, key=account) | Q(scope=SignInThrottle.Scope.ADDRESS, key=address)


def _sign_in_gate(*, account: str, address: str, now: datetime) -> timedelta | None:
    """Count this try against the account and the address before the password is checked, so tries made all at
    once are counted one after another; a success takes the count back. Return the wait if either is paused (and
    count nothing)."""
    for scope, key in ((SignInThrottle.Scope.ACCOUNT, account), (SignInThrottle.Scope.ADDRESS, address)):
        SignInThrottle.objects.get_or_create(scope=scope, key=key)
    with transaction.atomic():
        # Locked in one order (account before address), so two tries never wait on each other in a circle.
        rows = list(
            SignInThrottle.objects.select_for_update()
            .filter(_throttles(account=account, address=address))
            .order_by("scope")
        )
        wait = timedelta(0)
        for row in rows:
            allowance = signin.ALLOWANCES[row.scope]
            failures = allowance.remembered(row.failures, row.last_failure_at, now)
            until = allowance.paused_until(failures, row.last_failure_at)
            if until is not None and until > now:
                wait = max(wait, until - now)
            row.failures = failures
        if wait:
            return wait
        for row in rows:
            row.failures += 1
            row.last_failure_at = now
            row.save(update_fields=["failures", "last_failure_at"])
    return None


def sign_in(*, request: HttpRequest, username: str, password: str) -> SignIn:
    """Check a console sign-in, throttled per account and per address (accounts.signin): a paused account or
    address is refused without looking at the password, even the right one; every failure is recorded."""
    now = timezone.now()
    address = client_address(request)
    account = username.strip().casefold()[:150]
    wait = _sign_in_gate(account=account, address=address, now=now)
    if wait is not None:
        logger.info(
            "Sign-in refused for %r from %s: paused for %d s more", username[:150], address, wait.total_seconds()
        )
        return SignIn(user=None, checked=False, wait=wait)
    user = authenticate(request, username=username, password=password)
    if isinstance(user, User):
        with transaction.atomic():
            SignInThrottle.objects.filter(scope=SignInThrottle.Scope.ACCOUNT, key=account).update(
                failures=0, last_failure_at=None
            )
            SignInThrottle.objects.filter(scope=SignInThrottle.Scope.ADDRESS, key=address, failures__gt=0).update(
                failures=F("failures") - 1
            )
        return SignIn(user=user)
    return _sign_in_failed(username=username, account=account, address=address, now=now)


def _sign_in_failed(*, username: str, account: str, address: str, now: datetime) -> SignIn:
    pauses = []
    for row in SignInThrottle.objects.filter(_throttles(account=account, address=address)):
        until = signin.ALLOWANCES[row.scope].paused_until(row.failures, row.last_failure_at)
        if until is not None and until > now:
            pauses.append(until)
    paused_until = max(pauses, default=None)
    SignInFailure.objects.create(
        username=username[:150],
        user=User.objects.filter(username=username).first(),
        address=address,
        at=now,
        paused_until=paused_until,
    )
    if paused_until is None:
        logger.warning("Failed sign-in for %r from %s", username[:150], address)
        return SignIn(user=None)
    logger.warning("Failed sign-in for %r from %s; signing in paused until %s", username[:150], address, paused_until)
    return SignIn(user=None, wait=paused_until - now)


def sign_in_pause_lift(*, throttle: SignInThrottle, actor: User) -> None:
    """A manager lets an account or address try again at once (a colleague locked out by someone else's guesses)."""
    if not actor.is_manager:
        raise PermissionDenied
    SignInThrottle.objects.filter(pk=throttle.pk).update(failures=0, last_failure_at=None)
    logger.warning("Sign-in pause on %s %r lifted by %s", throttle.scope, throttle.key, actor.username)
