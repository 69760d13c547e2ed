"""A policy in plain words, in the manager's language, for the policy pages (the TOML beside it is the
exact text). The pure core's own descriptions (`Condition.describe`) are English, for logs and the API's why."""

from decimal import Decimal

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from amends.core import display

from .catalogue import Kind
from .models import KIND_CHOICES
from .money import Money
from .policy import Condition, Fact, Op, OptionSpec, Policy, Rule
from .presenting import babel_locale

FACTS = {
    Fact.CATEGORY: gettext_lazy("category"),
    Fact.SEVERITY: gettext_lazy("severity"),
    Fact.ORDER_VALUE: gettext_lazy("order value"),
    Fact.CUSTOMER_TIER: gettext_lazy("customer tier"),
    Fact.LIFETIME_VALUE: gettext_lazy("customer's lifetime value"),
    Fact.DELAY_DAYS: gettext_lazy("days of delay"),
    Fact.PUBLIC_RISK: gettext_lazy("public risk"),
    Fact.CHURN_RISK: gettext_lazy("churn risk"),
    Fact.CHANNEL: gettext_lazy("channel"),
    Fact.LANGUAGE: gettext_lazy("language"),
}
KINDS = dict(KIND_CHOICES)


def _num(value: Decimal | None) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return Money.of(amount, currency).format(babel_locale(get_language() or "en"))


def value_words(fact: Fact, value: str) -> str:
    """A value a condition names (a category slug, a channel, a language code) as the reader knows it."""
    if fact is Fact.CATEGORY:
        return display.category_label(value)
    if fact is Fact.CHANNEL:
        return display.channel_label(value)
    if fact is Fact.LANGUAGE:
        return display.language_label(value)
    if fact is Fact.CUSTOMER_TIER:
        from amends.customers.models import Customer

        return str(dict(Customer.Tier.choices).get(value, value))
    return display.readable(value) if "_" in value else value


def condition_words(condition: Condition, currency: str) -> str:
    fact, op = condition.fact, condition.op
    if fact is Fact.INCIDENT:
        return _("part of an incident") if condition.flag else _("not part of an incident")
    if fact is Fact.CLUSTER:
        return _("in a cluster of similar complaints") if condition.flag else _("not in a cluster")
    if fact is Fact.COMPLAINTS:
        name = _("complaints in the last %(n)s days") % {"n": condition.within_days}
    else:
        name = str(FACTS[fact])
    if op in (Op.IN, Op.NOT_IN):
        values = _(" or ").join(sorted(value_words(fact, value) for value in condition.values))
        if op is Op.IN:
            return _("%(name)s is %(values)s") % {"name": name, "values": values}
        return _("%(name)s is not %(values)s") % {"name": name, "values": values}

    def show(value: Decimal | None) -> str:
        return _money(value, currency) if fact in (Fact.ORDER_VALUE, Fact.LIFETIME_VALUE) else _num(value)

    if op is Op.AT_LEAST:
        return _("%(name)s at least %(low)s") % {"name": name, "low": show(condition.low)}
    if op is Op.AT_MOST:
        return _("%(name)s at most %(high)s") % {"name": name, "high": show(condition.high)}
    return _("%(name)s from %(low)s to %(high)s") % {
        "name": name,
        "low": show(condition.low),
        "high": show(condition.high),
    }


def option_words(spec: OptionSpec, currency: str) -> str:
    parts = [str(KINDS.get(spec.kind.value, spec.kind.value))]
    if spec.full_order:
        parts.append(_("the full order"))
    if spec.percent_of_order is not None:
        parts.append(_("%(p)s %% of the order") % {"p": _num(spec.percent_of_order)})
    if spec.fixed is not None:
        parts.append(_money(spec.fixed, currency))
    if spec.percent is not None:
        parts.append(_("%(p)s %% off") % {"p": _num(spec.percent)})
    if spec.at_least is not None:
        parts.append(_("at least %(v)s") % {"v": _money(spec.at_least, currency)})
    if spec.at_most is not None:
        parts.append(_("at most %(v)s") % {"v": _money(spec.at_most, currency)})
    if spec.cap_share_of_order is not None:
        parts.append(_("no more than %(p)s %% of the order") % {"p": _num(spec.cap_share_of_order)})
    if spec.minimum_order is not None:
        parts.append(_("on an order of at least %(v)s") % {"v": _money(spec.minimum_order, currency)})
    if spec.valid_days is not None:
        parts.append(ngettext("valid %(n)s day", "valid %(n)s days", spec.valid_days) % {"n": spec.valid_days})
    if spec.months is not None:
        parts.append(ngettext("%(n)s month", "%(n)s months", spec.months) % {"n": spec.months})
    if spec.days is not None:
        parts.append(ngettext("%(n)s day", "%(n)s days", spec.days) % {"n": spec.days})
    if spec.slots is not None:
        parts.append(ngettext("%(n)s time to choose", "%(n)s times to choose from", spec.slots) % {"n": spec.slots})
    if spec.item:
        language = (get_language() or "en").split("-")[0]
        parts.append(spec.item.get(language) or spec.item.get("en") or next(iter(spec.item.values())))
    return ", ".join(p for p in parts if p)


def rule_words(rule: Rule, currency: str) -> dict[str, object]:
    return {
        "name": rule.name,
        "when": [condition_words(c, currency) for c in rule.conditions],
        "options": [str(KINDS[Kind.APOLOGY.value])]
        if rule.apology_only
        else [option_words(o, currency) for o in rule.options],
        "auto_offer": rule.auto_offer,
    }


def policy_words(policy: Policy) -> dict[str, object]:
    currency = policy.currency
    caps = []
    if policy.caps.max_share_of_order is not None:
        caps.append(_("no option above %(p)s %% of the order") % {"p": _num(policy.caps.max_share_of_order)})
    if policy.caps.max_value is not None:
        caps.append(_("no option above %(v)s") % {"v": _money(policy.caps.max_value, currency)})
    for kind, cap in policy.caps.per_kind.items():
        caps.append(_("%(kind)s at most %(v)s") % {"kind": KINDS.get(kind.value, kind), "v": _money(cap, currency)})
    return {
        "rules": [rule_words(rule, currency) for rule in policy.rules],
        "defaults": [option_words(o, currency) for o in policy.defaults],
        "defaults_auto_offer": policy.defaults_auto_offer,
        "caps": caps,
        "currency": currency,
    }
