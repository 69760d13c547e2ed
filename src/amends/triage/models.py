from django.conf import settings
from django.db import models


class Category(models.Model):
    """One entry of the company's complaint taxonomy, edited by managers in the console."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class CategoryModelVersion(models.Model):
    """A trained category learner. Exactly one is active; older ones stay for the record."""

    version = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    trained_on = models.PositiveIntegerField()
    labels_used = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    artifact = models.BinaryField()
    is_active = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model")
        ]

    def __str__(self) -> str:
        return self.version


class CaseTriage(models.Model):
    """What triage found about a case, with the model version that found it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="triage")
    result = models.JSONField()
    model_version = models.CharField(max_length=40)
    language = models.CharField(max_length=16)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    severity = models.PositiveSmallIntegerField()
    needs_review = models.BooleanField(default=False)
    corrected = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["needs_review"], condition=models.Q(needs_review=True), name="triage_review")]

    def __str__(self) -> str:
        return f"triage of case {self.case_id}"


class TriageLabel(models.Model):
    """An agent's correction of a case's category: the learner's next training example."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="triage_labels")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="labels")
    text = models.TextField()
    labelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.category.slug} for case {self.case_id}"
