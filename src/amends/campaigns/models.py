from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class AffectedCustomer(models.Model):
    """A customer an incident touched: named by a CSV upload, the API, the complaints in the incident, or the shop's
    orders placed in its window."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV upload")
        API = "api", _("API")
        COMPLAINTS = "complaints", _("Complained about it")
        ORDERS = "orders", _("Ordered during it")

    # No index of its own: the unique (incident, customer) index serves every lookup by incident.
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="affected", db_index=False
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    order_reference = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Named twice (a CSV and the API, a file uploaded again) is still one customer, who gets one message.
            models.UniqueConstraint(fields=["incident", "customer"], name="affected_once_per_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.incident_id}"


class AffectedStaging(models.Model):
    """Rows of one upload on their way in: written as they are read, merged in one statement, then deleted.

    Nothing reaches customers or affected customers until the whole upload has been read and every row passed.
    The rows of an upload whose process was killed before it could delete them are swept after a while
    (`affected.affected_staging_sweep`). On PostgreSQL the table is UNLOGGED (migration 0002): rows that live for
    one upload need no write-ahead log, and after a database crash the table comes back empty, which is what it
    should hold then anyway."""

    upload = models.UUIDField()
    # Set by the database as rows are copied in: what the sweep goes by.
    staged_at = models.DateTimeField(db_default=Now())
    line = models.PositiveIntegerField()
    email = models.CharField(max_length=254, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    order_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["upload", "line"], name="affected_staging_upload")]

    def __str__(self) -> str:
        return f"line {self.line} of {self.upload}"


class Campaign(models.Model):
    """The apology to everyone an incident affected: one per incident, so nobody gets two."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Sent")

    public_id = models.UUIDField(unique=True, editable=False)
    incident = models.OneToOneField("incidents.Incident", on_delete=models.PROTECT, related_name="campaign")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    # The remedy: a code remedy of the catalogue (discount_code or store_credit), worth a percentage or an amount.
    remedy_kind = models.CharField(max_length=24)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    valid_until = models.DateTimeField()
    rate = models.PositiveIntegerField(help_text="messages per second")
    # Subject and body per language as they were when sending started: what was previewed is what is sent.
    templates = models.JSONField(default=dict, blank=True)
    code_batch = models.CharField(max_length=64, blank=True)
    # The rate limit shared by every worker (GCRA): the moment the next message may go, moved on by each claim.
    next_send_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "sending", "paused", "cancelled", "done"]), name="campaign_state_known"
            ),
            models.CheckConstraint(condition=Q(rate__gte=1), name="campaign_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"campaign for {self.incident_id} ({self.state})"


class CampaignMessage(models.Model):
    """One customer's apology: an outbox row of its own table, written in bulk and claimed with a lease."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        SUPPRESSED = "suppressed", _("Suppressed")
        CANCELLED = "cancelled", _("Cancelled")

    # No index of its own: (campaign, customer) and (campaign, state) serve it; a million rows keep one index less.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages", db_index=False)
    # Also the Message-ID's left part, the unsubscribe link's and the status link's key (signed when sent).
    public_id = models.UUIDField(unique=True)
    # No index of its own either: the unique (customer, campaign) index leads with it (what deleting a customer
    # looks up), and a million messages queued fill one index less.
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    recipient = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16)
    order_reference = models.CharField(max_length=100, blank=True)
    # The customer's own single-use code; none for a suppressed address (no code is issued for nobody). Unique by
    # a constraint rather than unique=True, which on PostgreSQL adds a second (LIKE) index nothing here uses: one
    # index less to fill for each of a million messages queued.
    code = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001 - NULLs never collide in the unique
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    # A claim is a lease: a worker killed mid-batch leaves it to expire, and the rows are claimed again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "campaign"], name="campaign_message_once_per_customer"),
            models.UniqueConstraint(fields=["code"], name="campaign_message_code_once"),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sending", "sent", "failed", "bounced", "suppressed", "cancelled"]),
                name="campaign_message_state_known",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state"], name="campaign_message_state"),
            models.Index(fields=["campaign", "due_at", "id"], condition=Q(state="queued"), name="campaign_message_due"),
            models.Index(
                fields=["campaign", "claimed_until"], condition=Q(state="sending"), name="campaign_message_leased"
            ),
            models.Index(fields=["campaign", "sent_at"], condition=Q(state="sent"), name="campaign_message_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.state})"


class MailReport(models.Model):
    """A delivery status notification (bounce) or a complaint report (ARF) that came back, matched or not."""

    class Kind(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        DELAY = "delay", _("Delayed")
        COMPLAINT = "complaint", _("Marked as spam")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed by mail")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    message_id = models.CharField(max_length=300, blank=True)
    recipient = models.CharField(max_length=320, blank=True)
    status = models.CharField(max_length=16, blank=True)
    diagnostic = models.CharField(max_length=500, blank=True)
    campaign_message = models.ForeignKey(
        CampaignMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} {self.status} for {self.message_id or self.recipient}"
