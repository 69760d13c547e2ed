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


class ComplaintCluster(models.Model):
    """Complaints about one problem. Growing fast across many customers, it is flagged as a probable incident."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        DISMISSED = "dismissed", "dismissed"

    public_id = models.UUIDField(unique=True, editable=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    words = models.JSONField(default=list)
    entities = models.JSONField(default=list)
    digests = models.JSONField(default=list)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    cases = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    voices = models.PositiveIntegerField(default=0)
    flagged_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)

    class Meta:
        indexes = [
            models.Index(fields=["category", "last_seen"], name="cluster_recent"),
            models.Index(fields=["flagged_at"], condition=models.Q(flagged_at__isnull=False), name="cluster_flagged"),
            # The clusters page: the growing clusters no one flagged yet, latest first.
            models.Index(
                fields=["-last_seen", "-id"],
                condition=models.Q(state="open", cases__gte=2, flagged_at__isnull=True),
                name="cluster_growing",
            ),
        ]

    def __str__(self) -> str:
        return self.title


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
    cluster = models.ForeignKey(
        ComplaintCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Copied from the case so "has this customer already reported this problem" is one index lookup.
    customer_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["needs_review"], condition=models.Q(needs_review=True), name="triage_review"),
            models.Index(fields=["cluster", "customer_id"], name="triage_cluster_customer"),
            # A cluster's newest members (the clusters page shows 20 of each).
            models.Index(fields=["cluster", "-created_at", "-id"], name="triage_cluster_recent"),
        ]

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
