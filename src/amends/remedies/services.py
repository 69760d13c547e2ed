"""Every write of the remedy engine, each leaving an event on the case's timeline.

A remedy moves through `lifecycle.py`'s states only by a conditional UPDATE from the state it was read in
(`filter(pk=…, state=current).update(state=target)`), so two people acting at once cannot both move it, and a
case takes one remedy at a time (the partial unique constraint `one_remedy_taken_per_case`). Every service that
takes or grants a remedy first locks the case's row, which queues such actions on one case one behind the other;
the second then finds the remedy moved and is told so (RemedyConflict, ChoiceRefused), changing nothing.

Side effects (the customer's e-mails, the `remedy.granted` webhook) are outbox rows written in the transaction
of the change.
"""

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amends.accounts.models import Team, User
from amends.cases.models import ActorKind, Case, CaseEvent, Channel, Message
from amends.cases.notifications import _sender, _thread_headers
from amends.cases.services import case_add_customer_message, case_payload, event_record
from amends.core.money import AmountError
from amends.customers.services import customer_label
from amends.outbox.services import outbox_email_enqueue
from amends.webhooks.services import webhook_emit

from . import codes, lifecycle
from .catalogue import CATALOGUE, DEFAULT_VALID_DAYS, Fulfilment, Kind, Need, Terms
from .facts import case_facts
from .lifecycle import IllegalTransition, State
from .links import BadLink, choice_token_read, choice_url
from .models import ApprovalRequest, Remedy, RemedyCode, TeamBudget
from .money import Converted, MissingRate, Money, MoneyError, RateTable
from .policy import AboveCap, Evaluation, Facts, check_value, evaluate
from .presenting import remedy_terms, remedy_text
from .selectors import (
    ActivePolicy,
    authority_of,
    budget_warning_due,
    month_start,
    offer_expiry,
    policy_active,
    rate_table,
)
from .slots_service import SlotError, slot_book, slot_choices, slot_release, slots_offered_details

logger = logging.getLogger(__name__)

SYSTEM_LABEL = "amends"


# -- errors: each with a machine code and a message in the caller's language ------------------------------------


class RemedyError(Exception):
    status = 409

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RemedyConflict(RemedyError):
    """Someone else acted first (another agent, the customer's other tab): nothing was changed."""

    status = 409


class RemedyRefused(RemedyError):
    """Not the caller's to do (an agent approving, say): nothing was changed."""

    status = 403


class RemedyInvalid(RemedyError):
    """A value that cannot be a remedy: negative, not a number, absurd, above a cap, in a currency without a rate."""

    status = 422


class ChoiceRefused(RemedyError):
    """A choice link or choice that cannot be taken: forged, truncated, expired, not offered, already chosen."""

    STATUS = {
        "invalid": 404,
        "expired": 410,
        "offer_expired": 410,
        "not_offered": 409,
        "taken": 409,
        "chosen": 409,
        "slot_taken": 409,
        "pick_time": 422,
    }

    def __init__(self, code: str, message: str, remedy: Remedy | None = None) -> None:
        super().__init__(code, message)
        self.status = self.STATUS.get(code, 409)
        self.remedy = remedy


def _illegal(current: str, target: str) -> IllegalTransition:
    return IllegalTransition(current, target)


# -- the customer's choice links ---------------------------------------------------------------------------


def _bad_link(code: str) -> ChoiceRefused:
    if code == "expired":
        return ChoiceRefused("expired", _("This link has expired. Please write to us and we will help."))
    return ChoiceRefused("invalid", _("This link is not valid. Please use the link from our e-mail as it is."))


def remedy_by_token(*, token: str) -> Remedy:
    """The remedy a choice link names; ChoiceRefused for a forged, truncated, altered or expired link."""
    try:
        public_id = choice_token_read(token)
    except BadLink as bad:
        raise _bad_link(bad.code) from None
    remedy = (
        Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team")
        .filter(public_id=public_id)
        .first()
    )
    if remedy is None:
        raise _bad_link("invalid")
    return remedy


@dataclass(frozen=True)
class OptionLine:
    """One offered option as the customer reads it in a mail: the words and the link that chooses it."""

    text: str
    url: str


def option_lines(remedies: Iterable[Remedy], language: str) -> list[OptionLine]:
    return [OptionLine(remedy_text(r, language), choice_url(r)) for r in remedies if r.state == State.OFFERED]


def options_block(lines: Sequence[OptionLine], language: str) -> str:
    """The options as a block of plain text for an e-mail, in the customer's language."""
    with translation.override(language):
        return render_to_string("remedies/email/_options.txt", {"options": lines}).strip("\n")


# -- pricing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pricing:
    """What the active policy made of a case: the evaluation, or why there is none (a missing rate)."""

    active: ActivePolicy
    facts: Facts
    evaluation: Evaluation | None
    missing_rate: str = ""

    @property
    def auto_offer(self) -> bool:
        return bool(self.evaluation and self.evaluation.auto_offer and self.evaluation.options)


def remedies_evaluate(
    *, facts: Facts, active: ActivePolicy | None = None, rates: RateTable | None = None
) -> Pricing | None:
    """Run the active policy over the facts (pure computation, no write); None without an active policy."""
    active = active or policy_active()
    if active is None:
        return None
    try:
        evaluation = evaluate(active.policy, facts, rates or rate_table())
    except MissingRate as missing:
        return Pricing(active=active, facts=facts, evaluation=None, missing_rate=missing.currency)
    return Pricing(active=active, facts=facts, evaluation=evaluation)


def _why(evaluation: Evaluation, option: Any) -> dict[str, Any]:
    described = option.as_dict()
    return {
        "policy_version": evaluation.policy_version,
        "rule": evaluation.rule,
        "rule_index": evaluation.rule_index,
        "fallback": evaluation.fallback,
        "reasons": list(evaluation.reasons),
        "conditions": [condition.as_dict() for condition in evaluation.conditions],
        "source": option.source,
        "auto_offer": evaluation.auto_offer,
        "steps": described["steps"],
        "explanation": described["explanation"],
    }


def remedies_price(
    *,
    case: Case,
    facts: Facts | None = None,
    pricing: Pricing | None = None,
    at: datetime | None = None,
    events: list[CaseEvent] | None = None,
) -> list[Remedy]:
    """Price the case under the active policy: its 2–4 options stored as proposed, or offered (with their
    expiry) when the policy says the case is low-risk, each with why, the policy version, and its value in the
    home currency with the rate used. Call inside the transaction that stores the case (the intake does): a
    complaint has its options before the request that brought it returns. Two inserts, whatever the options.

    An auto-offer is recorded on the remedies; the caller sets `case.first_offer_at` (the intake does so on the
    row it inserts; elsewhere use remedy_offer). With `events`, the events are appended there for the caller to
    write with its own (the intake writes all of a new case's events in one insert)."""
    if pricing is None:
        active = policy_active()
        if active is None:
            return []
        pricing = remedies_evaluate(facts=facts or case_facts(case=case, windows=active.windows), active=active)
        if pricing is None:
            return []
    now = at or timezone.now()
    evaluation = pricing.evaluation
    written = events if events is not None else []
    if evaluation is None:
        written.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.REMEDIES_PRICED,
                actor_kind=ActorKind.SYSTEM,
                actor_label=SYSTEM_LABEL,
                data={"policy_version": pricing.active.version, "missing_rate": pricing.missing_rate, "options": []},
                created_at=now,
            )
        )
        if events is None:
            CaseEvent.objects.bulk_create(written)
        return []
    offered = pricing.auto_offer
    expires = offer_expiry(now) if offered else None
    remedies = []
    for position, option in enumerate(evaluation.options):
        terms = option.terms
        value = terms.value
        details: dict[str, Any] = {**terms.as_dict(), "fulfilment": str(option.fulfilment)}
        if offered and terms.kind is Kind.APPOINTMENT:
            details["slots_offered"] = slots_offered_details(team_id=case.team_id, count=terms.slots, now=now)
        remedies.append(
            Remedy(
                public_id=uuid.uuid4(),
                case=case,
                kind=str(option.kind),
                state=State.OFFERED if offered else State.PROPOSED,
                position=position,
                amount=value.amount if value is not None else None,
                currency=value.currency if value is not None else evaluation.currency,
                percent=terms.percent,
                home_amount=option.value_home.value.amount if option.value_home is not None else None,
                rate_used=option.value_home.as_dict() if option.value_home and option.value_home.rate_used else {},
                details=details,
                why=_why(evaluation, option),
                policy=pricing.active.record,
                rule=(evaluation.rule or "")[:100],
                created_at=now,
                updated_at=now,
                offered_at=now if offered else None,
                expires_at=expires,
                offered_by_kind=ActorKind.SYSTEM if offered else "",
            )
        )
    Remedy.objects.bulk_create(remedies)
    summary = [{"id": str(r.public_id), "kind": r.kind} for r in remedies]
    written.append(
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.REMEDIES_PRICED,
            actor_kind=ActorKind.SYSTEM,
            actor_label=SYSTEM_LABEL,
            data={
                "policy_version": evaluation.policy_version,
                "rule": evaluation.rule,
                "fallback": evaluation.fallback,
                "auto_offer": evaluation.auto_offer,
                "options": summary,
            },
            created_at=now,
        )
    )
    if offered:
        written.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.REMEDIES_OFFERED,
                actor_kind=ActorKind.SYSTEM,
                actor_label=SYSTEM_LABEL,
                public=True,
                data={"options": summary, "by": "policy", "expires_at": expires.isoformat() if expires else None},
                created_at=now,
            )
        )
    if events is None:
        CaseEvent.objects.bulk_create(written)
    return remedies


def _parse_value(value: str | Decimal | int, currency: str) -> Money:
    """A value a person typed: refused with a specific reason when it is not a positive amount of a currency."""
    if isinstance(value, float | bool):
        raise RemedyInvalid("not_decimal", _("The value must be a number such as 49.90."))
    try:
        if isinstance(value, str):
            return Money.parse(value, currency or None)
        number = Decimal(value)
        if number <= 0:
            raise RemedyInvalid(
                "negative" if number < 0 else "zero",
                _("The value must be more than zero.") if number == 0 else _("The value cannot be negative."),
            )
        return Money(number, currency)
    except AmountError as error:
        raise RemedyInvalid(
            error.code,
            _("The value %(value)s is not an amount: %(reason)s.") % {"value": str(value)[:40], "reason": str(error)},
        ) from None
    except MoneyError as error:
        messages = {
            "negative": _("The value cannot be negative."),
            "too_large": _("The value is too large."),
            "too_precise": _("The value has more decimals than %(currency)s has.") % {"currency": currency},
            "unknown_currency": _("Unknown currency %(currency)s; use an ISO 4217 code such as EUR.")
            % {"currency": currency[:10]},
        }
        raise RemedyInvalid(
            error.code, messages.get(error.code, _("The value must be a number such as 49.90."))
        ) from None
    except (ArithmeticError, ValueError, TypeError):
        raise RemedyInvalid("not_decimal", _("The value must be a number such as 49.90.")) from None


@transaction.atomic
def remedy_propose(
    *,
    actor: User | None,
    case: Case,
    kind: str,
    value: str | Decimal | int | None = None,
    currency: str = "",
    actor_label: str = "",
    at: datetime | None = None,
) -> Remedy:
    """An option an agent (or an integration) adds by hand, held to the active policy's caps: proposed, for the
    agent to offer or grant like the policy's own. A kind that carries money needs a value in the case's
    currency (the order's, else the home currency); negative, zero, non-numeric, absurd values, values above a
    cap and currencies without a rate are refused with the reason, and nothing is stored."""
    try:
        remedy_kind = Kind(kind)
    except ValueError:
        raise RemedyInvalid(
            "kind",
            _("Unknown kind of remedy %(kind)s; use one of: %(kinds)s.")
            % {"kind": repr(kind)[:40], "kinds": ", ".join(k.value for k in Kind)},
        ) from None
    active = policy_active()
    if active is None:
        raise RemedyRefused("no_policy", _("There is no active remedy policy to hold the value to."))
    now = at or timezone.now()
    facts = case_facts(case=case, windows=active.windows)
    rates = rate_table()
    terms = Terms(kind=remedy_kind)
    home_amount: Decimal | None = None
    rate: dict[str, Any] = {}
    offer_currency = facts.order_value.currency if facts.order_value is not None else active.policy.currency
    steps: list[dict[str, Any]] = []
    if CATALOGUE[remedy_kind].value is Need.NONE or value is None or value == "":
        if CATALOGUE[remedy_kind].value is Need.REQUIRED:
            raise RemedyInvalid("required", _("This kind of remedy needs a value."))
    else:
        money = _parse_value(value, (currency or offer_currency).upper())
        if not money:
            raise RemedyInvalid("zero", _("The value must be more than zero."))
        if money.currency != offer_currency:
            raise RemedyInvalid(
                "currency",
                _("This case is priced in %(currency)s; give the value in %(currency)s.")
                % {"currency": offer_currency},
            )
        try:
            converted = _check_value(active, remedy_kind, money, facts, rates)
        except AboveCap as above:
            raise RemedyInvalid(
                "above_cap",
                _("%(value)s is above the policy's cap: %(cap)s.") % {"value": str(money), "cap": above.step.text()},
            ) from None
        except MissingRate as missing:
            raise RemedyInvalid(
                "missing_rate",
                _("There is no exchange rate for %(currency)s; a manager must add one first.")
                % {"currency": missing.currency},
            ) from None
        home_amount = converted.value.amount
        rate = converted.as_dict() if converted.rate_used else {}
        terms = Terms(
            kind=remedy_kind,
            value=money,
            full=bool(remedy_kind is Kind.REFUND and facts.order_value is not None and money == facts.order_value),
            valid_until=facts.on + timedelta(days=DEFAULT_VALID_DAYS) if CATALOGUE[remedy_kind].code else None,
        )
        steps = [{"code": "fixed", "value": money.as_dict(), "base": money.as_dict(), "applied": True, "text": ""}]
    label = actor_label or (actor.display_name if actor else "")
    position = Remedy.objects.filter(case=case).count()
    remedy = Remedy.objects.create(
        public_id=uuid.uuid4(),
        case=case,
        kind=str(remedy_kind),
        state=State.PROPOSED,
        position=position,
        amount=terms.value.amount if terms.value else None,
        currency=terms.value.currency if terms.value else offer_currency,
        home_amount=home_amount,
        rate_used=rate,
        details={**terms.as_dict(), "fulfilment": str(CATALOGUE[remedy_kind].fulfilment)},
        why={"agent": label, "policy_version": active.version, "steps": steps, "source": "agent"},
        policy=active.record,
        proposed_by=actor,
        created_at=now,
        updated_at=now,
    )
    event_record(
        case=case,
        kind=CaseEvent.Kind.REMEDIES_PRICED,
        actor_kind=ActorKind.AGENT if actor else ActorKind.INTEGRATION,
        actor=actor,
        actor_label=label,
        data={
            "options": [{"id": str(remedy.public_id), "kind": remedy.kind}],
            "by": "agent",
            "value": str(terms.value or ""),
        },
        at=now,
    )
    return remedy


def _check_value(active: ActivePolicy, kind: Kind, money: Money, facts: Facts, rates: RateTable) -> Converted:
    try:
        return check_value(active.policy, kind, money, facts, rates)
    except (AboveCap, MissingRate):
        raise
    except ValueError as error:
        raise RemedyInvalid("invalid", str(error)) from None


# -- offering and choosing ----------------------------------------------------------------------------------


def _lock_case(case: Case) -> None:
    """Queue every taking or granting on this case behind one another (a no-op on SQLite, which has one writer)."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()


def _taken(case: Case) -> Remedy | None:
    from .models import TAKEN

    return Remedy.objects.filter(case=case, state__in=TAKEN).first()


def _move(remedy: Remedy, current: str, target: str, **changes: Any) -> None:
    """Move the remedy from `current` to `target` if it is still in `current`; else RemedyConflict."""
    lifecycle.check(current, target)
    now = changes.pop("updated_at", timezone.now())
    updated = Remedy.objects.filter(pk=remedy.pk, state=current).update(state=target, updated_at=now, **changes)
    if not updated:
        raise RemedyConflict("changed", _("The remedy changed meanwhile. Look again and retry."))
    remedy.state = target
    remedy.updated_at = now
    for name, value in changes.items():
        setattr(remedy, name, value)


@transaction.atomic
def remedy_offer(
    *,
    actor: User | None,
    case: Case,
    remedies: Sequence[Remedy] | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> list[Remedy]:
    """Offer the case's proposed options (or those given) to the customer: offered, with their expiry; the case's
    first offer is recorded if it had none; the customer gets an e-mail with one link per option."""
    now = at or timezone.now()
    kind = ActorKind.AGENT if actor else ActorKind.INTEGRATION
    _lock_case(case)
    if _taken(case) is not None:
        raise RemedyConflict("taken", _("The customer already has a remedy on this case."))
    proposed = Remedy.objects.filter(case=case, state=State.PROPOSED)
    if remedies is not None:
        proposed = proposed.filter(pk__in=[r.pk for r in remedies])
    targets = list(proposed.order_by("position", "id"))
    if remedies is not None and len(targets) != len(remedies):
        raise RemedyConflict("not_proposed", _("Only proposed options can be offered; one of them is not."))
    if not targets:
        raise RemedyConflict("nothing", _("There are no proposed options to offer."))
    expires = offer_expiry(now)
    for remedy in targets:
        extra: dict[str, Any] = {}
        if remedy.kind == Kind.APPOINTMENT:
            # The calendar's next free times, as they are now: offered with the option, picked on the choice page.
            count = (remedy.details or {}).get("slots")
            times = slots_offered_details(team_id=case.team_id, count=count, now=now)
            extra["details"] = {**(remedy.details or {}), "slots_offered": times}
            remedy.__dict__.pop("_texts", None)
        _move(
            remedy,
            State.PROPOSED,
            State.OFFERED,
            offered_at=now,
            expires_at=expires,
            offered_by=actor,
            offered_by_kind=kind,
            updated_at=now,
            **extra,
        )
    if Case.objects.filter(pk=case.pk, first_offer_at__isnull=True).update(first_offer_at=now):
        case.first_offer_at = now
    label = actor_label or (actor.display_name if actor else "")
    event_record(
        case=case,
        kind=CaseEvent.Kind.REMEDIES_OFFERED,
        actor_kind=kind,
        actor=actor,
        actor_label=label,
        data={
            "options": [{"id": str(r.public_id), "kind": r.kind} for r in targets],
            "by": "agent" if actor else "integration",
            "expires_at": expires.isoformat(),
        },
        at=now,
    )
    language = case.language
    lines = option_lines(targets, language)
    with translation.override(language):
        subject = f"[{case.reference}] " + _("Please choose how we put it right")
        body = render_to_string(
            "remedies/email/offer.txt",
            {"case": case, "customer": case.customer, "options": options_block(lines, language), "expires": expires},
        )
    if case.customer.email:  # a customer known only by a handle sees the options on their status page
        outbox_email_enqueue(
            recipient=case.customer.email,
            subject=subject,
            body=body,
            sender=_sender(case),
            case_id=case.pk,
            headers=_thread_headers(case),
        )
    return targets


@dataclass
class GrantResult:
    """What a grant came to: granted, or an approval request (which limit it broke), and any budget warning."""

    remedy: Remedy
    granted: bool
    approval: ApprovalRequest | None = None
    refused_by: str = ""
    limit: Decimal | None = None
    budget_warning: str = ""
    code: RemedyCode | None = None
    notes: list[str] = field(default_factory=list)


def refuse_choice(remedy: Remedy, now: datetime) -> ChoiceRefused:
    """Why this remedy cannot be chosen now, in plain words."""
    state = remedy.state
    if state in (State.CHOSEN, State.APPROVAL_REQUESTED, State.APPROVED, State.GRANTED, State.FULFILLED):
        return ChoiceRefused("chosen", _("You have already chosen this option. We are on it."), remedy)
    if state == State.EXPIRED or (
        state == State.OFFERED and remedy.expires_at is not None and remedy.expires_at <= now
    ):
        return ChoiceRefused("offer_expired", _("This offer has expired. Please write to us and we will help."), remedy)
    if state == State.DECLINED:
        return ChoiceRefused(
            "taken", _("Another option has already been chosen for this case, so this one is no longer open."), remedy
        )
    return ChoiceRefused("not_offered", _("This option is not on offer. Please write to us and we will help."), remedy)


def _decline_others(remedy: Remedy, now: datetime) -> int:
    return (
        Remedy.objects.filter(case_id=remedy.case_id, state=State.OFFERED)
        .exclude(pk=remedy.pk)
        .update(state=State.DECLINED, updated_at=now)
    )


@transaction.atomic
def remedy_choose(*, token: str, slot: str | None = None, at: datetime | None = None) -> GrantResult:
    """The customer's choice through their signed link: the option is chosen (once: a second tab, or a second
    option, is told plainly that the choice is made), the case's other offered options are declined, and the
    choice is granted under the authority of whoever offered it (the policy's own for an automatic offer), or
    goes to a manager for approval."""
    remedy = remedy_by_token(token=token)
    return _choose(remedy, at=at or timezone.now(), slot=slot)


def remedy_choose_on_case(
    *, case: Case, remedy_id: Any, slot: str | None = None, at: datetime | None = None
) -> GrantResult:
    """The customer's choice on their status page (already signed in to the case by their status link)."""
    remedy = (
        Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team")
        .filter(case=case, public_id=remedy_id)
        .first()
    )
    if remedy is None:
        raise ChoiceRefused("not_offered", _("This option is not on offer. Please write to us and we will help."))
    with transaction.atomic():
        return _choose(remedy, at=at or timezone.now(), slot=slot)


def _book_time(remedy: Remedy, slot: str | None, at: datetime) -> None:
    """An appointment is chosen with one of its times: that place is booked in the same transaction as the choice,
    so when the time is gone the choice is not made either. A calendar with no free time at all leaves the time for
    the agent to arrange."""
    if remedy.kind != Kind.APPOINTMENT:
        return
    if not slot:
        if slot_choices(remedy=remedy, now=at):
            raise ChoiceRefused("pick_time", _("Please pick one of the times offered."), remedy)
        return
    try:
        slot_book(remedy=remedy, slot_id=slot, at=at)
    except SlotError as error:
        raise ChoiceRefused("slot_taken" if error.code == "taken" else "pick_time", error.message, remedy) from None


def _choose(remedy: Remedy, *, at: datetime, slot: str | None = None) -> GrantResult:
    case = remedy.case
    _lock_case(case)
    remedy.refresh_from_db(fields=["state", "expires_at", "offered_by", "offered_by_kind"])
    if remedy.state != State.OFFERED or remedy.expires_at is None or remedy.expires_at <= at:
        raise refuse_choice(remedy, at)
    try:
        with transaction.atomic():
            updated = Remedy.objects.filter(pk=remedy.pk, state=State.OFFERED, expires_at__gt=at).update(
                state=State.CHOSEN, chosen_at=at, updated_at=at
            )
    except IntegrityError:
        raise ChoiceRefused(
            "taken", _("Another option has already been chosen for this case, so this one is no longer open."), remedy
        ) from None
    if not updated:
        remedy.refresh_from_db(fields=["state", "expires_at"])
        raise refuse_choice(remedy, at)
    remedy.state, remedy.chosen_at = State.CHOSEN, at
    _book_time(remedy, slot, at)
    declined = _decline_others(remedy, at)
    event_record(
        case=case,
        kind=CaseEvent.Kind.REMEDY_CHOSEN,
        actor_kind=ActorKind.CUSTOMER,
        actor_label=customer_label(case.customer),
        data={
            "remedy": str(remedy.public_id),
            "kind": remedy.kind,
            "declined": declined,
            **({"slot": remedy.details["booked_slot"]} if "booked_slot" in (remedy.details or {}) else {}),
        },
        at=at,
    )
    grantor = remedy.offered_by
    kind = remedy.offered_by_kind or ActorKind.SYSTEM
    if grantor is not None and not grantor.is_active:
        grantor, kind = None, ActorKind.INTEGRATION
    label = grantor.display_name if grantor else (SYSTEM_LABEL if kind == ActorKind.SYSTEM else "integration")
    return _grant_or_ask(remedy, grantor=grantor, actor_kind=kind, actor_label=label, at=at)


@transaction.atomic
def remedy_ask_other(*, case: Case, text: str, at: datetime | None = None) -> Message:
    """The customer asks for something other than the options, in their own words: a message on the case and an
    event the agent sees."""
    message = case_add_customer_message(case=case, body=text, channel=Channel.FORM, at=at)
    event_record(
        case=case,
        kind=CaseEvent.Kind.REMEDY_OTHER_ASKED,
        actor_kind=ActorKind.CUSTOMER,
        actor_label=customer_label(case.customer),
        data={"message": str(message.public_id)},
        at=at,
    )
    return message


# -- granting -----------------------------------------------------------------------------------------------


def _team_for(case: Case, grantor: User | None) -> Team | None:
    if grantor is not None and grantor.team_id:
        return grantor.team
    return case.team


def _budget_warning(budget: TeamBudget) -> str:
    budget.refresh_from_db(fields=["spent", "amount"])
    if not budget_warning_due(budget):
        return ""
    share = int(budget.spent * 100 / budget.amount) if budget.amount else 100
    return _("The team %(team)s has spent %(share)s %% of its remedy budget for this month.") % {
        "team": budget.team.name,
        "share": share,
    }


@transaction.atomic
def remedy_grant(
    *, actor: User | None, remedy: Remedy, actor_label: str = "", at: datetime | None = None
) -> GrantResult:
    """Grant a remedy in one click, within the granter's authority: their role's per-case and per-day limits
    (their own where a manager set them), and their team's monthly budget (warned at 80 %, refused when spent).
    Above any of these the grant becomes an approval request for a manager. A proposed or offered option is
    taken for the customer first (their other offered options are declined). An integration (`actor` None)
    holds an agent's authority. Two people granting at once: one grant, the other is told so."""
    now = at or timezone.now()
    kind = ActorKind.AGENT if actor else ActorKind.INTEGRATION
    label = actor_label or (actor.display_name if actor else "integration")
    case = remedy.case
    _lock_case(case)
    remedy.refresh_from_db()
    state = remedy.state
    if state in (State.GRANTED, State.FULFILLED, State.FAILED):
        by = remedy.granted_by.display_name if remedy.granted_by else _("someone else")
        raise RemedyConflict("granted", _("This remedy was already granted by %(name)s.") % {"name": by})
    if state == State.APPROVAL_REQUESTED:
        raise RemedyConflict("waiting", _("This remedy is already waiting for a manager's approval."))
    if state in (State.PROPOSED, State.OFFERED):
        taken = _taken(case)
        if taken is not None:
            raise RemedyConflict(
                "taken",
                _("Another remedy of this case is already taken (%(state)s).") % {"state": taken.get_state_display()},
            )
        if state == State.PROPOSED:
            _move(
                remedy,
                State.PROPOSED,
                State.OFFERED,
                offered_at=now,
                offered_by=actor,
                offered_by_kind=kind,
                updated_at=now,
            )
        try:
            with transaction.atomic():
                _move(remedy, State.OFFERED, State.CHOSEN, chosen_at=now, updated_at=now)
        except IntegrityError:
            raise RemedyConflict("taken", _("Another remedy of this case is already taken.")) from None
        _decline_others(remedy, now)
    elif state != State.CHOSEN:
        raise _illegal(state, State.GRANTED)
    return _grant_or_ask(remedy, grantor=actor, actor_kind=kind, actor_label=label, at=now)


def _grant_or_ask(
    remedy: Remedy, *, grantor: User | None, actor_kind: str, actor_label: str, at: datetime
) -> GrantResult:
    """A chosen remedy: granted if within the grantor's authority and budget, else an approval request."""
    case = remedy.case
    cost = remedy.home_amount or Decimal(0)
    if grantor is not None:
        User.objects.select_for_update().filter(pk=grantor.pk).values_list("pk", flat=True).first()
    authority = authority_of(user=grantor, actor_kind=actor_kind, now=at)
    refusal = authority.refusal(cost)
    budget = None
    if refusal is None and cost > 0:
        team = _team_for(case, grantor)
        budget = TeamBudget.objects.filter(team=team, month=month_start(at)).first() if team else None
        if budget is not None:
            within = TeamBudget.objects.filter(pk=budget.pk, spent__lte=F("amount") - cost).update(
                spent=F("spent") + cost
            )
            if not within:
                refusal = ("budget", budget.amount)
    if refusal is not None:
        reason, limit = refusal
        return _ask_approval(
            remedy,
            requested_by=grantor,
            actor_kind=actor_kind,
            actor_label=actor_label,
            reason=reason,
            limit=limit,
            cost=cost,
            at=at,
        )
    _move(
        remedy,
        State.CHOSEN,
        State.GRANTED,
        granted_at=at,
        granted_by=grantor,
        granted_by_kind=actor_kind,
        updated_at=at,
    )
    result = GrantResult(remedy=remedy, granted=True)
    if budget is not None:
        result.budget_warning = _budget_warning(budget)
    result.code = _on_granted(remedy, actor=grantor, actor_kind=actor_kind, actor_label=actor_label, at=at)
    return result


def _home(amount: Decimal) -> str:
    return str(Money.of(amount, settings.CURRENCY))


def _ask_approval(
    remedy: Remedy,
    *,
    requested_by: User | None,
    actor_kind: str,
    actor_label: str,
    reason: str,
    limit: Decimal,
    cost: Decimal,
    at: datetime,
) -> GrantResult:
    _move(remedy, State.CHOSEN, State.APPROVAL_REQUESTED, updated_at=at)
    approval = ApprovalRequest.objects.create(
        public_id=uuid.uuid4(),
        remedy=remedy,
        requested_by=requested_by,
        requested_at=at,
        # Machine-readable, read back into the reader's language by presenting.approval_reason.
        reason=f"{reason}: {_home(cost)} > {_home(limit)}",
    )
    event_record(
        case=remedy.case,
        kind=CaseEvent.Kind.REMEDY_APPROVAL_REQUESTED,
        actor_kind=actor_kind,
        actor=requested_by,
        actor_label=actor_label,
        data={
            "remedy": str(remedy.public_id),
            "kind": remedy.kind,
            "reason": reason,
            "limit": str(limit),
            "value": str(cost),
            "approval": str(approval.public_id),
        },
        at=at,
    )
    return GrantResult(remedy=remedy, granted=False, approval=approval, refused_by=reason, limit=limit)


def remedy_payload(remedy: Remedy, code: RemedyCode | None = None) -> dict[str, Any]:
    """What the shop is told about a remedy in the `remedy.granted` webhook."""
    return {
        "id": str(remedy.public_id),
        "kind": remedy.kind,
        "state": remedy.state,
        "amount": str(remedy.amount) if remedy.amount is not None else None,
        "currency": remedy.currency,
        "percent": str(remedy.percent) if remedy.percent is not None else None,
        "home_amount": str(remedy.home_amount) if remedy.home_amount is not None else None,
        "home_currency": settings.CURRENCY,
        "terms": remedy.details,
        "fulfilment": (remedy.details or {}).get("fulfilment", ""),
        "code": codes.group(code.code) if code else None,
        "granted_at": remedy.granted_at,
        # The same remedy is granted once: a shop that sees this key again has already done it.
        "idempotency_key": f"remedy-{remedy.public_id}-granted",
    }


def _issue_code(remedy: Remedy, terms: Terms, at: datetime) -> RemedyCode:
    valid_until = terms.valid_until or (at.date() + timedelta(days=DEFAULT_VALID_DAYS))
    expires = timezone.make_aware(datetime.combine(valid_until, time(23, 59, 59)))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return RemedyCode.objects.create(
                    code=codes.new_code(),
                    batch=f"remedy:{remedy.public_id}"[:64],
                    remedy=remedy,
                    amount=terms.value.amount if terms.value else None,
                    percent=terms.percent,
                    currency=terms.value.currency if terms.value else "",
                    minimum_order=terms.minimum_order.amount if terms.minimum_order else None,
                    expires_at=expires,
                    created_at=at,
                )
        except IntegrityError:  # a 75-bit collision: as likely as guessing one; draw again
            continue
    raise RuntimeError("could not issue a unique code")


def _on_granted(
    remedy: Remedy, *, actor: User | None, actor_kind: str, actor_label: str, at: datetime
) -> RemedyCode | None:
    """A granted remedy is a promise: the event, a code where the kind is fulfilled with one, the customer's
    confirmation in their language and the signed `remedy.granted` webhook for the shop, all in the outbox."""
    case = remedy.case
    # A remedy granted without an offer first (an agent decided for the customer) is the customer's first offer.
    if Case.objects.filter(pk=case.pk, first_offer_at__isnull=True).update(first_offer_at=at):
        case.first_offer_at = at
    terms = remedy_terms(remedy)
    code = _issue_code(remedy, terms, at) if CATALOGUE[terms.kind].code else None
    event_record(
        case=case,
        kind=CaseEvent.Kind.REMEDY_GRANTED,
        actor_kind=actor_kind,
        actor=actor,
        actor_label=actor_label,
        data={
            "remedy": str(remedy.public_id),
            "kind": remedy.kind,
            "value": str(remedy.amount or remedy.percent or ""),
            "currency": remedy.currency,
        },
        at=at,
    )
    language = case.language
    with translation.override(language):
        subject = f"[{case.reference}] " + _("Your remedy is on its way")
        body = render_to_string(
            "remedies/email/granted.txt",
            {
                "case": case,
                "customer": case.customer,
                "text": remedy_text(remedy, language),
                "code": codes.group(code.code) if code else "",
                "code_expires": code.expires_at if code else None,
            },
        )
    if case.customer.email:  # a customer known only by a handle sees it on their status page
        outbox_email_enqueue(
            recipient=case.customer.email,
            subject=subject,
            body=body,
            sender=_sender(case),
            case_id=case.pk,
            headers=_thread_headers(case),
            dedupe_key=f"remedy-granted:{remedy.pk}",
        )
    webhook_emit(
        event="remedy.granted",
        case_id=case.pk,
        data={"case": case_payload(case), "remedy": remedy_payload(remedy, code)},
    )
    if CATALOGUE[terms.kind].fulfilment is Fulfilment.NONE:
        # An apology is delivered by the reply itself: nothing is left to fulfil.
        _settle(
            remedy, State.FULFILLED, reason="", actor_kind=ActorKind.SYSTEM, actor=None, actor_label=SYSTEM_LABEL, at=at
        )
    return code


# -- approvals ----------------------------------------------------------------------------------------------


def _open_approval(remedy: Remedy) -> ApprovalRequest:
    approval = ApprovalRequest.objects.select_for_update().filter(remedy=remedy, decision="").first()
    if approval is None:
        raise RemedyConflict("decided", _("This approval was already decided."))
    return approval


def _decide(remedy: Remedy, *, actor: User, reason: str, approved: bool, at: datetime) -> ApprovalRequest:
    if not actor.is_active or not actor.is_manager:
        raise RemedyRefused("not_manager", _("Only a manager may approve or reject a remedy."))
    reason = " ".join((reason or "").split())[:300]
    if not approved and not reason:
        raise RemedyInvalid("reason", _("Say why the remedy is rejected: the agent and the timeline see it."))
    _lock_case(remedy.case)
    remedy.refresh_from_db()
    if remedy.state != State.APPROVAL_REQUESTED:
        if remedy.state in (State.APPROVED, State.GRANTED, State.FULFILLED, State.FAILED, State.REJECTED):
            raise RemedyConflict("decided", _("This approval was already decided."))
        raise _illegal(remedy.state, State.APPROVED if approved else State.REJECTED)
    approval = _open_approval(remedy)
    decision = ApprovalRequest.Decision.APPROVED if approved else ApprovalRequest.Decision.REJECTED
    updated = ApprovalRequest.objects.filter(pk=approval.pk, decision="").update(
        decision=decision, decided_by=actor, decided_at=at, decision_reason=reason
    )
    if not updated:
        raise RemedyConflict("decided", _("This approval was already decided."))
    approval.decision, approval.decided_by, approval.decided_at, approval.decision_reason = decision, actor, at, reason
    target = State.APPROVED if approved else State.REJECTED
    _move(remedy, State.APPROVAL_REQUESTED, target, updated_at=at)
    if not approved:
        slot_release(remedy=remedy)  # the customer's time goes back to the calendar
    event_record(
        case=remedy.case,
        kind=CaseEvent.Kind.REMEDY_APPROVED if approved else CaseEvent.Kind.REMEDY_REJECTED,
        actor_kind=ActorKind.AGENT,
        actor=actor,
        data={
            "remedy": str(remedy.public_id),
            "kind": remedy.kind,
            "reason": reason,
            "requested_by": approval.requested_by.display_name if approval.requested_by else "",
        },
        at=at,
    )
    return approval


@transaction.atomic
def remedy_approve(*, actor: User, remedy: Remedy, reason: str = "", at: datetime | None = None) -> GrantResult:
    """A manager says yes: the remedy is approved and granted at once (the team's spend counts it, whatever the
    budget says: approving is how a spent budget is overridden)."""
    now = at or timezone.now()
    approval = _decide(remedy, actor=actor, reason=reason, approved=True, at=now)
    cost = remedy.home_amount or Decimal(0)
    team = _team_for(remedy.case, approval.requested_by)
    if cost > 0 and team is not None:
        TeamBudget.objects.filter(team=team, month=month_start(now)).update(spent=F("spent") + cost)
    _move(
        remedy,
        State.APPROVED,
        State.GRANTED,
        granted_at=now,
        granted_by=actor,
        granted_by_kind=ActorKind.AGENT,
        updated_at=now,
    )
    code = _on_granted(remedy, actor=actor, actor_kind=ActorKind.AGENT, actor_label=actor.display_name, at=now)
    return GrantResult(remedy=remedy, granted=True, approval=approval, code=code)


@transaction.atomic
def remedy_reject(*, actor: User, remedy: Remedy, reason: str, at: datetime | None = None) -> ApprovalRequest:
    """A manager says no, with a reason the agent and the timeline see; the case is free to take another remedy."""
    return _decide(remedy, actor=actor, reason=reason, approved=False, at=at or timezone.now())


# -- withdrawing, expiring, settling ------------------------------------------------------------------------


@transaction.atomic
def remedy_withdraw(
    *, actor: User | None, remedy: Remedy, reason: str = "", actor_label: str = "", at: datetime | None = None
) -> Remedy:
    """The company takes an option back (before it is granted: a granted remedy is a promise)."""
    now = at or timezone.now()
    _lock_case(remedy.case)
    remedy.refresh_from_db()
    current = remedy.state
    if State(current) not in lifecycle.PENDING:
        raise _illegal(current, State.WITHDRAWN)
    _move(remedy, current, State.WITHDRAWN, updated_at=now)
    slot_release(remedy=remedy)
    reason = " ".join((reason or "").split())[:300]
    ApprovalRequest.objects.filter(remedy=remedy, decision="").update(
        decision=ApprovalRequest.Decision.REJECTED,
        decided_by=actor,
        decided_at=now,
        decision_reason=("withdrawn: " + reason)[:300] if reason else "withdrawn",
    )
    event_record(
        case=remedy.case,
        kind=CaseEvent.Kind.REMEDY_WITHDRAWN,
        actor_kind=ActorKind.AGENT if actor else ActorKind.INTEGRATION,
        actor=actor,
        actor_label=actor_label,
        data={"remedy": str(remedy.public_id), "kind": remedy.kind, "from": current, "reason": reason},
        at=now,
    )
    return remedy


def remedy_expire_due(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Offers whose time ran out become expired (the periodic sweep); one event per case. Returns how many."""
    now = now or timezone.now()
    due = list(
        Remedy.objects.filter(state=State.OFFERED, expires_at__lte=now)
        .order_by("expires_at", "id")
        .values_list("id", "case_id")[:limit]
    )
    by_case: dict[int, list[int]] = {}
    for remedy_id, case_id in due:
        by_case.setdefault(case_id, []).append(remedy_id)
    expired = 0
    for case_id, ids in by_case.items():
        with transaction.atomic():
            count = Remedy.objects.filter(id__in=ids, state=State.OFFERED, expires_at__lte=now).update(
                state=State.EXPIRED, updated_at=now
            )
            if count:
                CaseEvent.objects.create(
                    case_id=case_id,
                    kind=CaseEvent.Kind.REMEDIES_EXPIRED,
                    actor_kind=ActorKind.SYSTEM,
                    actor_label=SYSTEM_LABEL,
                    data={"count": count},
                    created_at=now,
                )
                expired += count
    return expired


def _settle(
    remedy: Remedy, target: str, *, reason: str, actor_kind: str, actor: User | None, actor_label: str, at: datetime
) -> None:
    _move(
        remedy,
        State.GRANTED,
        target,
        settled_at=at,
        failure_reason=reason if target == State.FAILED else "",
        updated_at=at,
    )
    event_record(
        case=remedy.case,
        kind=CaseEvent.Kind.REMEDY_FULFILLED if target == State.FULFILLED else CaseEvent.Kind.REMEDY_FAILED,
        actor_kind=actor_kind,
        actor=actor,
        actor_label=actor_label,
        data={"remedy": str(remedy.public_id), "kind": remedy.kind, "reason": reason},
        at=at,
    )


@transaction.atomic
def remedy_settle(
    *,
    remedy: Remedy,
    status: str,
    reason: str = "",
    actor: User | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> tuple[Remedy, bool]:
    """The shop (or an agent, by hand) reports a granted remedy fulfilled or failed. Idempotent: the same report
    again changes nothing and is not an error; the opposite report about a settled remedy is refused. Returns the
    remedy and whether this report changed it."""
    if status not in (State.FULFILLED, State.FAILED):
        raise RemedyInvalid("status", _("The status is fulfilled or failed."))
    reason = " ".join((reason or "").split())[:300]
    if status == State.FAILED and not reason:
        raise RemedyInvalid("reason", _("Say why the fulfilment failed."))
    now = at or timezone.now()
    _lock_case(remedy.case)
    remedy.refresh_from_db()
    if remedy.state == status:
        return remedy, False
    if remedy.state != State.GRANTED:
        raise _illegal(remedy.state, status)
    kind = ActorKind.AGENT if actor else ActorKind.INTEGRATION
    _settle(remedy, status, reason=reason, actor_kind=kind, actor=actor, actor_label=actor_label, at=now)
    return remedy, True
