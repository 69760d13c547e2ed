from decimal import Decimal

from .models import AuthorityLimit, User


def authority_limit(user: User) -> Decimal | None:
    """The user's authority: their role's limit; None when the role has no limit."""
    limit = AuthorityLimit.objects.filter(role=user.role).first()
    return limit.amount if limit else None


def integration_authority_limit() -> Decimal | None:
    """An integration's authority (an API key: no person stands behind it) is an agent's, the front line's, unless
    a person overrides the coach on purpose; None when agents have no limit."""
    limit = AuthorityLimit.objects.filter(role=User.Role.AGENT).first()
    return limit.amount if limit else None


def authority_limits() -> list[tuple[str, str, Decimal | None]]:
    """Every role with its label and limit, in the order of the roles."""
    limits = {limit.role: limit.amount for limit in AuthorityLimit.objects.all()}
    return [(role, str(label), limits.get(role)) for role, label in User.Role.choices]
