from .models import Team, User


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
