from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AuthorityLimit, Team, User


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


def authority_limits_save(*, amounts: dict[str, str], actor: User) -> None:
    """Set every role's limit from the manager's form: an amount, or empty for no limit. All or nothing."""
    if not actor.is_manager:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Decimal | None] = {}
    for role in User.Role.values:
        raw = (amounts.get(role) or "").strip().replace(",", ".")
        if not raw:
            parsed[role] = None
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors[role] = [_("Enter an amount such as 50 or 49.99, or leave it empty for no limit.")]
            continue
        if not value.is_finite() or value < 0 or value >= Decimal("1e10") or value != value.quantize(Decimal("0.01")):
            errors[role] = [_("Enter an amount from 0 to 9,999,999,999.99 with at most two decimals.")]
            continue
        parsed[role] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for role, amount in parsed.items():
            AuthorityLimit.objects.update_or_create(role=role, defaults={"amount": amount})
