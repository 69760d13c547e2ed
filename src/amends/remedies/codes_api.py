"""The shop's side of remedy codes: look a code up, and report that it was redeemed (idempotent)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from amends.api.fields import NO_NUL, Currency, DocumentPattern, OrderValue
from amends.api.idempotency import run_idempotent
from amends.api.models import ApiKey
from amends.cases.schemas import ErrorOut, InSchema

from . import codes
from .codes_service import MAX_ORDER_REFERENCE, CodeRefused, code_find, code_redeem, code_state
from .models import RemedyCode
from .money import Money

router = Router(tags=["codes"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut}
# A malformed code (a mistyped symbol, the wrong length) is not a code at all; a well-formed one that was never
# issued is not found. The check symbol's rule is public, so telling them apart gives nothing away.
STATUS = {
    "malformed": 422,
    "not_found": 404,
    "redeemed": 409,
    "void": 409,
    "expired": 410,
    "currency": 422,
    "minimum_order": 422,
}
# A code as typed: the document says which characters make one (the check symbol is beyond a pattern: a code
# with one symbol mistyped matches it and is refused with 422, as the operations say).
TypedCode = Annotated[str, DocumentPattern(codes.TYPED_PATTERN)]


class CodeOut(Schema):
    code: str = Field(description="The code as printed, in four groups: K7QM-3XPA-9TRD-W2XY")
    state: Literal["issued", "redeemed", "void", "expired"] = Field(
        description="expired: issued, but its expiry has passed"
    )
    amount: Decimal | None = Field(description="What the code is worth, in `currency`; or null for a percentage")
    percent: Decimal | None = Field(description="The discount in percent; or null for an amount")
    currency: str = Field(description="ISO 4217; empty for a percentage code without a minimum order")
    minimum_order: Decimal | None = Field(description="The smallest order the code may be redeemed on")
    expires_at: datetime
    redeemed_at: datetime | None
    order_reference: str | None = Field(description="The order it was redeemed on")

    @classmethod
    def of(cls, code: RemedyCode) -> "CodeOut":
        def money(value: Decimal | None) -> Decimal | None:
            return Money.of(value, code.currency).amount if value is not None and code.currency else value

        return cls(
            code=codes.group(code.code),
            state=code_state(code),  # type: ignore[arg-type]
            amount=money(code.amount),
            percent=code.percent,
            currency=code.currency,
            minimum_order=money(code.minimum_order),
            expires_at=code.expires_at,
            redeemed_at=code.redeemed_at,
            order_reference=code.redeemed_order or None,
        )


class RedemptionIn(InSchema):
    order_reference: Annotated[str, NO_NUL] = Field(
        min_length=1, max_length=MAX_ORDER_REFERENCE, description="The shop's order the code was redeemed on"
    )
    order_value: OrderValue | None = Field(
        default=None, description="The order's value; needed when the code has a minimum order"
    )
    currency: Currency | None = Field(default=None, description="The order's currency (ISO 4217); the code's if absent")


def _refused(error: CodeRefused) -> HttpError:
    return HttpError(STATUS[error.reason], error.message)


@router.get(
    "/codes/{code}",
    response={200: CodeOut, **ERRORS},
    summary="Look a code up",
    description="The code as the customer typed it: case, spaces and dashes do not matter, and look-alike "
    "characters (O for 0, I or L for 1) are read as the code's own. A string that cannot be a code answers 422, a "
    "code that was never issued 404.",
)
def get_code(request: HttpRequest, code: TypedCode):  # type: ignore[no-untyped-def]
    try:
        found = code_find(code=code)
    except CodeRefused as error:
        raise _refused(error) from None
    # Serialised as the redemption's answer is (microseconds included), so the two can be compared as they are.
    return JsonResponse(CodeOut.of(found).model_dump(mode="json"))


@router.post(
    "/codes/{code}/redemption",
    response={200: CodeOut, **WRITE_ERRORS},
    summary="Report that a code was redeemed",
    description="Idempotent: the same order reported again answers 200 with the same code and changes nothing. "
    "A code already redeemed on another order, or withdrawn, answers 409; an expired one 410; an order below the "
    "code's minimum, or in another currency than an amount code's, 422. Two reports at the same moment redeem "
    "the code once.",
)
def redeem_code(request: HttpRequest, code: TypedCode, payload: RedemptionIn):  # type: ignore[no-untyped-def]
    key: ApiKey = request.auth  # type: ignore[attr-defined]

    def work() -> tuple[int, dict]:
        try:
            redemption = code_redeem(
                code=code,
                order_reference=payload.order_reference,
                order_value=payload.order_value,
                currency=payload.currency,
            )
        except CodeRefused as error:
            raise _refused(error) from None
        return 200, CodeOut.of(redemption.code).model_dump(mode="json")

    return run_idempotent(request, key, work)
