from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amends.remedies.models import KIND_CHOICES


class Incident(models.Model):
    """One failure that touched many customers at once: declared by a manager or promoted from a flagged cluster."""

    class Severity(models.IntegerChoices):
        MINOR = 1, _("Minor")
        MAJOR = 2, _("Major")
        CRITICAL = 3, _("Critical")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident status", "Open")
        RESOLVED = "resolved", _("Resolved")

    public_id = models.UUIDField(unique=True, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Products or services touched, as the words and order references triage extracts as entities.
    entities = models.JSONField(default=list, blank=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MAJOR)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    cluster = models.OneToOneField(
        "triage.ComplaintCluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="incident"
    )
    category = models.ForeignKey("triage.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    brand = models.ForeignKey("brands.BrandIdentity", on_delete=models.PROTECT, related_name="+")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What every affected customer gets (a kind of the remedy catalogue, e.g. a discount code of 20 %): the agent
    # answering a complaint of the incident offers it, and the public statement names it.
    remedy_kind = models.CharField(max_length=24, choices=KIND_CHOICES, blank=True)
    remedy_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Published: the public page /incidents/<slug> shows it, at this level of the communication ladder.
    published_at = models.DateTimeField(null=True, blank=True)
    public_level = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["state", "-started_at"], name="incident_state_started"),
            models.Index(fields=["started_at", "ended_at"], name="incident_window"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["open", "resolved"]), name="incident_state_known"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="incident_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IncidentCase(models.Model):
    """A complaint that belongs to an incident; a case belongs to one incident at most."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="incident_link")
    # How it joined: promoted with the cluster, matched on arrival, or linked by a person.
    how = models.CharField(max_length=16)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} in {self.incident_id}"


class IncidentEvent(models.Model):
    """The incident's timeline: declared, updated, cases joined, published, resolved."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    body = models.TextField(blank=True)
    # Shown on the public incident page only when true (internal notes stay internal).
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["incident", "created_at"], name="incident_event_time")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.incident_id}"


class IncidentStatement(models.Model):
    """The text for one rung of the ladder in one language: drafted from a template, edited by a manager, and
    shown on the public incident page once the incident is published at that rung."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="statements")
    level = models.CharField(max_length=24)
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "level", "language"], name="incident_statement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.level} ({self.language}) of {self.incident_id}"
