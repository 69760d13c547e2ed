from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, PlainValidator, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from amends.api.fields import NO_NUL, Currency, Email, LongText, Moment, OrderValue, Reference

StrictInt = Annotated[int, Strict()]


def _date_only(value: object) -> date:
    """A calendar day as the document says (YYYY-MM-DD), nothing pydantic would otherwise take for one (a number)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_type", _("Give a date as YYYY-MM-DD."))


DueDate = Annotated[date, PlainValidator(_date_only), WithJsonSchema({"type": "string", "format": "date"})]


class InSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ActionIn(InSchema):
    what: Annotated[str, Field(min_length=1, max_length=300), NO_NUL]
    team: Annotated[str, Field(min_length=1, max_length=100), NO_NUL] = Field(description="The owning team, by name")
    due_date: DueDate = Field(description="YYYY-MM-DD; today or later")


class RootCauseIn(InSchema):
    category: Annotated[str, Field(min_length=1, max_length=50), NO_NUL] = Field(
        description="A slug of GET /root-cause-categories, e.g. product-defect"
    )
    text: Annotated[str, Field(min_length=1, max_length=2000), NO_NUL]
    actions: list[ActionIn] = Field(default_factory=list, max_length=20)


class ActionOut(Schema):
    id: UUID
    root_cause: UUID
    what: str
    team: str
    due_date: date
    status: Literal["open", "in_progress", "done", "verified"]
    overdue: bool
    done_at: datetime | None
    verified_at: datetime | None


class RootCauseOut(Schema):
    id: UUID
    category: str
    category_name: str
    text: str
    case: UUID | None
    entities: list[str]
    created_at: datetime
    actions: list[ActionOut]


class CategoryOut(Schema):
    slug: str
    name: str
    is_active: bool


class StatusIn(InSchema):
    status: Literal["in_progress", "done", "verified"]


class SurveyOut(Schema):
    id: UUID
    case: UUID
    state: Literal["scheduled", "sent", "answered", "cancelled", "suppressed"]
    language: str
    due_at: datetime
    sent_at: datetime | None
    reminder_sent_at: datetime | None
    expires_at: datetime | None
    answered_at: datetime | None
    answered_via: str | None
    satisfaction: int | None
    remedy_worth: Literal["yes", "partly", "no"] | None
    recommend: int | None
    comment: str | None
    dissatisfied: bool


class SurveyAnswerIn(InSchema):
    satisfaction: Annotated[StrictInt, Field(ge=1, le=5)]
    remedy_worth: Literal["yes", "partly", "no"] | None = None
    recommend: Annotated[StrictInt, Field(ge=0, le=10)] | None = None
    comment: LongText | None = None


class SurveyAnswerOut(Schema):
    survey: SurveyOut
    reopened: bool


class AdvocateOut(Schema):
    customer: UUID
    email: str | None  # None for a customer known only by a public handle
    name: str
    case: UUID
    satisfaction: int
    recommend: int
    reasons: list[str]
    orders_after: int
    actions: list[str]


class OrderRowIn(InSchema):
    external_id: Annotated[Reference, Field(min_length=1)] = Field(description="The shop's order number")
    customer_external_id: Annotated[Reference, Field(min_length=1)] | None = None
    customer_email: Email | None = None
    placed_at: Moment
    value: OrderValue
    currency: Currency


class OrdersIn(InSchema):
    orders: list[OrderRowIn] = Field(min_length=1, max_length=1000)


class OrdersOut(Schema):
    created: list[str]
    unchanged: list[str]
