"""Playbooks (P8): for each complaint category, who owns it, how fast it must be answered and resolved, the steps
to take, the remedies to offer by default and the reply to start from."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy

from amends.cases.lifecycle import Priority

from .targets import MAX_TARGET

MAX_STEPS = 30
MAX_STEP_LENGTH = 300


class RemedyKind(models.TextChoices):
    """The kinds of remedy a playbook may name as its defaults: the same values as the remedies app's
    `remedies.catalogue.Kind`, which offers them."""

    REFUND = "refund", pgettext_lazy("playbooks", "Refund")
    DISCOUNT_CODE = "discount_code", pgettext_lazy("playbooks", "Discount code")
    STORE_CREDIT = "store_credit", pgettext_lazy("playbooks", "Store credit")
    REPLACEMENT = "replacement", pgettext_lazy("playbooks", "Free replacement or exchange")
    SERVICE_PERIOD = "service_period", pgettext_lazy("playbooks", "Free service period")
    APPOINTMENT = "appointment", pgettext_lazy("playbooks", "Personal appointment")
    GIFT = "gift", pgettext_lazy("playbooks", "Gift")
    UPGRADE = "upgrade", pgettext_lazy("playbooks", "Upgrade")
    APOLOGY = "apology", pgettext_lazy("playbooks", "Apology only")


class Playbook(models.Model):
    """The plan for one category. Cases of the category are routed to its team at intake."""

    category = models.OneToOneField("triage.Category", on_delete=models.CASCADE, related_name="playbook")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="playbooks"
    )
    # RemedyKind values, in the order the manager ticked them; checked by the service that writes them.
    remedy_kinds = models.JSONField(default=list, blank=True)
    reply_template = models.ForeignKey(
        "replies.ReplyTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["category__name"]

    def __str__(self) -> str:
        return f"playbook for {self.category_id}"


class PlaybookStep(models.Model):
    """One step of a playbook's checklist. Cases record completion against it; a removed step leaves the cases
    that completed it their own copy of its words."""

    public_id = models.UUIDField(unique=True, editable=False)
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=MAX_STEP_LENGTH)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class ResponseTarget(models.Model):
    """How long the company may take, for one priority: to the first human answer, and to resolution. Rows without
    a playbook are the company's defaults, used wherever a playbook sets none."""

    PRIORITY_CHOICES = [
        (Priority.URGENT, pgettext_lazy("playbooks", "Urgent")),
        (Priority.HIGH, pgettext_lazy("playbooks", "High")),
        (Priority.NORMAL, pgettext_lazy("playbooks", "Normal")),
        (Priority.LOW, pgettext_lazy("playbooks", "Low")),
    ]

    playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES)
    first_response = models.DurationField()
    resolution = models.DurationField()

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "priority"], name="one_target_per_playbook_priority"),
            models.UniqueConstraint(
                fields=["priority"], condition=Q(playbook__isnull=True), name="one_default_target_per_priority"
            ),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="target_priority_known"),
            models.CheckConstraint(condition=Q(first_response__gt=timedelta(0)), name="target_response_positive"),
            models.CheckConstraint(
                condition=Q(first_response__lte=F("resolution")), name="target_response_before_resolution"
            ),
            models.CheckConstraint(condition=Q(resolution__lte=MAX_TARGET), name="target_resolution_bounded"),
        ]

    def __str__(self) -> str:
        return f"P{self.priority}: {self.first_response} / {self.resolution}"


class CaseChecklistItem(models.Model):
    """A playbook step done on a case: by whom and when, with the step's words as they were then. Undoing a step
    removes its row (the timeline keeps both events)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="checklist")
    step = models.ForeignKey(PlaybookStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=MAX_STEP_LENGTH)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="one_completion_per_case_step")]

    def __str__(self) -> str:
        return f"{self.text} on case {self.case_id}"
