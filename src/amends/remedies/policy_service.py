"""Managers' writes to the remedy engine's settings: a new policy version, a rate, a team's monthly budget, a
person's own authority. Each checks everything first and stores nothing when anything is wrong; each drops the
per-process caches of the policy and rates once its transaction commits, so this process prices the next
complaint with the change at once (other processes within `selectors.CACHE_SECONDS`).
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import Team, User
from amends.core.money import is_currency
from amends.triage.models import Category

from .models import ExchangeRate, PersonalAuthority, RemedyPolicy, TeamBudget
from .money import MAX_RATE, MIN_RATE
from .policy import Policy
from .policy_file import PolicyFileError, Problem, load
from .selectors import policy_forget

MAX_NOTE = 200
MAX_LIMIT = Decimal("1e10")


class PolicyConflict(Exception):
    """Another manager activated a version at the same moment: nothing was stored, try again."""


def _manager(actor: User) -> None:
    if not actor.is_active or not actor.is_manager:
        raise PermissionDenied


def known_categories() -> set[str]:
    """Every category slug of the taxonomy, retired ones too: a rule on a retired category is harmless (it never
    matches), a rule on a slug that never existed is a typo."""
    return set(Category.objects.values_list("slug", flat=True))


def policy_check(*, source: str) -> Policy:
    """The draft `source` as a Policy, or PolicyFileError with every problem and its line: TOML syntax, unknown
    fields, categories the taxonomy does not have, currencies that are not ISO 4217 or not the home one."""
    if not isinstance(source, str) or not source.strip():
        raise PolicyFileError([Problem(None, "", _("the policy is empty"))])
    return load(source.replace("\r\n", "\n"), categories=known_categories(), home=settings.CURRENCY)


_VERSION_LINE = re.compile(r"^(version[ \t]*=[ \t]*)\d+", re.MULTILINE)


def _numbered(source: str, version: int) -> str:
    """The source with its top-level `version = N` set to the number it is stored under, so an exported or old
    version reads as what it is. Only a line before the first table header is the top-level key."""
    head, bracket, rest = source.partition("\n[")
    if _VERSION_LINE.search(head):
        return _VERSION_LINE.sub(lambda m: f"{m.group(1)}{version}", head, count=1) + bracket + rest
    return f"version = {version}\n{source}"


def policy_activate(*, actor: User, source: str, note: str = "", at: datetime | None = None) -> RemedyPolicy:
    """Store `source` as the next policy version and make it the active one. The earlier version stays: every
    remedy points at the version that priced it, and its values are stored on it, so nothing offered changes.
    Raises PolicyFileError (nothing stored) or PolicyConflict."""
    _manager(actor)
    source = source.replace("\r\n", "\n")
    policy_check(source=source)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("Keep the note to %(n)s characters.") % {"n": MAX_NOTE}]})
    now = at or timezone.now()
    try:
        with transaction.atomic():
            # The active row is locked so two activations queue; the unique version number catches the rest.
            list(RemedyPolicy.objects.select_for_update().filter(is_active=True).values_list("pk", flat=True))
            number = (RemedyPolicy.objects.aggregate(n=Max("version"))["n"] or 0) + 1
            RemedyPolicy.objects.filter(is_active=True).update(is_active=False)
            record = RemedyPolicy.objects.create(
                version=number,
                source=_numbered(source, number),
                note=note,
                is_active=True,
                created_by=actor,
                created_at=now,
                activated_at=now,
            )
            transaction.on_commit(policy_forget)
    except IntegrityError as error:
        raise PolicyConflict(str(error)) from None
    _forget()
    return record


def _forget() -> None:
    """Drop the caches now too: inside an outer transaction (a test, a management command) on_commit waits for
    its end, and the caller expects its own next read to see the change. A read in between that caches the old
    state is dropped again on commit."""
    policy_forget()


# -- rates --------------------------------------------------------------------------------------------------


def _decimal(raw: object) -> Decimal | None:
    text = str(raw or "").strip().replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(raw: object) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def rate_add(
    *, actor: User, currency: str, valid_from: str | date, rate: str | Decimal, at: datetime | None = None
) -> ExchangeRate:
    """Add a rate: one unit of `currency` is worth `rate` of the home currency from `valid_from` on. Refused
    (ValidationError by field, nothing stored) for an unknown or the home currency, a date in the future or one
    that already has a rate, and a rate that is not a positive decimal within the table's bounds."""
    _manager(actor)
    now = at or timezone.now()
    errors: dict[str, list[str]] = {}
    code = str(currency or "").strip().upper()
    if not is_currency(code):
        errors["currency"] = [_("Enter an ISO 4217 currency code such as USD or GBP.")]
    elif code == settings.CURRENCY:
        errors["currency"] = [
            _("%(code)s is the home currency: it needs no rate.") % {"code": settings.CURRENCY},
        ]
    day = _date(valid_from)
    if day is None:
        errors["valid_from"] = [_("Enter a date such as 2026-03-01.")]
    elif day > timezone.localdate(now):
        errors["valid_from"] = [_("A rate is recorded once it is known: the date cannot be in the future.")]
    value = _decimal(rate)
    if value is None:
        errors["rate"] = [_("Enter the rate as a number such as 1.0825.")]
    elif not MIN_RATE <= value <= MAX_RATE:
        errors["rate"] = [
            _("The rate is a positive number from %(low)s to %(high)s.") % {"low": MIN_RATE, "high": MAX_RATE}
        ]
    elif value != value.quantize(Decimal("1e-8")):
        errors["rate"] = [_("Give the rate with at most eight decimals.")]
    if not errors and day is not None and ExchangeRate.objects.filter(currency=code, valid_from=day).exists():
        errors["valid_from"] = [_("%(code)s already has a rate from this day.") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    assert day is not None and value is not None  # noqa: S101 -- checked above; narrows the types
    try:
        with transaction.atomic():
            row = ExchangeRate.objects.create(
                currency=code, valid_from=day, rate=value, created_by=actor, created_at=now
            )
            transaction.on_commit(policy_forget)
    except IntegrityError:
        raise ValidationError(
            {"valid_from": [_("%(code)s already has a rate from this day.") % {"code": code}]}
        ) from None
    _forget()
    return row


# -- budgets and personal authority --------------------------------------------------------------------------


def _amount(raw: object, *, field: str, empty_ok: bool) -> Decimal | None:
    if str(raw or "").strip() == "" and empty_ok:
        return None
    value = _decimal(raw)
    if value is None or value < 0 or value >= MAX_LIMIT or value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("Enter an amount from 0 to 9,999,999,999.99 with at most two decimals.")]})
    return value


def month_of(raw: str | date) -> date | None:
    """`2026-03` (or any day of it) as the first day of that month."""
    if isinstance(raw, date):
        return raw.replace(day=1)
    text = str(raw or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    day = _date(text)
    return day.replace(day=1) if day else None


def team_budget_set(*, actor: User, team: Team, month: str | date, amount: str | Decimal) -> TeamBudget:
    """Set a team's remedy budget for a month (in the home currency). What it has spent stays as counted."""
    _manager(actor)
    errors: dict[str, list[str]] = {}
    first = month_of(month)
    if first is None:
        errors["month"] = [_("Enter a month such as 2026-03.")]
    try:
        value = _amount(amount, field="amount", empty_ok=False)
    except ValidationError as error:
        errors.update(error.message_dict)
        value = None
    if errors:
        raise ValidationError(errors)
    assert first is not None and value is not None  # noqa: S101 -- checked above; narrows the types
    with transaction.atomic():
        budget, _created = TeamBudget.objects.select_for_update().get_or_create(
            team=team, month=first, defaults={"amount": value}
        )
        if not _created:
            TeamBudget.objects.filter(pk=budget.pk).update(amount=value)
            budget.amount = value
    return budget


def personal_authority_set(
    *, actor: User, user: User, per_case: str | Decimal | None, per_day: str | Decimal | None
) -> PersonalAuthority:
    """Give `user` their own limits (empty: their role's); at least one must be given."""
    _manager(actor)
    errors: dict[str, list[str]] = {}
    limits: dict[str, Decimal | None] = {}
    for name, raw in (("per_case", per_case), ("per_day", per_day)):
        try:
            limits[name] = _amount(raw, field=name, empty_ok=True)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not errors and limits["per_case"] is None and limits["per_day"] is None:
        errors["per_case"] = [_("Give a limit per case, per day, or both.")]
    if not user.is_active:
        errors["user"] = [_("This account is not active.")]
    if errors:
        raise ValidationError(errors)
    own, _created = PersonalAuthority.objects.update_or_create(user=user, defaults=limits)
    return own


def personal_authority_remove(*, actor: User, user: User) -> bool:
    """Back to the role's limits. True when there was an override to remove."""
    _manager(actor)
    deleted, _kinds = PersonalAuthority.objects.filter(user=user).delete()
    return deleted > 0
