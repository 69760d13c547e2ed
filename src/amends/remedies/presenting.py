"""How a stored remedy reads to people: what the customer gets in plain words (catalogue.describe, in their
language), its value, and why the policy offered it, step by step in the reader's language."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .catalogue import Kind, Period, Terms, describe, language_code
from .models import Remedy
from .money import Money
from .slots_service import offered_times


def _money(raw: Any) -> Money | None:
    if not isinstance(raw, dict) or raw.get("amount") is None:
        return None
    return Money.of(str(raw["amount"]), str(raw["currency"]))


def remedy_terms(remedy: Remedy) -> Terms:
    """The terms a remedy was offered on, as stored with it (`details` holds Terms.as_dict())."""
    details = remedy.details or {}
    period = details.get("period")
    valid = details.get("valid_until")
    percent = details.get("percent")
    return Terms(
        kind=Kind(remedy.kind),
        value=_money(details.get("value")),
        full=bool(details.get("full")),
        percent=Decimal(str(percent)) if percent is not None else None,
        minimum_order=_money(details.get("minimum_order")),
        valid_until=date.fromisoformat(valid) if valid else None,
        period=Period(int(period["count"]), period["unit"]) if isinstance(period, dict) else None,
        slots=details.get("slots"),
        item=details.get("item") or {},
    )


def babel_locale(language: str) -> str:
    code = language_code(language)
    return {"sr-latn": "sr_Latn"}.get(code, code.split("-")[0] or "en")


def money_words(amount: str, currency: str) -> str:
    """A stored amount (`"30.00"`) in `currency`, in the reader's number format (lent to core.display)."""
    return Money.of(amount, currency).format(babel_locale(get_language() or "en"))


def remedy_text(remedy: Remedy, language: str | None = None) -> str:
    """What the customer gets, in plain words, in `language` (the active one by default). Kept on the instance:
    the intake words each option for the acknowledgement and again for the API's answer."""
    language = language or get_language() or "en"
    texts: dict[str, str] = remedy.__dict__.setdefault("_texts", {})
    if language not in texts:
        if remedy.kind == Kind.APPOINTMENT:
            # The times offered (or the one booked), in the company's time zone: the calendar is kept in it.
            booked = isinstance((remedy.details or {}).get("booked_slot"), dict)
            texts[language] = describe(
                remedy_terms(remedy),
                language,
                slots=offered_times(remedy),
                tz=timezone.get_current_timezone(),
                booked=booked,
            )
        else:
            texts[language] = describe(remedy_terms(remedy), language)
    return texts[language]


def remedy_value(remedy: Remedy, language: str | None = None) -> str:
    """The value as the reader's locale writes it: `13,49 €`, `15 %`, or empty for a remedy without one."""
    locale = babel_locale(language or get_language() or "en")
    if remedy.amount is not None and remedy.currency:
        return Money.of(remedy.amount, remedy.currency).format(locale)
    if remedy.percent is not None:
        return f"{remedy.percent.normalize():f} %"
    return ""


def home_value(remedy: Remedy, home: str, language: str | None = None) -> str:
    if remedy.home_amount is None:
        return ""
    return Money.of(remedy.home_amount, home).format(babel_locale(language or get_language() or "en"))


def _amount(raw: Any) -> str:
    money = _money(raw)
    return money.format(babel_locale(get_language() or "en")) if money else ""


def step_words(step: dict[str, Any]) -> str:
    """One step of an option's computation (policy.Step.as_dict()) in the reader's language."""
    code = step.get("code")
    value, base, bound = _amount(step.get("value")), _amount(step.get("base")), _amount(step.get("bound"))
    percent = f"{Decimal(str(step['percent'])).normalize():f}" if step.get("percent") is not None else ""
    rate = step.get("rate")
    converted = f" = {bound}" if rate and bound else ""
    if code == "full_order":
        return _("the whole order, %(value)s") % {"value": value}
    if code == "percent_of_order":
        return _("%(percent)s %% of the order %(base)s = %(value)s") % {
            "percent": percent,
            "base": base,
            "value": value,
        }
    if code == "fixed":
        return _("a fixed %(amount)s") % {"amount": base + (f" = {value}" if rate else "")}
    if code == "percent":
        return _("%(percent)s %% off") % {"percent": percent}
    if code == "minimum_order":
        return _("on an order of at least %(amount)s") % {"amount": base + converted}
    if code == "result":
        return _("offered: %(value)s") % {"value": value}
    if code in ("cap_share_of_order", "cap_policy_share"):
        if step.get("note"):
            return _("capped at %(percent)s %% of the order (there is no order)") % {"percent": percent}
        return _("capped at %(percent)s %% of the order = %(bound)s") % {"percent": percent, "bound": bound}
    if code == "at_least":
        return _("at least %(amount)s") % {"amount": base + converted}
    if code == "at_most":
        return _("at most %(amount)s") % {"amount": base + converted}
    if code == "cap_kind":
        return _("capped for this kind of remedy at %(amount)s") % {"amount": base + converted}
    if code == "cap_any":
        return _("capped for any remedy at %(amount)s") % {"amount": base + converted}
    if code == "cap_order":
        return _("no more than the order, %(amount)s") % {"amount": bound}
    return str(step.get("text", code))


def _reasons(why: dict[str, Any], currency: str) -> list[str]:
    """The fired rule's conditions in the reader's language. A remedy priced before the conditions were kept as
    data has only their English words, shown as they are."""
    # policy_words builds on this module (babel_locale), so it is imported here, not at the top.
    from .policy import Condition, PolicyError
    from .policy_words import condition_words

    stored = why.get("conditions")
    if not isinstance(stored, list) or not stored:
        return [str(reason) for reason in why.get("reasons") or []]
    try:
        return [condition_words(Condition.from_dict(data), currency) for data in stored]
    except (PolicyError, KeyError, TypeError, ValueError):
        return [str(reason) for reason in why.get("reasons") or []]


def why_lines(remedy: Remedy) -> list[str]:
    """Why this remedy: the rule that fired (or the default set) and each step of its value that counted."""
    why = remedy.why or {}
    lines = []
    version = why.get("policy_version")
    if why.get("agent"):
        lines.append(_("Proposed by %(name)s.") % {"name": why["agent"]})
    elif why.get("fallback"):
        lines.append(_("Policy v%(version)s: no rule matched, so the default options.") % {"version": version})
    elif why.get("rule"):
        lines.append(
            _("Policy v%(version)s, rule %(index)s “%(rule)s”: %(reasons)s.")
            % {
                "version": version,
                "index": why.get("rule_index"),
                "rule": why["rule"],
                "reasons": "; ".join(_reasons(why, settings.CURRENCY)) or _("always"),
            }
        )
    if why.get("source") == "default" and not why.get("fallback"):
        lines.append(_("Added from the default options, to offer at least two."))
    caps = {"cap_kind", "cap_any", "cap_policy_share"}
    for step in why.get("steps", []):
        if step.get("applied", True) or step.get("code") not in caps:
            lines.append(step_words(step))
    rate = (remedy.rate_used or {}).get("rate")
    if rate:
        lines.append(
            _("Converted at 1 %(currency)s = %(rate)s (rate of %(date)s).")
            % {"currency": rate["currency"], "rate": rate["rate"], "date": rate["date"]}
        )
    return lines


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def offer_delay(seconds: float | None) -> str:
    """Compact: `0.4 s`, `42 s`, `3 min`, `2 h`, `5 d`."""
    if seconds is None:
        return ""
    if seconds < 10:
        return _("%(n)s s") % {"n": f"{seconds:.1f}"}
    if seconds < 120:
        return _("%(n)s s") % {"n": int(seconds)}
    if seconds < 7200:
        return _("%(n)s min") % {"n": int(seconds // 60)}
    if seconds < 172800:
        return _("%(n)s h") % {"n": int(seconds // 3600)}
    return _("%(n)s d") % {"n": int(seconds // 86400)}


def refusal_words(code: str, value: str, limit: str) -> str:
    """Why a grant went to a manager, in the reader's language."""
    if code == "per_case":
        return _("%(value)s is above the per-case limit of %(limit)s") % {"value": value, "limit": limit}
    if code == "per_day":
        return _("%(value)s would pass the per-day limit of %(limit)s") % {"value": value, "limit": limit}
    if code == "budget":
        return _("%(value)s would pass the team's monthly budget of %(limit)s") % {"value": value, "limit": limit}
    return code


def approval_reason(reason: str) -> str:
    """An approval request's stored reason (`per_case: 30.00 EUR > 20.00 EUR`) in the reader's language."""
    code, _sep, rest = reason.partition(": ")
    value, _gt, limit = rest.partition(" > ")
    if not limit:
        return reason
    locale = babel_locale(get_language() or "en")

    def money(text: str) -> str:
        amount, _space, currency = text.partition(" ")
        try:
            return Money.of(amount, currency).format(locale)
        except ValueError:
            return text

    return refusal_words(code, money(value), money(limit))
