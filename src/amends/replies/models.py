from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReplyTemplate(models.Model):
    """A reply the agent starts from, per purpose and language (and optionally per category)."""

    class Purpose(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        APOLOGY = "apology", _("Apology with remedy options")
        RESOLUTION = "resolution", _("Resolution")
        FOLLOW_UP = "follow_up", _("Follow-up")
        INCIDENT_APOLOGY = "incident_apology", _("Incident apology")

    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    language = models.CharField(max_length=16)
    category = models.ForeignKey("triage.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language"], condition=models.Q(category__isnull=True), name="one_general_template"
            ),
            models.UniqueConstraint(fields=["purpose", "language", "category"], name="one_template_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.language})"
