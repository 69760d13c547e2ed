from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A side effect (an e-mail, a webhook) written in the same transaction as the change that caused it."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox")
    # A caller-chosen key that makes the same side effect impossible to write twice (e.g. one ack per case).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    recipient = models.CharField(max_length=320)
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A claim is a lease: a worker that dies leaves it to expire, and the row is picked up again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="outbox_due"),
            models.Index(fields=["claimed_until"], condition=Q(state="sending"), name="outbox_leased"),
            models.Index(fields=["state", "created_at"], name="outbox_state_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed"]), name="outbox_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.state})"


class Suppression(models.Model):
    """An address no bulk or follow-up mail may go to: it unsubscribed, bounced hard or complained."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        HARD_BOUNCE = "hard_bounce", _("Bounced permanently")
        COMPLAINED = "complained", _("Marked as spam")
        MANUAL = "manual", _("Added by a manager")

    # Stored lower-cased, as customers' addresses are.
    address = models.CharField(max_length=320, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"
