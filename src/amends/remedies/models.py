"""What the remedy engine keeps: policy versions, the managers' rate table, every remedy a case was offered or
granted, the approvals above an agent's authority, team budgets and the single-use codes.

Writes go through `services.py`; the pure cores (`policy.py`, `money.py`, `codes.py`, `lifecycle.py`) decide.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .catalogue import Kind
from .lifecycle import State

KIND_CHOICES = [
    (Kind.REFUND.value, _("Refund")),
    (Kind.DISCOUNT_CODE.value, _("Discount code")),
    (Kind.STORE_CREDIT.value, _("Store credit")),
    (Kind.REPLACEMENT.value, _("Free replacement or exchange")),
    (Kind.SERVICE_PERIOD.value, _("Free service period")),
    (Kind.APPOINTMENT.value, _("Personal appointment")),
    (Kind.GIFT.value, _("Gift")),
    (Kind.UPGRADE.value, _("Upgrade")),
    (Kind.APOLOGY.value, _("Apology only")),
]
STATE_CHOICES = [
    (State.PROPOSED.value, _("Proposed")),
    (State.OFFERED.value, _("Offered")),
    (State.CHOSEN.value, _("Chosen by the customer")),
    (State.APPROVAL_REQUESTED.value, _("Waiting for approval")),
    (State.APPROVED.value, _("Approved")),
    (State.REJECTED.value, _("Rejected")),
    (State.GRANTED.value, _("Granted")),
    (State.FULFILLED.value, _("Fulfilled")),
    (State.FAILED.value, _("Fulfilment failed")),
    (State.DECLINED.value, _("Declined")),
    (State.EXPIRED.value, _("Expired")),
    (State.WITHDRAWN.value, _("Withdrawn")),
]
# A case takes one remedy at a time: the customer's choice (or an agent's grant) holds this place until it is
# rejected or withdrawn, so two tabs or two agents cannot both win.
TAKEN = [s.value for s in (State.CHOSEN, State.APPROVAL_REQUESTED, State.APPROVED, State.GRANTED, State.FULFILLED)]


class RemedyPolicy(models.Model):
    """One version of the remedy policy, kept as the readable TOML a manager edits. Exactly one is active; the
    others stay, because every remedy records the version that priced it."""

    version = models.PositiveIntegerField(unique=True)
    source = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_policy")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class ExchangeRate(models.Model):
    """How many units of the home currency one unit of `currency` was worth from `valid_from` on."""

    currency = models.CharField(max_length=3)
    valid_from = models.DateField()
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="one_rate_per_currency_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"


class Remedy(models.Model):
    """One remedy of one case: an option the policy priced (or an agent added), through its lifecycle."""

    public_id = models.UUIDField(unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    state = models.CharField(max_length=24, choices=STATE_CHOICES, default=State.PROPOSED.value)
    position = models.PositiveSmallIntegerField(default=0)
    # The value in the currency the customer sees (the order's), and what it costs in the home currency, which
    # authority limits and budgets are counted in; `rate_used` says how one became the other.
    amount = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    home_amount = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    rate_used = models.JSONField(default=dict, blank=True)
    # Kind-specific particulars: days or months of a free period, the size of a replacement, offered slots …
    details = models.JSONField(default=dict, blank=True)
    # Why: the rule that fired and every step of the value's computation (policy.Option.as_dict()).
    why = models.JSONField(default=dict, blank=True)
    policy = models.ForeignKey(RemedyPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=100, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    # Who put the option before the customer: the policy at intake (system), an agent, or an integration. The
    # customer's choice is granted under that one's authority (the policy's own for an automatic offer).
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_by_kind = models.CharField(max_length=16, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    chosen_at = models.DateTimeField(null=True, blank=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # agent, integration or system: whose per-day authority a grant counts against.
    granted_by_kind = models.CharField(max_length=16, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["case", "position", "id"]
        verbose_name_plural = "remedies"
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(state__in=TAKEN), name="one_remedy_taken_per_case"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="remedy_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gt=0) & Q(percent__lte=100)),
                name="remedy_percent_range",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="remedy_state_expiry"),
            models.Index(fields=["case", "state"], name="remedy_case_state"),
            models.Index(fields=["granted_by", "granted_at"], name="remedy_granted_by_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"


class ApprovalRequest(models.Model):
    """A grant above the requester's authority, waiting for a manager's yes or no."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(unique=True, editable=False)
    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="approvals")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["remedy"], condition=Q(decision=""), name="one_open_approval_per_remedy")
        ]
        indexes = [models.Index(fields=["decision", "requested_at"], name="approval_queue")]

    def __str__(self) -> str:
        return f"{self.remedy} ({self.decision or 'open'})"


class TeamBudget(models.Model):
    """What a team may spend on remedies in one month, in the home currency, and what it has spent."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="remedy_budgets")
    month = models.DateField(help_text="The first day of the month")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["-month", "team"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="one_budget_per_team_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m}: {self.spent}/{self.amount}"


class PersonalAuthority(models.Model):
    """A person's own limits where they differ from their role's (accounts.AuthorityLimit)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authority")
    per_case = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    per_day = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.per_case}/{self.per_day}"


class RemedyCode(models.Model):
    """A single-use code (discount, credit, an incident's apology): unguessable, with value, currency and expiry.

    The code itself is stored as issued (normalised, without dashes); `codes.py` makes and checks it."""

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REDEEMED = "redeemed", _("Redeemed")
        VOID = "void", _("Void")

    code = models.CharField(max_length=32, unique=True)
    batch = models.CharField(max_length=64, blank=True)
    remedy = models.ForeignKey(Remedy, null=True, blank=True, on_delete=models.SET_NULL, related_name="codes")
    amount = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    minimum_order = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.ISSUED)
    created_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # What the shop said it was redeemed on, so a repeated report is recognised as the same redemption.
    redeemed_order = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | Q(percent__isnull=False), name="code_has_a_value"
            )
        ]
        indexes = [models.Index(fields=["batch"], name="code_batch")]

    def __str__(self) -> str:
        return self.code


class AppointmentSlot(models.Model):
    """A time the team can meet a customer: the calendar an appointment remedy offers from. `capacity` is how
    many customers it takes (1: a single booking); `booked` is counted up by a conditional UPDATE, so two
    customers choosing the last place at once cannot both get it."""

    public_id = models.UUIDField(unique=True, editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="appointment_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=1)
    booked = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "starts_at"], name="one_slot_per_team_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"),
        ]
        indexes = [models.Index(fields=["team", "starts_at"], name="slot_team_start")]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_at:%Y-%m-%d %H:%M} ({self.booked}/{self.capacity})"


class SlotBooking(models.Model):
    """Which remedy holds a place in which slot: one booking per remedy."""

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="bookings")
    remedy = models.OneToOneField(Remedy, on_delete=models.CASCADE, related_name="booking")
    booked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.slot} ← {self.remedy_id}"
