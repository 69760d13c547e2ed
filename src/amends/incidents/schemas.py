"""The incidents API's bodies: every rule a JSON Schema can state is in the document; the rest (an end before the
start, a category that does not exist, the coach's verdict on a statement) is checked by the services and refused
with 422 and the reason."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, Strict

from amends.api.fields import VISIBLE, Flag, Moment, OrderValue, ShortText
from amends.remedies.catalogue import Kind

from .drafts import remedy_words
from .models import Incident

Title = Annotated[str, Field(max_length=200), VISIBLE]
Words = Annotated[str, Field(max_length=5000), VISIBLE]
Entity = Annotated[str, Field(min_length=1, max_length=100), VISIBLE]
Severity = Annotated[int, Strict(), Field(ge=1, le=3)]


class _In(Schema):
    # An unknown field is refused by name rather than dropped (the rule of every request body; see cases.schemas).
    model_config = ConfigDict(extra="forbid")


class IncidentIn(_In):
    title: Title = Field(description="What broke, in a few words, e.g. Checkout down")
    summary: Words = Field(description="What happened, in plain words")
    started_at: Moment = Field(description="When customers were first touched (RFC 3339); not in the future")
    ended_at: Moment | None = Field(default=None, description="When it ended; not before started_at. Omit while on")
    entities: Annotated[list[Entity], Field(max_length=20)] | None = Field(
        default=None,
        description="Products, services, codes or addresses touched, as triage finds them in complaints: "
        "error:503, web:shop.example, order:SO-1, or a plain word (a product or service name). A complaint "
        "naming one of them within the incident's window joins the incident",
    )
    severity: Severity = Field(default=2, description="1 minor, 2 major, 3 critical")
    category: ShortText | None = Field(default=None, description="The triage category's slug, e.g. outage")
    remedy_kind: Kind | None = Field(default=None, description="What every affected customer gets")
    remedy_value: OrderValue | None = Field(
        default=None,
        description="Its value: a percentage for a discount code (at most 100), else an amount in the home currency",
    )


class UpdateIn(_In):
    body: Words = Field(description="The update, as customers or colleagues should read it")
    public: Flag = Field(default=False, description="True: shown on the public incident page and in its feed")


class ResolveIn(_In):
    body: Words | None = Field(default=None, description="A last public word: what was fixed")
    ended_at: Moment | None = Field(default=None, description="When it ended (not before it started); now by default")


class LinkIn(_In):
    case: UUID = Field(description="The id of the case to link")


class PublishIn(_In):
    level: Literal["company_page_post", "blog_post", "public_apology"] = Field(
        description="The rung of the communication ladder to publish at"
    )
    override: Flag = Field(
        default=False, description="Publish although the coach blocks a statement; the override is recorded"
    )


class IncidentOut(Schema):
    id: UUID
    slug: str
    title: str
    summary: str
    state: str = Field(description="open or resolved")
    severity: int
    started_at: datetime
    ended_at: datetime | None
    entities: list[str]
    category: str | None
    remedy_kind: str | None
    remedy_value: Decimal | None
    remedy: str = Field(description="The remedy in words, in the caller's language")
    cluster: UUID | None
    cases: int = Field(description="How many complaints are linked")
    published_at: datetime | None
    public_level: str | None
    public_url: str | None = Field(description="The public page, once published")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(incident: Incident, *, cases: int) -> "IncidentOut":
        from .drafts import public_url

        return IncidentOut(
            id=incident.public_id,
            slug=incident.slug,
            title=incident.title,
            summary=incident.summary,
            state=incident.state,
            severity=incident.severity,
            started_at=incident.started_at,
            ended_at=incident.ended_at,
            entities=list(incident.entities or []),
            category=incident.category.slug if incident.category else None,
            remedy_kind=incident.remedy_kind or None,
            remedy_value=incident.remedy_value,
            remedy=remedy_words(incident),
            cluster=incident.cluster.public_id if incident.cluster else None,
            cases=cases,
            published_at=incident.published_at,
            public_level=incident.public_level or None,
            public_url=public_url(incident) if incident.published_at else None,
            created_at=incident.created_at,
            updated_at=incident.updated_at,
        )


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class UpdateOut(Schema):
    kind: str
    body: str
    public: bool
    created_at: datetime


class LinkOut(Schema):
    incident: UUID
    case: UUID
    how: str = Field(description="cluster, matched or manual")
    created: bool = Field(description="False: the case was linked already (the call is idempotent)")


class PublishOut(Schema):
    incident: IncidentOut
    published: bool = Field(description="False: it was published already; nothing was sent again")
