from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field

from amends.api.fields import Currency, ShortText

from .catalogue import Kind
from .models import Remedy
from .money import Money
from .presenting import remedy_text


def _exact(amount: Decimal | None, currency: str) -> Decimal | None:
    """At the currency's minor unit, as stored or as just computed alike: 30.00 EUR, 1500 JPY."""
    return Money.of(amount, currency).amount if amount is not None and currency else amount


class WhyStepOut(Schema):
    code: str = Field(description="full_order, percent_of_order, fixed, percent, at_least, at_most, cap_… , result")
    text: str = Field(description="The step in plain English")
    applied: bool = Field(description="Whether the step changed the value (a cap that did not bite did not)")


class WhyOut(Schema):
    policy_version: int | None
    rule: str | None = Field(description="The rule that fired; null for the default set or an agent's own option")
    rule_index: int | None = None
    fallback: bool = Field(description="No rule matched: the policy's default options")
    reasons: list[str] = Field(description="The rule's conditions that held")
    source: str = Field(description="rule, default (added to offer at least two) or agent")
    explanation: str = ""
    steps: list[WhyStepOut]


class SlotOut(Schema):
    id: UUID
    starts_at: datetime
    ends_at: datetime


def _slot(entry: Any) -> SlotOut | None:
    if not isinstance(entry, dict):
        return None
    return SlotOut.model_construct(
        id=UUID(str(entry["id"])),
        starts_at=datetime.fromisoformat(str(entry["starts_at"])),
        ends_at=datetime.fromisoformat(str(entry["ends_at"])),
    )


class RemedyOut(Schema):
    id: UUID
    kind: str = Field(description="refund, discount_code, store_credit, replacement, service_period, appointment, …")
    state: str = Field(description="proposed, offered, chosen, approval_requested, approved, rejected, granted, …")
    value: Decimal | None = Field(description="The amount the customer gets (or what it costs), in `currency`")
    currency: str
    percent: Decimal | None = Field(description="A discount code's percentage")
    home_value: Decimal | None = Field(description="The value in the company's home currency: limits count this")
    home_currency: str
    expires_at: datetime | None = Field(description="Until when the customer may choose an offered option")
    offered_at: datetime | None
    chosen_at: datetime | None
    granted_at: datetime | None
    settled_at: datetime | None
    failure_reason: str
    text: str = Field(description="What the customer gets, in plain words, in the case's language")
    slots: list[SlotOut] = Field(
        description="An appointment's times offered with it (choose one with `slot`); empty for other kinds"
    )
    booked_slot: SlotOut | None = Field(description="The appointment's time the customer picked")
    why: WhyOut

    @staticmethod
    def of(remedy: Remedy, language: str) -> "RemedyOut":
        """Built from stored, already valid values without validating them again (`model_construct`): every case
        the API returns carries its remedies, the one the intake just created included."""
        why = remedy.why or {}
        return RemedyOut.model_construct(
            id=remedy.public_id,
            kind=remedy.kind,
            state=remedy.state,
            value=_exact(remedy.amount, remedy.currency),
            currency=remedy.currency,
            percent=remedy.percent.normalize() if remedy.percent is not None else None,
            home_value=_exact(remedy.home_amount, settings.CURRENCY),
            home_currency=settings.CURRENCY,
            expires_at=remedy.expires_at,
            offered_at=remedy.offered_at,
            chosen_at=remedy.chosen_at,
            granted_at=remedy.granted_at,
            settled_at=remedy.settled_at,
            failure_reason=remedy.failure_reason,
            text=remedy_text(remedy, language),
            slots=[s for s in map(_slot, (remedy.details or {}).get("slots_offered") or []) if s is not None],
            booked_slot=_slot((remedy.details or {}).get("booked_slot")),
            why=WhyOut.model_construct(
                policy_version=why.get("policy_version"),
                rule=why.get("rule"),
                rule_index=why.get("rule_index"),
                fallback=bool(why.get("fallback")),
                reasons=list(why.get("reasons") or []),
                source=str(why.get("source", "")),
                explanation=str(why.get("explanation", "")),
                steps=[
                    WhyStepOut.model_construct(
                        code=str(s.get("code", "")), text=str(s.get("text", "")), applied=bool(s.get("applied"))
                    )
                    for s in why.get("steps", [])
                ],
            ),
        )


class _In(Schema):
    # An unknown field is refused by name rather than dropped (the rule of every request body; see cases.schemas).
    model_config = ConfigDict(extra="forbid")


class ProposeIn(_In):
    # The kinds are fixed in code (catalogue.Kind), so the document lists them: a client is not left to learn
    # them from a 422 (the fuzzing test found a kind the document allowed and the API refused).
    kind: Kind = Field(description="The kind of remedy")
    value: ShortText | None = Field(
        default=None,
        description="For a kind that carries money: the amount as text (49.90, 49,90), in the case's "
        "currency; held to the policy's caps",
    )
    currency: Currency | None = Field(
        default=None, description="ISO 4217; the case's currency (the order's) by default"
    )


class OfferIn(_In):
    remedies: list[UUID] | None = Field(default=None, description="The proposed options to offer; all by default")


class ReasonIn(_In):
    reason: ShortText | None = Field(default=None)


class ChooseIn(_In):
    token: ShortText = Field(description="The token of the customer's choice link (the last part of /r/TOKEN/)")
    slot: UUID | None = Field(
        default=None,
        description="For an appointment: the id of the time the customer picked, one of the remedy's `slots` (or "
        "another free time of the team); 422 without one while the calendar has free times, 409 when it was "
        "just taken",
    )


# Something left when white space is taken away (what remedy_settle keeps of a reason: " ".join(reason.split())),
# as a pattern: one character that str.split() does not split on.
SAID = (
    "[^\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)


class FulfilmentIn(_In):
    # A failed fulfilment needs its reason (what remedy_settle requires); the document says so, as OrderIn says a
    # value needs its currency (the fuzzing test found a failed report without a reason allowed, then refused).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"status": {"const": "failed"}}, "required": ["status"]},
            "then": {"properties": {"reason": {"type": "string", "pattern": SAID}}, "required": ["reason"]},
        }
    )

    status: Literal["fulfilled", "failed"]
    reason: ShortText | None = Field(default=None, description="Required when the fulfilment failed")


class GrantOut(Schema):
    remedy: RemedyOut
    granted: bool = Field(description="False: above the granter's authority or budget, waiting for a manager")
    approval_requested: bool
    refused_by: str | None = Field(description="per_case, per_day or budget: the limit the grant would break")
    budget_warning: str | None = Field(description="The team has spent 80 % or more of its monthly budget")
    code: str | None = Field(description="For a discount code or store credit: the code issued")


class FulfilmentOut(Schema):
    remedy: RemedyOut
    changed: bool = Field(description="False when this report was already made (the call is idempotent)")


class OfferedOut(Schema):
    remedies: list[RemedyOut] = Field(description="The options now offered to the customer")
