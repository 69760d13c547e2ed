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
