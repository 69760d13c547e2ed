from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amends.customers.models import Platform

from .lifecycle import OPEN, Priority, Status


class Channel(models.TextChoices):
    FORM = "form", _("Complaint form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    PUBLIC_THREAD = "public_thread", _("Public thread")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")


class ActorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")
    INTEGRATION = "integration", _("Integration")


class ReferenceCounter(models.Model):
    """The case number counter on SQLite, incremented with UPDATE … RETURNING (PostgreSQL uses a sequence)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


# The inbox order, as index columns; the slices of keyset.py each read one equality prefix and one range of it.
INBOX_KEY = ["breached", "priority", "next_due_at", "-created_at", "-id"]
OPEN_STATUSES = sorted(s.value for s in OPEN)


class Case(models.Model):
    STATUS_CHOICES = [
        (Status.NEW, _("New")),
        (Status.ACKNOWLEDGED, _("Acknowledged")),
        (Status.IN_PROGRESS, _("In progress")),
        (Status.WAITING, _("Waiting for customer")),
        (Status.RESOLVED, _("Resolved")),
        (Status.CLOSED, _("Closed")),
    ]
    PRIORITY_CHOICES = [
        (Priority.URGENT, _("Urgent")),
        (Priority.HIGH, _("High")),
        (Priority.NORMAL, _("Normal")),
        (Priority.LOW, _("Low")),
    ]

    public_id = models.UUIDField(unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="cases")
    brand = models.ForeignKey("brands.BrandIdentity", on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    language = models.CharField(max_length=16)
    order_reference = models.CharField(max_length=100, blank=True)
    order_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    order_currency = models.CharField(max_length=3, blank=True)
    remedy_sought = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES, default=Priority.NORMAL)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    first_response_due_at = models.DateTimeField()
    resolution_due_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The next deadline the case can miss and whether it already missed one: the inbox sorts on these.
    next_due_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False)
    # When the customer first saw remedy options: the 60-second rule made visible (seconds since created_at).
    first_offer_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The inbox order, column for column (see keyset.py: each page is a few seeks into these): for "all",
            # for the open cases (the default inbox), for one status ("closed"…) and for one agent's cases.
            models.Index(fields=INBOX_KEY, name="case_inbox_all"),
            models.Index(fields=INBOX_KEY, name="case_inbox_open", condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["status", *INBOX_KEY], name="case_inbox_status"),
            # Not partial: SQLite uses a partial index only when the query repeats its condition word for word
            # with no parameters, and "my cases" walked every group there.
            models.Index(fields=["assignee", *INBOX_KEY], name="case_inbox_assignee_all"),
            models.Index(fields=["status", "next_due_at"], name="case_status_due"),
            models.Index(fields=["customer", "created_at", "id"], name="case_customer_created_id"),
            models.Index(fields=["created_at", "id"], name="case_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(order_value__isnull=True) | Q(order_value__gte=0), name="order_value_not_negative"
            ),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="case_status_known"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="case_priority_known"),
        ]

    def __str__(self) -> str:
        return self.reference


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("From the customer")
        OUT = "out", _("To the customer")
        NOTE = "note", _("Internal note")

    public_id = models.UUIDField(unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    body = models.TextField()
    author_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Outgoing replies are signed by a brand identity; the agent who wrote it is kept for the audit trail only.
    brand = models.ForeignKey("brands.BrandIdentity", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    email_message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # An inbound e-mail's SPF/DKIM/DMARC verdicts as our own mail system recorded them, and its envelope sender
    # (see intake.mail.authentication_verdicts). For agents and the audit trail; never shown to a customer.
    email_authentication = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_created")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} on case {self.case_id}"

    @property
    def is_public(self) -> bool:
        return self.direction != self.Direction.NOTE


class Attachment(models.Model):
    public_id = models.UUIDField(unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(models.Model):
    """The immutable timeline of a case: every change, who made it and when. Written only by services."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
        STATUS_CHANGED = "status_changed", _("Status changed")
        REOPENED = "reopened", _("Case reopened")
        CUSTOMER_MESSAGE = "customer_message", _("Customer wrote")
        REPLY_SENT = "reply_sent", _("Reply sent")
        NOTE_ADDED = "note_added", _("Internal note")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        TARGET_BREACHED = "target_breached", _("Target breached")
        RESOLUTION_REJECTED = "resolution_rejected", _("Customer rejected the resolution")
        RESOLUTION_ACCEPTED = "resolution_accepted", _("Customer accepted the resolution")
        STATUS_LINK_REVOKED = "status_link_revoked", _("Status links revoked")
        COACH_OVERRIDE = "coach_override", _("Coach finding overridden")
        TRIAGE_CORRECTED = "triage_corrected", _("Category corrected")
        ROUTED = "routed", _("Routed by the playbook")
        PLAYBOOK_APPLIED = "playbook_applied", _("Playbook applied")
        CHECKLIST_STEP_DONE = "checklist_step_done", _("Checklist step done")
        CHECKLIST_STEP_UNDONE = "checklist_step_undone", _("Checklist step undone")
        REMEDIES_PRICED = "remedies_priced", _("Remedy options priced")
        REMEDIES_OFFERED = "remedies_offered", _("Remedy options offered")
        REMEDY_CHOSEN = "remedy_chosen", _("Remedy chosen")
        REMEDY_OTHER_ASKED = "remedy_other_asked", _("Customer asked for another remedy")
        REMEDY_APPROVAL_REQUESTED = "remedy_approval_requested", _("Remedy approval requested")
        REMEDY_APPROVED = "remedy_approved", _("Remedy approved")
        REMEDY_REJECTED = "remedy_rejected", _("Remedy rejected")
        REMEDY_GRANTED = "remedy_granted", _("Remedy granted")
        REMEDY_WITHDRAWN = "remedy_withdrawn", _("Remedy withdrawn")
        REMEDIES_EXPIRED = "remedies_expired", _("Remedy options expired")
        REMEDY_FULFILLED = "remedy_fulfilled", _("Remedy fulfilled")
        REMEDY_FAILED = "remedy_failed", _("Remedy fulfilment failed")
        ROOT_CAUSE_RECORDED = "root_cause_recorded", _("Root cause recorded")
        RECURRENCE = "recurrence", _("It happened again after the fix")
        SURVEY_SENT = "survey_sent", _("Satisfaction survey sent")
        SURVEY_REMINDED = "survey_reminded", _("Satisfaction survey reminder sent")
        SURVEY_ANSWERED = "survey_answered", _("Customer answered the survey")
        ADVOCATE_ACTION = "advocate_action", _("Advocate thanked, rewarded or invited")
        INCIDENT_LINKED = "incident_linked", _("Linked to an incident")
        INCIDENT_UNLINKED = "incident_unlinked", _("Unlinked from an incident")
        PUBLIC_REPLY_REQUESTED = "public_reply_requested", _("Public reply handed to the connector")
        CONTINUATION_CLAIMED = "continuation_claimed", _("The private link of the public reply was opened")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    # Shown to the customer on the status page only when public.
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class SavedView(models.Model):
    """An inbox filter an agent named and keeps ("My urgent Russian cases"): the filter's query string, nothing
    else, so a view saved today still opens after the filters gain a field."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name")]

    def __str__(self) -> str:
        return self.name


class PublicThread(models.Model):
    """The public post a case came from (seed 002): where it was written, by whom, how many follow its author.

    `thread_key` names the conversation: the platform's thread id when the connector gives one, else the parent
    post's URL for a comment, else the post's own URL. A follow-on comment by the same author (`handle_key`) in
    the same thread joins the case that is still open instead of opening another."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="public_thread")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(max_length=100)
    handle_key = models.CharField(max_length=100)
    post_url = models.URLField(max_length=1000)
    parent_url = models.URLField(max_length=1000, blank=True)
    thread_id = models.CharField(max_length=200, blank=True)
    thread_key = models.CharField(max_length=1000)
    followers = models.PositiveBigIntegerField(default=0)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["platform", "handle_key"], name="public_thread_author")]

    def __str__(self) -> str:
        return f"@{self.handle} on {self.platform}"


class SearchDocument(models.Model):
    """What the case search reads for one case: its words as search keys (see cases/search_text.py), kept by
    cases/search_documents.py when the case opens, a message comes and the customer's name is learnt.

    `identity` holds the reference, the customer's name and e-mail and the order reference, which rank above
    `words`: the subject, the complaint and every message. Each database indexes these two columns its own way
    (migration 0010): PostgreSQL a stored tsvector column with a GIN index, SQLite an FTS5 table."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    identity = models.TextField()
    words = models.TextField()

    def __str__(self) -> str:
        return f"search document of case {self.case_id}"
