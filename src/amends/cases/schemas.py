from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from amends.api.fields import (
    Currency,
    DocumentPattern,
    Email,
    Flag,
    Followers,
    Language,
    LongText,
    Moment,
    OrderValue,
    Reference,
    ShortText,
    Story,
)
from amends.customers.models import Platform
from amends.remedies.models import Remedy
from amends.remedies.schemas import RemedyOut
from amends.replies.schemas import FindingOut

from .models import Case, Channel, Message, PublicThread
from .public_threads import HANDLE_PATTERN, MAX_HANDLE, MAX_THREAD_ID, MAX_URL, THREAD_ID_PATTERN, URL_PATTERN


class InSchema(Schema):
    """A request body: a field the API does not know is refused by name, not silently dropped (a typo such as
    `remedy_sougth` must not lose what the customer asked for)."""

    model_config = ConfigDict(extra="forbid")


class CustomerIn(InSchema):
    email: Email | None = Field(
        default=None,
        description="Required, except for a post in a public thread (channel public_thread), whose author may be "
        "known only by their handle on the platform",
    )
    name: ShortText | None = None
    language: Language | None = Field(
        default=None, description="BCP 47 code of a language amends speaks, e.g. ru, bg, sr-Latn, sk, en-GB"
    )
    external_id: Reference | None = None


class OrderIn(InSchema):
    model_config = ConfigDict(
        json_schema_extra={
            # An order value needs its currency (what cases.intake requires).
            "if": {"properties": {"value": {"not": {"type": "null"}}}, "required": ["value"]},
            "then": {"properties": {"currency": {"type": "string"}}, "required": ["currency"]},
        }
    )

    reference: Reference | None = None
    value: OrderValue | None = Field(
        default=None,
        description='The order\'s value: a number, or a string such as "49.90" or "49,90"; whole cents, not '
        "negative, below 10,000,000,000. Requires `currency`.",
    )
    currency: Currency | None = Field(default=None, description="ISO 4217 code such as EUR")


class PublicIn(InSchema):
    """A public post or comment, as the connector that watches the platform saw it (seed 002)."""

    platform: Platform = Field(description="Where it was posted")
    handle: Annotated[str, Field(max_length=MAX_HANDLE), DocumentPattern(HANDLE_PATTERN)] = Field(
        description="The author's handle, with or without the leading @: one line, no HTML (< or >)"
    )
    post_url: Annotated[str, Field(max_length=MAX_URL), DocumentPattern(URL_PATTERN)] = Field(
        description="The address of the post or comment (http or https)"
    )
    followers: Followers = Field(default=0, description="How many people follow the author")
    posted_at: Moment | None = Field(default=None, description="When it was posted (RFC 3339)")
    parent_url: Annotated[str, Field(max_length=MAX_URL), DocumentPattern(URL_PATTERN)] | None = Field(
        default=None,
        description="For a comment: the address of the post it answers. The author's comments in one thread (the "
        "same thread_id, else the same parent post) join their case while it is open",
    )
    thread_id: Annotated[str, Field(max_length=MAX_THREAD_ID), DocumentPattern(THREAD_ID_PATTERN)] | None = Field(
        default=None, description="The platform's own id of the conversation, if it has one"
    )


class CaseIn(InSchema):
    model_config = ConfigDict(
        json_schema_extra={
            # A public post needs its `public` facts and may come without an e-mail address; any other complaint
            # needs the customer's e-mail address and has no `public` facts (what cases.intake requires).
            "if": {"properties": {"channel": {"const": "public_thread"}}, "required": ["channel"]},
            "then": {"required": ["public"], "properties": {"public": {"type": "object"}}},
            "else": {
                "properties": {
                    "customer": {"required": ["email"], "properties": {"email": {"type": "string"}}},
                    "public": {"type": "null"},
                }
            },
        }
    )

    customer: CustomerIn
    description: Story = Field(description="The customer's own words")
    subject: ShortText | None = None
    order: OrderIn | None = None
    remedy_sought: LongText | None = Field(default=None, description="What the customer says would make this right")
    channel: Channel | None = Field(default=None, description="How the complaint reached you; api by default")
    followers: Followers | None = Field(
        default=None, description="For a public post (channel public_thread): how many people follow its author"
    )
    public: PublicIn | None = Field(
        default=None, description="Required for channel public_thread (and only there): the post and its author"
    )


class CustomerOut(Schema):
    id: UUID
    email: str | None = Field(description="null for a customer known only by a handle on a public platform")
    name: str
    language: str


class OrderOut(Schema):
    reference: str
    value: Decimal | None
    currency: str


class TriagePartOut(Schema):
    value: str | int | float
    confidence: float
    signals: list[str]


class TriageOut(Schema):
    version: str
    language: TriagePartOut
    category: TriagePartOut
    severity: TriagePartOut
    sentiment: TriagePartOut
    churn_risk: TriagePartOut
    public_risk: TriagePartOut
    ladder: TriagePartOut
    needs_review: bool


class PublicOut(Schema):
    platform: str
    handle: str
    post_url: str
    parent_url: str | None
    thread_id: str | None
    followers: int
    posted_at: datetime | None

    @staticmethod
    def of(thread: PublicThread) -> "PublicOut":
        return PublicOut(
            platform=thread.platform,
            handle=thread.handle,
            post_url=thread.post_url,
            parent_url=thread.parent_url or None,
            thread_id=thread.thread_id or None,
            followers=thread.followers,
            posted_at=thread.posted_at,
        )


class CaseOut(Schema):
    id: UUID
    reference: str
    status: str
    language: str
    channel: str
    subject: str
    description: str
    priority: int
    remedy_sought: str
    customer: CustomerOut
    order: OrderOut
    team: str | None
    assignee: str | None
    first_response_due_at: datetime
    resolution_due_at: datetime
    breached: bool
    created_at: datetime
    updated_at: datetime
    triage: TriageOut | None
    remedies: list[RemedyOut] = Field(description="The remedy options priced for the case, with why, in their order")
    first_offer_seconds: float | None = Field(
        description="Seconds from the complaint to the first remedy offer (the 60-second rule); null: none yet"
    )
    public: PublicOut | None = Field(default=None, description="For a public-thread case: the post it came from")

    @staticmethod
    def of(case: Case, remedies: "list[Remedy] | None" = None) -> "CaseOut":
        customer = case.customer
        if remedies is None:
            remedies = sorted(case.remedies.all(), key=lambda r: (r.position, r.pk))
        offered = case.first_offer_at
        return CaseOut(
            id=case.public_id,
            reference=case.reference,
            status=case.status,
            language=case.language,
            channel=case.channel,
            subject=case.subject,
            description=case.description,
            priority=case.priority,
            remedy_sought=case.remedy_sought,
            customer=CustomerOut(
                id=customer.public_id, email=customer.email, name=customer.name, language=customer.preferred_language
            ),
            order=OrderOut(reference=case.order_reference, value=case.order_value, currency=case.order_currency),
            team=case.team.name if case.team else None,
            assignee=case.assignee.username if case.assignee else None,
            first_response_due_at=case.first_response_due_at,
            resolution_due_at=case.resolution_due_at,
            breached=case.breached,
            triage=_triage_of(case),
            remedies=[RemedyOut.of(r, case.language) for r in remedies],
            first_offer_seconds=round((offered - case.created_at).total_seconds(), 3) if offered else None,
            created_at=case.created_at,
            updated_at=case.updated_at,
            public=_public_of(case),
        )


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class MessageIn(InSchema):
    body: Story
    kind: Literal["customer", "reply", "note"] = Field(
        default="customer",
        description="customer: the customer wrote (e.g. in your chat); reply: an answer e-mailed under the brand "
        "identity, or, on a public-thread case, handed to your connector as the signed webhook "
        "public_reply.requested to post under the brand's account (refused with 422 when no endpoint listens for "
        "it, and held to the coach's public rules); note: internal, never shown to the customer",
    )
    override: Flag = Field(
        default=False,
        description="For a reply the coach refuses (422 with its findings): send it anyway, on purpose. The case's "
        "timeline records the override with this key's name, the rules overridden and override_reason",
    )
    override_reason: LongText | None = Field(
        default=None, description="Why the reply goes out although the coach refused it"
    )


class MessageOut(Schema):
    id: UUID
    kind: str
    body: str
    created_at: datetime

    @staticmethod
    def of(message: Message) -> "MessageOut":
        kind = {"in": "customer", "out": "reply", "note": "note"}[message.direction]
        return MessageOut(id=message.public_id, kind=kind, body=message.body, created_at=message.created_at)


class ErrorOut(Schema):
    """Every refusal, in the caller's language (Accept-Language): `detail` is one sentence for a person;
    `errors`, where fields are at fault, maps each (`customer.email` in the body, `limit` in the query,
    `Idempotency-Key`; `__all__` for the request as a whole) to its messages."""

    detail: str
    errors: dict[str, list[str]] | None = None


class ReplyRefusedOut(ErrorOut):
    findings: list[FindingOut] | None = Field(
        default=None,
        description="When the coach refused a reply: its blocking findings (the rule, the words it is about in "
        "span, a suggestion). Fix the reply, or send it again with override: true",
    )


def _public_of(case: Case) -> PublicOut | None:
    if case.channel != Channel.PUBLIC_THREAD:
        return None
    try:
        return PublicOut.of(case.public_thread)  # type: ignore[attr-defined]
    except PublicThread.DoesNotExist:
        return None


def _triage_of(case: Case) -> TriageOut | None:
    from amends.triage.models import CaseTriage

    try:
        record = case.triage  # type: ignore[attr-defined]  # reverse one-to-one, select_related by callers
    except CaseTriage.DoesNotExist:
        return None
    return TriageOut(**{**record.result, "needs_review": record.needs_review})
