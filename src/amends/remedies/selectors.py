"""Reads of the remedy engine: the active policy and the rate table (cached per process: every intake prices
a complaint), a case's remedies, a person's authority, team budgets and the approvals queue."""

import dataclasses
import logging
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from amends.accounts.models import AuthorityLimit, Team, User
from amends.cases.models import ActorKind, Case

from .catalogue import Kind
from .lifecycle import State
from .models import ApprovalRequest, ExchangeRate, PersonalAuthority, Remedy, RemedyPolicy, TeamBudget
from .money import RateTable
from .policy import Fact, Policy
from .policy_file import PolicyFileError, load

logger = logging.getLogger(__name__)

# A manager's new policy or rate reaches every process within this many seconds; meanwhile each intake reads
# neither (one look at the active version every ten seconds, one parse per new version).
CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class ActivePolicy:
    """The active policy version: its row (which every remedy it prices points at) and the parsed policy."""

    record: RemedyPolicy
    policy: Policy

    @property
    def version(self) -> int:
        return self.record.version

    @property
    def windows(self) -> tuple[int, ...]:
        """The `complaints within N days` windows the policy counts over, shortest first."""
        return tuple(
            sorted(
                {
                    c.within_days
                    for rule in self.policy.rules
                    for c in rule.conditions
                    if c.fact is Fact.COMPLAINTS and c.within_days
                }
            )
        )


_lock = threading.Lock()
_policy: tuple[float, ActivePolicy | None] | None = None
_rates: tuple[float, RateTable] | None = None


def _mentioned_categories(source: str) -> set[str]:
    """The category slugs the stored policy names. A stored version was checked against the taxonomy when it was
    saved; reading it back must not fail because a category was retired since (its rule simply never matches)."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError:
        return set()
    found: set[str] = set()
    for rule in data.get("rules", []) if isinstance(data.get("rules"), list) else []:
        when = rule.get("when", {}) if isinstance(rule, dict) else {}
        value = when.get("category") if isinstance(when, dict) else None
        if isinstance(value, dict):
            value = next(iter(value.values()), [])
        if isinstance(value, list):
            found |= {v for v in value if isinstance(v, str)}
    return found


def policy_parse(record: RemedyPolicy) -> Policy:
    """A stored version as a Policy, numbered as its row is. Raises PolicyFileError."""
    policy = load(record.source, categories=_mentioned_categories(record.source), home=settings.CURRENCY)
    if policy.version != record.version:
        policy = dataclasses.replace(policy, version=record.version)
    return policy


def policy_active() -> ActivePolicy | None:
    """The active policy, re-checked every few seconds; None when there is none (or it cannot be read, which is
    logged: complaints are still taken, without options)."""
    global _policy
    now = time.monotonic()
    cached = _policy
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    with _lock:
        current = RemedyPolicy.objects.filter(is_active=True).values_list("pk", "version").first()
        held = cached[1] if cached is not None else None
        if held is not None and current == (held.record.pk, held.record.version):
            _policy = (now, held)
            return held
        active = None
        if current is not None:
            record = RemedyPolicy.objects.get(pk=current[0])
            try:
                active = ActivePolicy(record=record, policy=policy_parse(record))
            except PolicyFileError as error:
                logger.error(
                    "the active remedy policy v%s cannot be read; no options are priced: %s", record.version, error
                )
        _policy = (now, active)
        return active


def rate_table() -> RateTable:
    """The managers' exchange rates into the home currency, re-read every few seconds."""
    global _rates
    now = time.monotonic()
    cached = _rates
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    home = settings.CURRENCY
    rows = ExchangeRate.objects.exclude(currency=home).values_list("currency", "valid_from", "rate")
    table = RateTable.build(home, list(rows))
    _rates = (now, table)
    return table


def policy_forget() -> None:
    """Drop the cached policy and rates (after a manager changes either, and between tests)."""
    global _policy, _rates
    _policy = None
    _rates = None


# -- remedies ----------------------------------------------------------------------------------------------


def case_remedies(*, actor: User, case: Case) -> list[Remedy]:
    """Every remedy of the case, for the console (any active member of staff may read every case)."""
    if not actor.is_active:
        return []
    return list(
        Remedy.objects.filter(case=case)
        .select_related("granted_by", "offered_by")
        .prefetch_related("codes", "approvals__requested_by", "approvals__decided_by")
        .order_by("position", "id")
    )


def customer_remedies(*, case: Case, now: datetime | None = None) -> list[Remedy]:
    """What the customer sees of the case's remedies: options still open to choose, and the one taken."""
    now = now or timezone.now()
    shown = [State.OFFERED, State.CHOSEN, State.APPROVAL_REQUESTED, State.APPROVED, State.GRANTED, State.FULFILLED]
    remedies = Remedy.objects.filter(case=case, state__in=shown).prefetch_related("codes").order_by("position", "id")
    return [r for r in remedies if r.state != State.OFFERED or (r.expires_at is not None and r.expires_at > now)]


def remedy_get(*, actor: User | None, public_id: Any) -> Remedy | None:
    """A remedy by its public id, for staff or an integration (who may act on every case); None if unknown."""
    if actor is not None and not actor.is_active:
        return None
    try:
        return Remedy.objects.select_related("case", "case__customer", "case__brand", "case__team").get(
            public_id=public_id
        )
    except (Remedy.DoesNotExist, ValueError, TypeError):
        return None


# -- authority and budgets ---------------------------------------------------------------------------------


def today_start(now: datetime | None = None) -> datetime:
    """Midnight of today in the company's time zone: per-day limits count from there."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now()).replace(day=1)


@dataclass(frozen=True)
class Authority:
    """What one grantor may grant without a manager, in the home currency; None means no limit."""

    per_case: Decimal | None
    per_day: Decimal | None
    granted_today: Decimal
    personal: bool = False

    @property
    def left_today(self) -> Decimal | None:
        return None if self.per_day is None else max(self.per_day - self.granted_today, Decimal(0))

    def refusal(self, cost: Decimal) -> tuple[str, Decimal] | None:
        """Which limit a grant of `cost` would break, with that limit; None when it is within."""
        if self.per_case is not None and cost > self.per_case:
            return "per_case", self.per_case
        if self.per_day is not None and self.granted_today + cost > self.per_day:
            return "per_day", self.per_day
        return None

    def allows(self, cost: Decimal | None) -> bool:
        return self.refusal(cost or Decimal(0)) is None


NO_LIMIT = Authority(per_case=None, per_day=None, granted_today=Decimal(0))


def _granted_since(since: datetime, **who: Any) -> Decimal:
    total = Remedy.objects.filter(granted_at__gte=since, home_amount__isnull=False, **who).aggregate(
        total=Sum("home_amount")
    )["total"]
    return Decimal(total or 0)


def authority_of(*, user: User | None, actor_kind: str, now: datetime | None = None) -> Authority:
    """A person's authority: their role's limits, each replaced by their own where a manager set one. An
    integration (an API key: no person behind it) holds an agent's, its grants counted together per day; the
    policy itself (a customer choosing an option offered automatically) is bounded by the policy's caps only."""
    since = today_start(now)
    if actor_kind == ActorKind.SYSTEM:
        return NO_LIMIT
    if user is None:
        role = AuthorityLimit.objects.filter(role=User.Role.AGENT).first()
        return Authority(
            per_case=role.amount if role else None,
            per_day=role.per_day if role else None,
            granted_today=_granted_since(since, granted_by__isnull=True, granted_by_kind=ActorKind.INTEGRATION),
        )
    role = AuthorityLimit.objects.filter(role=user.role).first()
    own = PersonalAuthority.objects.filter(user=user).first()
    per_case = role.amount if role else None
    per_day = role.per_day if role else None
    if own is not None:
        per_case = own.per_case if own.per_case is not None else per_case
        per_day = own.per_day if own.per_day is not None else per_day
    return Authority(
        per_case=per_case,
        per_day=per_day,
        granted_today=_granted_since(since, granted_by=user),
        personal=own is not None,
    )


def team_budget(*, team: Team | None, now: datetime | None = None) -> TeamBudget | None:
    if team is None:
        return None
    return TeamBudget.objects.filter(team=team, month=month_start(now)).first()


BUDGET_WARNING_SHARE = Decimal("0.8")


def budget_warning_due(budget: TeamBudget | None) -> bool:
    """At 80 % of the month's budget the team is warned (and refused only when it is spent)."""
    return bool(budget is not None and budget.amount > 0 and budget.spent >= budget.amount * BUDGET_WARNING_SHARE)


# -- approvals ---------------------------------------------------------------------------------------------


def approvals_queue(*, actor: User) -> QuerySet[ApprovalRequest]:
    """Grants above someone's authority waiting for a decision, oldest first; managers only."""
    if not actor.is_active or not actor.is_manager:
        return ApprovalRequest.objects.none()
    return (
        ApprovalRequest.objects.filter(decision="", remedy__state=State.APPROVAL_REQUESTED)
        .select_related("remedy", "remedy__case", "remedy__case__customer", "requested_by")
        .order_by("requested_at", "id")
    )


def offer_expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.REMEDY_OFFER_DAYS)


# -- the console's panel -----------------------------------------------------------------------------------


@dataclass
class RemedyRow:
    """One remedy as the case page shows it to the person looking."""

    remedy: Remedy
    text: str
    value: str
    home: str
    why: list[str]
    within_authority: bool
    can_offer: bool
    can_grant: bool
    can_withdraw: bool
    can_settle: bool
    approval: ApprovalRequest | None
    code: str


@dataclass
class RemedyPanel:
    rows: list[RemedyRow]
    authority: Authority
    offer_delay: str
    can_offer_all: bool
    per_case: str = ""  # the viewer's limits as their locale writes money; empty: no limit
    left_today: str = ""


def remedy_panel(*, actor: User, case: Case) -> RemedyPanel:
    """The case's remedies with their plain words, value, why, and what the viewer may do with each."""
    from . import codes
    from .money import Money
    from .presenting import (
        babel_locale,
        home_value,
        offer_delay,
        remedy_text,
        remedy_value,
        seconds_between,
        why_lines,
    )

    remedies = case_remedies(actor=actor, case=case)
    authority = authority_of(user=actor, actor_kind=ActorKind.AGENT)
    taken = any(
        r.state in (State.CHOSEN, State.APPROVAL_REQUESTED, State.APPROVED, State.GRANTED, State.FULFILLED)
        for r in remedies
    )
    rows = []
    for remedy in remedies:
        approvals = list(remedy.approvals.all())
        code = next(iter(remedy.codes.all()), None)
        rows.append(
            RemedyRow(
                remedy=remedy,
                text=remedy_text(remedy),
                value=remedy_value(remedy),
                home=home_value(remedy, settings.CURRENCY) if remedy.currency != settings.CURRENCY else "",
                why=why_lines(remedy),
                within_authority=authority.allows(remedy.home_amount),
                can_offer=remedy.state == State.PROPOSED and not taken,
                can_grant=remedy.state == State.CHOSEN
                or (remedy.state in (State.PROPOSED, State.OFFERED) and not taken),
                can_withdraw=remedy.state
                in (State.PROPOSED, State.OFFERED, State.CHOSEN, State.APPROVAL_REQUESTED, State.APPROVED),
                can_settle=remedy.state == State.GRANTED,
                approval=approvals[-1] if approvals else None,
                code=codes.group(code.code) if code else "",
            )
        )

    def money(amount: Decimal | None) -> str:
        return (
            Money.of(amount, settings.CURRENCY).format(babel_locale(get_language() or "en"))
            if amount is not None
            else ""
        )

    return RemedyPanel(
        per_case=money(authority.per_case),
        left_today=money(authority.left_today),
        rows=rows,
        authority=authority,
        offer_delay=offer_delay(seconds_between(case.created_at, case.first_offer_at)),
        can_offer_all=not taken and sum(1 for r in remedies if r.state == State.PROPOSED) > 0,
    )


@dataclass
class CustomerOption:
    """An option as the customer sees it on their status page: the words, and the link token that chooses it
    (empty for the one already taken)."""

    remedy: Remedy
    text: str
    token: str
    slots: list = field(default_factory=list)  # an appointment's times the customer may pick (SlotChoice)


def customer_options(*, case: Case, language: str) -> list[CustomerOption]:
    from .links import choice_token
    from .presenting import remedy_text
    from .slots_service import slot_choices

    return [
        CustomerOption(
            remedy=remedy,
            text=remedy_text(remedy, language),
            token=choice_token(remedy) if remedy.state == State.OFFERED else "",
            slots=slot_choices(remedy=remedy)
            if remedy.state == State.OFFERED and remedy.kind == Kind.APPOINTMENT
            else [],
        )
        for remedy in customer_remedies(case=case)
    ]
