from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        MANAGER = "manager", _("Manager")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")

    @property
    def is_manager(self) -> bool:
        return self.role in (self.Role.MANAGER, self.Role.ADMIN)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuthorityLimit(models.Model):
    """The largest remedy a role may promise or grant without a manager's approval (P2), in the company's
    currency. No amount means no limit."""

    role = models.CharField(max_length=16, choices=User.Role.choices, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # What one person of the role may grant in a day, all cases together. No amount means no daily limit.
    per_day = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.role}: {self.amount if self.amount is not None else '∞'}"


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one account (the username as typed, case-folded) or one address. Once they pass
    the allowance, each further try waits longer (accounts.signin); a quiet day forgets them."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ADDRESS = "address", _("Address")

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="signin_throttle_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"


class SignInFailure(models.Model):
    """One failed sign-in, kept for managers to see: the username typed, the address, and the pause it started."""

    username = models.CharField(max_length=150)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.GenericIPAddressField()
    at = models.DateTimeField(db_index=True)
    paused_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"
