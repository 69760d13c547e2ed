"""After the fix (P9, P10, P11): why it happened and what we changed, whether the customer is satisfied, and the
customers who came out of it as advocates."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RootCauseCategory(models.Model):
    """One entry of the root-cause taxonomy managers edit. The seeded entries' names are English msgids shown
    through gettext; a manager's own entries show as typed."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "root cause categories"

    def __str__(self) -> str:
        return self.name


class RootCause(models.Model):
    """Why a resolved case, cluster or incident happened, in the taxonomy and in the recorder's own sentence."""

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    category = models.ForeignKey(RootCauseCategory, on_delete=models.PROTECT, related_name="root_causes")
    text = models.TextField()
    # What it was recorded on: exactly one of case, cluster, incident.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="root_causes")
    cluster = models.ForeignKey(
        "triage.ComplaintCluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="root_causes"
    )
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.CASCADE, related_name="root_causes"
    )
    # The complaint category (triage) of what it was recorded on: the playbook of that category shows it.
    complaint_category = models.ForeignKey(
        "triage.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="root_causes"
    )
    # Products, order references and words the cause is about (triage entities, lower-cased): recurrence matches them.
    entities = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["complaint_category", "created_at"], name="rootcause_complaint_cat"),
            models.Index(fields=["category", "created_at"], name="rootcause_category"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, cluster__isnull=True, incident__isnull=True)
                    | Q(case__isnull=True, cluster__isnull=False, incident__isnull=True)
                    | Q(case__isnull=True, cluster__isnull=True, incident__isnull=False)
                ),
                name="rootcause_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.slug}: {self.text[:40]}"


class CorrectiveAction(models.Model):
    """What the company changes so the root cause does not happen again, who owns it and by when."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("corrective action status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    root_cause = models.ForeignKey(RootCause, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="corrective_actions")
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "done", "verified"]), name="action_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.what


class Recurrence(models.Model):
    """A new complaint that matched a root cause whose corrective action was already done: it happened again."""

    class Match(models.TextChoices):
        ENTITIES = "entities", _("Same category and products")
        CLUSTER = "cluster", _("Same cluster")

    root_cause = models.ForeignKey(RootCause, on_delete=models.CASCADE, related_name="recurrences")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="recurrences")
    matched_on = models.CharField(max_length=16, choices=Match.choices)
    # The entities both share (for "matched on entities"), in the words triage stored.
    shared = models.JSONField(default=list, blank=True)
    alerted = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["root_cause", "case"], name="recurrence_once_per_case")]
        indexes = [models.Index(fields=["created_at"], name="recurrence_created")]

    def __str__(self) -> str:
        return f"case {self.case_id} again after root cause {self.root_cause_id}"


class AftercareSettings(models.Model):
    """The company's follow-up settings (one row): how long after resolution the survey goes, when the one
    reminder goes, and how long the links stay valid."""

    survey_enabled = models.BooleanField(default=True)
    survey_delay_hours = models.PositiveIntegerField(default=72)
    reminder_after_hours = models.PositiveIntegerField(default=96)
    link_valid_days = models.PositiveIntegerField(default=30)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "aftercare settings"

    def __str__(self) -> str:
        return f"survey after {self.survey_delay_hours} h"


class Survey(models.Model):
    """The follow-up that asks a customer whose case was resolved whether they are satisfied (P10).

    One per resolution: a case resolved again after a reopening gets a new survey, and the old one's links stop
    working (its nonce is cleared when the case reopens)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        CANCELLED = "cancelled", _("Cancelled")
        SUPPRESSED = "suppressed", _("Not sent: address suppressed")

    class Worth(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    class Via(models.TextChoices):
        EMAIL = "email", _("E-mail link")
        PORTAL = "portal", _("Status page")
        API = "api", _("API")

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="surveys")
    # The resolution this survey asks about.
    resolved_at = models.DateTimeField()
    # Part of every signed link; cleared (links dead) when the case reopens or the survey is cancelled.
    nonce = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=16)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=16, choices=Via.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    remedy_worth = models.CharField(max_length=8, choices=Worth.choices, blank=True)
    recommend = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # The comment's tone by triage's sentiment lexicon (-1 … 1), kept so advocates and insights need not re-read it.
    comment_sentiment = models.FloatField(null=True, blank=True)
    details_at = models.DateTimeField(null=True, blank=True)
    dissatisfied = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="scheduled"), name="survey_due"),
            models.Index(fields=["sent_at"], condition=Q(state="sent"), name="survey_sent_unanswered"),
            models.Index(fields=["answered_at"], name="survey_answered"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "resolved_at"], name="survey_once_per_resolution"),
            models.CheckConstraint(
                condition=Q(state__in=["scheduled", "sent", "answered", "cancelled", "suppressed"]),
                name="survey_state_known",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="survey_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=Q(recommend__isnull=True) | Q(recommend__gte=0, recommend__lte=10),
                name="survey_recommend_0_10",
            ),
            models.CheckConstraint(
                condition=Q(remedy_worth__in=["", "yes", "partly", "no"]), name="survey_worth_known"
            ),
        ]

    def __str__(self) -> str:
        return f"survey of case {self.case_id} ({self.state})"


class SurveyText(models.Model):
    """The survey e-mail and its reminder as managers word them, per language. Without one, the built-in
    wording (translated) is used."""

    class Purpose(models.TextChoices):
        SURVEY = "survey", _("Survey")
        REMINDER = "reminder", _("Survey reminder")

    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    language = models.CharField(max_length=16)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "language"], name="survey_text_once")]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.language})"


class AdvocateAction(models.Model):
    """A manager thanked, rewarded or invited an advocate: the record of it (the mail goes through the outbox)."""

    class Kind(models.TextChoices):
        THANK = "thank", _("Thanked")
        REWARD = "reward", _("Rewarded")
        INVITE_REVIEW = "invite_review", _("Invited to write a review")
        INVITE_PROGRAMME = "invite_programme", _("Invited to the programme")

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="advocate_actions")
    # The case whose recovery made them an advocate.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    remedy = models.ForeignKey("remedies.Remedy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.ForeignKey("remedies.RemedyCode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    outbox = models.ForeignKey(
        "outbox.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"], name="advocate_action_customer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["thank", "reward", "invite_review", "invite_programme"]),
                name="advocate_action_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id}"
