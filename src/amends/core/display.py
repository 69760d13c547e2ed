"""Every code the product stores, as the words a person reads: the one place that turns internal values into
translated labels.

Statuses, priorities, channels, languages, event kinds and their data, triage values and the signals behind them,
coach findings and cluster entities are stored as codes (`in_progress`, `private_reply`, `{"to": {...}}`,
`name:saturday`) because code compares and stores them well. Templates and e-mails never print such a value
directly: they go through the filters in `core/templatetags/display.py`, which call these functions. A code this
module does not know is shown in a readable form (never a dict, a list or a snake_case token), so a kind added
elsewhere shows its stored label rather than its internals.

Core depends on no feature app. The vocabularies that live in one (remedy kinds, outbox states, the default
categories, money in the reader's format) are lent to this module from that app's AppConfig.ready through
`display_register`, as the outbox's deliverers are (outbox/channels.py); until an app has, the codes read as
plain words.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext, pgettext, pgettext_lazy

# ---------------------------------------------------------------- what feature apps lend the display


def _no_categories() -> Iterable[tuple[str, str, str]]:
    return ()


def _no_stored_name(slug: str) -> str | None:
    return None


def _no_choices() -> Mapping[Any, Any]:
    return {}


def _plain_money(amount: str, currency: str) -> str:
    return f"{amount} {currency}"


def _as_written(text: str) -> str:
    return text


@dataclass
class Sources:
    """What the feature apps lend: each a function, so a vocabulary is read when a label is asked for."""

    # triage: the default taxonomy's (slug, name, description) rows, and a category's stored name by slug
    category_defaults: Callable[[], Iterable[tuple[str, str, str]]] = _no_categories
    category_stored_name: Callable[[str], str | None] = _no_stored_name
    # outbox: its states' choices; remedies: the remedy kinds' choices
    outbox_states: Callable[[], Mapping[Any, Any]] = _no_choices
    remedy_kinds: Callable[[], Mapping[Any, Any]] = _no_choices
    # remedies: an amount in a currency, in the reader's number format; an approval request's reason in words
    money: Callable[[str, str], str] = _plain_money
    approval_reason: Callable[[str], str] = _as_written


sources = Sources()


def display_register(**provided: Callable[..., Any]) -> None:
    """An app lends its vocabulary (in its AppConfig.ready): `display_register(remedy_kinds=...)`."""
    for name, provider in provided.items():
        if name not in Sources.__dataclass_fields__:
            raise TypeError(f"the display has no source named {name!r}")
        setattr(sources, name, provider)


# ---------------------------------------------------------------- plain codes

# Django 6.1's label for an empty choice in a model form; Django's own catalogues do not translate it yet, ours do.
BLANK_CHOICE = gettext_noop("- Select an option -")

STATUS = {
    "new": gettext_lazy("New"),
    "acknowledged": gettext_lazy("Acknowledged"),
    "in_progress": gettext_lazy("In progress"),
    "waiting": gettext_lazy("Waiting for customer"),
    "resolved": gettext_lazy("Resolved"),
    "closed": gettext_lazy("Closed"),
}
PRIORITY = {
    1: gettext_lazy("Urgent"),
    2: gettext_lazy("High"),
    3: gettext_lazy("Normal"),
    4: gettext_lazy("Low"),
}
CHANNEL = {
    "form": gettext_lazy("Complaint form"),
    "email": gettext_lazy("E-mail"),
    "api": gettext_lazy("API"),
    "public_thread": gettext_lazy("Public thread"),
    "phone": gettext_lazy("Phone"),
    "chat": gettext_lazy("Chat"),
}
# Where a public post was written (customers.models.Platform).
PLATFORM = {
    "instagram": gettext_lazy("Instagram"),
    "facebook": gettext_lazy("Facebook"),
    "x": gettext_lazy("X (Twitter)"),
    "tiktok": gettext_lazy("TikTok"),
    "google_reviews": gettext_lazy("Google reviews"),
    "trustpilot": gettext_lazy("Trustpilot"),
    "other": gettext_lazy("Another platform"),
}
# Every language triage reports (BCP 47, as stored on a case), in the reader's language.
LANGUAGE = {
    "en": gettext_lazy("English"),
    "ru": gettext_lazy("Russian"),
    "bg": gettext_lazy("Bulgarian"),
    "sr": gettext_lazy("Serbian"),
    "sr-cyrl": gettext_lazy("Serbian (Cyrillic)"),
    "sr-latn": gettext_lazy("Serbian (Latin)"),
    "sk": gettext_lazy("Slovak"),
    "uk": gettext_lazy("Ukrainian"),
    "cs": gettext_lazy("Czech"),
    "pl": gettext_lazy("Polish"),
    "de": gettext_lazy("German"),
    "hr": gettext_lazy("Croatian"),
    "bs": gettext_lazy("Bosnian"),
    "mk": gettext_lazy("Macedonian"),
    "be": gettext_lazy("Belarusian"),
}
SENTIMENT = {
    "negative": gettext_lazy("Negative"),
    "neutral": gettext_lazy("Neutral"),
    "positive": gettext_lazy("Positive"),
    "mixed": gettext_lazy("Mixed"),
}
SEVERITY = {
    1: gettext_lazy("Minor"),
    2: gettext_lazy("Moderate"),
    3: gettext_lazy("Serious"),
    4: gettext_lazy("Critical"),
}
# The communication ladder of seed 003: how publicly to answer.
LADDER = {
    "private_reply": gettext_lazy("Answer in private"),
    "company_page_post": gettext_lazy("Post on the company page"),
    "blog_post": gettext_lazy("Blog post for everyone affected"),
    "public_apology": gettext_lazy("Public apology"),
}
TARGET = {
    "first_response": gettext_lazy("first response"),
    "resolution": gettext_lazy("resolution"),
}
# The names of the default taxonomy (triage.defaults): translated while a manager has not renamed them.
CATEGORY = {
    "wrong_item": gettext_lazy("Wrong item or size"),
    "late_delivery": gettext_lazy("Late or missing delivery"),
    "damaged": gettext_lazy("Damaged or defective product"),
    "billing": gettext_lazy("Billing and refunds"),
    "outage": gettext_lazy("Website or app outage"),
    "staff_conduct": gettext_lazy("Staff conduct"),
    "waiting_time": gettext_lazy("Waiting time"),
    "returns": gettext_lazy("Returns and exchanges"),
    "service_quality": gettext_lazy("Service quality"),
    "safety": gettext_lazy("Safety"),
    "privacy": gettext_lazy("Privacy"),
    "other": gettext_lazy("Other"),
}
CATEGORY_DESCRIPTION = {
    "wrong_item": gettext_lazy("The customer received something other than what they ordered."),
    "late_delivery": gettext_lazy("The order is late, lost, or marked delivered but not received."),
    "damaged": gettext_lazy("It arrived broken, or broke in normal use."),
    "billing": gettext_lazy("Charges, double payments, discounts not applied, money not returned."),
    "outage": gettext_lazy("The site or app is down, erroring or unusable."),
    "staff_conduct": gettext_lazy("Rudeness or misbehaviour by staff, couriers or support."),
    "waiting_time": gettext_lazy("Queues, hold times, late appointments, slow answers."),
    "returns": gettext_lazy("Returning or exchanging goods, and the refunds for them."),
    "service_quality": gettext_lazy("A service done badly, poor advice, broken promises to call back."),
    "safety": gettext_lazy("A product or place that hurt or could hurt someone."),
    "privacy": gettext_lazy("Personal data exposed, misused or not deleted."),
    "other": gettext_lazy("Anything else."),
}
# The coach's rules, as an agent reads their names (on an override in the timeline).
COACH_RULE = {
    "apology": gettext_lazy("apology"),
    "ownership": gettext_lazy("owning the mistake"),
    "next_step": gettext_lazy("next step"),
    "alternatives": gettext_lazy("a choice of remedies"),
    "thanks": gettext_lazy("thanks"),
    "name": gettext_lazy("the customer's name"),
    "blame": gettext_lazy("blaming the customer"),
    "arguing": gettext_lazy("arguing"),
    "proof": gettext_lazy("asking for proof"),
    "anger": gettext_lazy("angry tone"),
    "jargon": gettext_lazy("policy-speak"),
    "shouting": gettext_lazy("shouting"),
    "authority": gettext_lazy("above your authority"),
    "onlookers": gettext_lazy("talking to onlookers"),
    "public_private": gettext_lazy("continue in private"),
    "public_short": gettext_lazy("a short public answer"),
    "private_data": gettext_lazy("private details in public"),
    "empty": gettext_lazy("empty reply"),
    "language": gettext_lazy("language not coached"),
    "offer": gettext_lazy("a promise the case did not offer"),
}
INCIDENT_EVENT = {
    "declared": gettext_lazy("Incident declared"),
    "promoted": gettext_lazy("Promoted from a cluster of complaints"),
    "update": gettext_lazy("Update"),
    "resolved": gettext_lazy("Resolved"),
    "case_linked": gettext_lazy("Case linked"),
    "case_unlinked": gettext_lazy("Case unlinked"),
    "published": gettext_lazy("Published"),
}
ENTITY = {
    "order": gettext_lazy("order %(value)s"),
    "error": gettext_lazy("error %(value)s"),
    "web": gettext_lazy("address %(value)s"),
    "name": gettext_lazy("name “%(value)s”"),
}


def readable(code: object) -> str:
    """The last resort for a code no table knows: words, not a token (`some_new_kind` → "Some new kind")."""
    if code is None or code == "":
        return "—"
    text = re.sub(r"[_]+", " ", str(code)).strip()
    return text[:1].upper() + text[1:] if text else "—"


def _lookup(table: Mapping[Any, Promise], code: object) -> str:
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    label = table.get(code)  # type: ignore[call-overload]
    return str(label) if label is not None else readable(code)


def status_label(code: object) -> str:
    return _lookup(STATUS, code)


def priority_label(code: object) -> str:
    return _lookup(PRIORITY, code)


def channel_label(code: object) -> str:
    return _lookup(CHANNEL, code)


def platform_label(code: object) -> str:
    return _lookup(PLATFORM, code)


def followers_text(count: object) -> str:
    """A follower count as a person says it: "2,400 followers"."""
    try:
        number = int(count)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "—"
    return ngettext("%(n)s follower", "%(n)s followers", number) % {"n": number_format(number, force_grouping=True)}


def _delivery_problem(error: str) -> str:
    """Why a connector did not take a delivery, in words (the outbox keeps "HTTP 500", "ReadTimeout: …")."""
    match = re.match(r"HTTP (\d{3})", error)
    if match:
        return _("the connector answered with an error (HTTP %(code)s)") % {"code": match[1]}
    if "Timeout" in error:
        return _("the connector did not answer in time")
    return _("the connector could not be reached")


def public_reply_delivery(row: Any) -> str:
    """Where a public reply's hand-over to the connector stands (an outbox row of public_reply.requested)."""
    state, attempts = str(getattr(row, "state", "")), int(getattr(row, "attempts", 0) or 0)
    error = str(getattr(row, "last_error", "") or "")
    if state == "sent":
        when = date_format(row.sent_at, "DATETIME_FORMAT") if getattr(row, "sent_at", None) else ""
        return _("Accepted by the connector for posting under the brand's account (%(when)s).") % {"when": when}
    if state == "sending":
        return _("Being handed to the connector now.")
    if state == "failed":
        return ngettext(
            "Not posted: the connector did not take it after %(n)s attempt (%(why)s). Retry it from the outbox.",
            "Not posted: the connector did not take it after %(n)s attempts (%(why)s). Retry it from the outbox.",
            attempts,
        ) % {"n": attempts, "why": _delivery_problem(error)}
    if attempts and error:
        when = date_format(row.next_attempt_at, "DATETIME_FORMAT") if getattr(row, "next_attempt_at", None) else ""
        return ngettext(
            "Not posted yet: %(why)s on %(n)s attempt; trying again at %(when)s.",
            "Not posted yet: %(why)s on %(n)s attempts; trying again at %(when)s.",
            attempts,
        ) % {"why": _delivery_problem(error), "n": attempts, "when": when}
    return _("Waiting to be handed to the connector.")


def language_label(code: object) -> str:
    """`sr-Latn` → "Serbian (Latin)"; a code with a region we do not name falls back to its language."""
    if not code:
        return "—"
    key = str(code).lower().replace("_", "-")
    if key in LANGUAGE:
        return str(LANGUAGE[key])
    base = key.split("-")[0]
    return str(LANGUAGE[base]) if base in LANGUAGE else key.upper()


def sentiment_label(code: object) -> str:
    return _lookup(SENTIMENT, code)


def severity_label(value: object) -> str:
    try:
        level = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return readable(value)
    label = SEVERITY.get(level)
    return _("%(label)s (%(level)s of 4)") % {"label": label, "level": level} if label else str(level)


def ladder_label(code: object) -> str:
    return _lookup(LADDER, code)


def percent(value: object) -> str:
    """A probability in 0..1 as a whole percentage in the reader's number format: 0.78 → "78 %"."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return readable(value)
    return _("%(n)s %%") % {"n": number_format(round(number * 100))}


def risk_label(value: object) -> str:
    """A risk score in 0..1 as a level a person can act on, with the score as a percentage."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return readable(value)
    level = _("high") if number >= 0.67 else _("medium") if number >= 0.34 else _("low")
    return _("%(level)s (%(percent)s)") % {"level": level, "percent": percent(number)}


def category_label(category: object) -> str:
    """A category (model or slug): the translated default name unless a manager renamed it."""
    if category is None or category == "":
        return "—"
    slug = getattr(category, "slug", category)
    name = getattr(category, "name", None)
    defaults = {row[0]: row[1] for row in sources.category_defaults()}
    if slug in CATEGORY and (name is None or name == defaults.get(str(slug))):
        return str(CATEGORY[str(slug)])
    if name:
        return str(name)
    stored = sources.category_stored_name(str(slug))
    return str(stored) if stored else readable(slug)


def category_description(category: object) -> str:
    """A category's description: the translated default one unless a manager rewrote it."""
    slug, description = getattr(category, "slug", ""), str(getattr(category, "description", "") or "")
    defaults = {row[0]: row[2] for row in sources.category_defaults()}
    if slug in CATEGORY_DESCRIPTION and description == defaults.get(slug):
        return str(CATEGORY_DESCRIPTION[slug])
    return description


def entity_label(entity: object) -> str:
    """A cluster's shared detail (`order:SO-1`, `name:saturday`) as words."""
    kind, _sep, value = str(entity).partition(":")
    template = ENTITY.get(kind)
    if template is None or not value:
        return readable(entity)
    return str(template) % {"value": value}


def outbox_state_label(code: object) -> str:
    return _lookup(sources.outbox_states(), code)


def incident_event_label(code: object) -> str:
    return _lookup(INCIDENT_EVENT, code)


def coach_rule_label(rule: object) -> str:
    return _lookup(COACH_RULE, rule)


# ---------------------------------------------------------------- the timeline


def _person(username: object) -> str:
    """An agent named in stored event data (by username) as people know them."""
    if not username:
        return ""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=str(username)).first()
    return user.display_name if user is not None else str(username)  # type: ignore[attr-defined]


def _assignment(data: object) -> str:
    if not isinstance(data, Mapping):
        return ""
    person, team = _person(data.get("assignee")), data.get("team") or ""
    if person and team:
        return _("%(person)s, %(team)s") % {"person": person, "team": team}
    return person or str(team) or _("nobody")


def _change(label: str, before: str, after: str) -> str:
    if before and before != "—":
        return _("%(what)s: %(before)s → %(after)s") % {"what": label, "before": before, "after": after}
    return _("%(what)s: %(after)s") % {"what": label, "after": after}


def event_text(event: Any) -> str:
    """One timeline entry (a CaseEvent) as a sentence: what happened, in words, with its details."""
    kind = str(getattr(event, "kind", ""))
    data = getattr(event, "data", None)
    data = data if isinstance(data, Mapping) else {}
    get_display = getattr(event, "get_kind_display", None)
    label = str(get_display()) if callable(get_display) else readable(kind)
    if label == kind:
        label = readable(kind)
    if kind in ("status_changed", "acknowledged", "resolution_accepted", "resolution_rejected") and data.get("to"):
        before = status_label(data["from"]) if data.get("from") else ""
        return _change(label, before, status_label(data["to"]))
    if kind == "reopened":
        return _("%(what)s: now %(status)s") % {"what": label, "status": status_label(data.get("to"))}
    if kind == "public_reply_requested" and data.get("platform"):
        return _("%(what)s (%(platform)s)") % {"what": label, "platform": platform_label(data["platform"])}
    if kind in ("opened", "customer_message") and data.get("channel"):
        return _("%(what)s (%(channel)s)") % {"what": label, "channel": channel_label(data["channel"])}
    if kind == "assigned":
        return _change(label, _assignment(data.get("from")), _assignment(data.get("to")))
    if kind == "priority_changed" and data.get("to"):
        before = priority_label(data["from"]) if data.get("from") else ""
        return _change(label, before, priority_label(data["to"]))
    if kind == "target_breached":
        return _("%(what)s: %(target)s") % {"what": label, "target": _lookup(TARGET, data.get("target"))}
    if kind == "status_link_revoked":
        count = int(data.get("revoked") or 0)
        return ngettext("%(n)s status link revoked", "%(n)s status links revoked", count) % {"n": count}
    if kind == "coach_override":
        rules = ", ".join(coach_rule_label(r) for r in data.get("rules") or [])
        text = _("%(what)s: %(rules)s") % {"what": label, "rules": rules} if rules else label
        reason = str(data.get("reason") or "").strip()
        return _("%(text)s. Reason: %(reason)s") % {"text": text, "reason": reason} if reason else text
    if kind == "triage_corrected" and data.get("category"):
        return _("%(what)s: %(category)s") % {"what": label, "category": category_label(data["category"])}
    if kind == "routed" and data.get("routed_to"):
        return _("%(what)s: %(team)s") % {"what": label, "team": data["routed_to"]}
    if kind == "playbook_applied":
        parts = []
        if data.get("routed_to"):
            parts.append(_("team %(team)s") % {"team": data["routed_to"]})
        if data.get("resolution_due_at") or data.get("first_response_due_at"):
            parts.append(_("new targets"))
        return _("%(what)s: %(details)s") % {"what": label, "details": ", ".join(parts)} if parts else label
    if kind in ("checklist_step_done", "checklist_step_undone") and data.get("text"):
        return _("%(what)s: %(step)s") % {"what": label, "step": data["text"]}
    if kind.startswith("remed"):
        return _remedy_event(kind, label, data)
    if kind in AFTERCARE_EVENTS:
        return _aftercare_event(kind, label, data)
    if kind in ("incident_linked", "incident_unlinked") and data.get("title"):
        return _("%(what)s: %(incident)s") % {"what": label, "incident": data["title"]}
    return label


# ---------------------------------------------------------------- aftercare (root causes, surveys, advocates)

ROOT_CAUSE_CATEGORY = {
    "product-defect": gettext_lazy("Product defect"),
    "supplier": gettext_lazy("Supplier"),
    "process": gettext_lazy("Process"),
    "staff-conduct": gettext_lazy("Staff conduct"),
    "it-outage": gettext_lazy("IT outage"),
    "logistics": gettext_lazy("Logistics"),
    "pricing": gettext_lazy("Pricing"),
    "policy": gettext_lazy("Policy"),
    "other": gettext_lazy("Other"),
}
ACTION_STATUS = {
    "open": pgettext_lazy("corrective action status", "Open"),
    "in_progress": gettext_lazy("In progress"),
    "done": gettext_lazy("Done"),
    "verified": gettext_lazy("Verified"),
}
SURVEY_STATE = {
    "scheduled": gettext_lazy("Scheduled"),
    "sent": gettext_lazy("Sent"),
    "answered": gettext_lazy("Answered"),
    "cancelled": gettext_lazy("Cancelled"),
    "suppressed": gettext_lazy("Not sent: address suppressed"),
}
SURVEY_VIA = {
    "email": gettext_lazy("E-mail link"),
    "portal": gettext_lazy("Status page"),
    "api": gettext_lazy("API"),
}
REMEDY_WORTH = {"yes": gettext_lazy("Yes"), "partly": gettext_lazy("Partly"), "no": gettext_lazy("No")}
ADVOCATE_KIND = {
    "thank": gettext_lazy("Thanked"),
    "reward": gettext_lazy("Rewarded"),
    "invite_review": gettext_lazy("Invited to write a review"),
    "invite_programme": gettext_lazy("Invited to the programme"),
}
RECURRENCE_MATCH = {
    "entities": gettext_lazy("Same category and products"),
    "cluster": gettext_lazy("Same cluster"),
}
AFTERCARE_EVENTS = frozenset(
    {"root_cause_recorded", "recurrence", "survey_sent", "survey_reminded", "survey_answered", "advocate_action"}
)


def root_cause_category_label(category: object) -> str:
    """A root-cause category (a model or its slug): the seeded ones translated, a manager's own as typed."""
    slug = str(getattr(category, "slug", category) or "")
    if slug in ROOT_CAUSE_CATEGORY:
        return str(ROOT_CAUSE_CATEGORY[slug])
    name = getattr(category, "name", "")
    return str(name) if name else readable(slug)


def action_status_label(code: object) -> str:
    return _lookup(ACTION_STATUS, code)


def survey_state_label(code: object) -> str:
    return _lookup(SURVEY_STATE, code)


def survey_via_label(code: object) -> str:
    return _lookup(SURVEY_VIA, code)


def remedy_worth_label(code: object) -> str:
    return _lookup(REMEDY_WORTH, code)


def advocate_kind_label(code: object) -> str:
    return _lookup(ADVOCATE_KIND, code)


def recurrence_match_label(code: object) -> str:
    return _lookup(RECURRENCE_MATCH, code)


def _aftercare_event(kind: str, label: str, data: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if kind in ("root_cause_recorded", "recurrence") and data.get("category"):
        parts.append(root_cause_category_label(data["category"]))
    if kind == "root_cause_recorded" and data.get("actions"):
        count = int(data["actions"])
        parts.append(ngettext("%(n)s corrective action", "%(n)s corrective actions", count) % {"n": count})
    if kind == "recurrence" and data.get("on"):
        parts.append(recurrence_match_label(data["on"]))
    if kind == "survey_sent" and data.get("language"):
        parts.append(language_label(data["language"]))
    if kind == "survey_answered" and data.get("satisfaction"):
        parts.append(_("satisfied %(score)s of 5") % {"score": int(data["satisfaction"])})
        if data.get("via"):
            parts.append(survey_via_label(data["via"]))
    if kind == "advocate_action" and data.get("kind"):
        parts.append(advocate_kind_label(data["kind"]))
    return _("%(what)s: %(details)s") % {"what": label, "details": ", ".join(parts)} if parts else label


# ---------------------------------------------------------------- remedy events (remedies.services writes them)


def remedy_kind_label(code: object) -> str:
    return _lookup(sources.remedy_kinds(), code)


def _home_money(amount: object, currency: str = "") -> str:
    """A stored amount (`"30.00"`) in the reader's number format, in `currency` or the home one."""
    from django.conf import settings

    try:
        return sources.money(str(amount), currency or settings.CURRENCY)
    except (ArithmeticError, ValueError):
        return str(amount)


def _slot_time(starts_at: str) -> str:
    """The appointment time a customer booked (stored as ISO 8601), in the reader's format and time zone."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(starts_at)
    if moment is None:
        return starts_at
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def _remedy_event(kind: str, label: str, data: Mapping[str, Any]) -> str:
    """A remedy event: the remedy in words, its value, who and why, never the stored ids."""
    parts: list[str] = []
    options = [o.get("kind") for o in data.get("options") or [] if isinstance(o, Mapping)]
    if options:
        parts.append(", ".join(remedy_kind_label(k) for k in options))
    elif data.get("kind"):
        parts.append(remedy_kind_label(data["kind"]))
    if kind == "remedies_priced":
        if data.get("missing_rate"):
            parts.append(_("no exchange rate for %(currency)s") % {"currency": data["missing_rate"]})
        if data.get("policy_version"):
            parts.append(_("policy v%(version)s") % {"version": data["policy_version"]})
    if kind == "remedies_offered":
        by = {"policy": _("by the policy"), "agent": _("by an agent"), "integration": _("by an integration")}
        if data.get("by") in by:
            parts.append(str(by[data["by"]]))
    slot = data.get("slot")
    if kind == "remedy_chosen" and isinstance(slot, Mapping) and slot.get("starts_at"):
        parts.append(_slot_time(str(slot["starts_at"])))
    if kind == "remedy_granted" and data.get("value"):
        if data.get("currency"):
            parts.append(_home_money(data["value"], str(data["currency"])))
        else:
            parts.append(_("%(n)s %%") % {"n": data["value"]})
    if kind == "remedy_approval_requested" and data.get("reason") and data.get("value") and data.get("limit"):
        from django.conf import settings

        home = settings.CURRENCY
        parts.append(sources.approval_reason(f"{data['reason']}: {data['value']} {home} > {data['limit']} {home}"))
    if kind in ("remedy_approved", "remedy_rejected") and data.get("requested_by"):
        parts.append(_("asked by %(person)s") % {"person": data["requested_by"]})
    if kind == "remedies_expired" and data.get("count"):
        count = int(data["count"])
        parts.append(ngettext("%(n)s option", "%(n)s options", count) % {"n": count})
    text = _("%(what)s: %(details)s") % {"what": label, "details": ", ".join(parts)} if parts else label
    # An approval request's reason is a code, worded above; the others are what a person wrote.
    reason = str(data.get("reason") or "").strip() if kind != "remedy_approval_requested" else ""
    return _("%(text)s. Reason: %(reason)s") % {"text": text, "reason": reason} if reason else text


# ---------------------------------------------------------------- triage signals, in plain words

_SCORE = r"(-?\d+(?:\.\d+)?)"
# The two languages triage.language names in its Serbian-or-Croatian signals.
_SR_HR = {"Serbian": gettext_lazy("Serbian"), "Croatian": gettext_lazy("Croatian")}
# What triage.south_slavic tells Serbian from Croatian by (its `_plain` evidence), in words a person follows.
_EVIDENCE: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^word “(.+)”$"), lambda m: _("the word “%(word)s”") % {"word": m[1]}),
    (re.compile(r"^words “(.+)”$"), lambda m: _("the words “%(words)s”") % {"words": m[1]}),
    (re.compile(r"^letters “(.+)”$"), lambda m: _("the letters “%(letters)s”") % {"letters": m[1]}),
    (re.compile(r"^modal\+da$"), lambda m: _("a verb like “moram” followed by “da”")),
    (re.compile(r"^modal\+infinitive$"), lambda m: _("a verb like “moram” followed by an infinitive")),
    (re.compile(r"^infinitive\+ću$"), lambda m: _("a future split as in “platit ću”")),
    (re.compile(r"^fused future$"), lambda m: _("a future written as one word, as in “platiću”")),
    (re.compile(r"^month sr$"), lambda m: _("a month named the Serbian way")),
    (re.compile(r"^month hr$"), lambda m: _("a month named the Croatian way")),
    (re.compile(r"^ije$"), lambda m: _("“ije” as in Croatian “lijepo”")),
    (
        re.compile(r"^ekavian word forms \((\d+)\)$"),
        lambda m: _("ekavian word forms, as in Serbian “mleko” (%(n)s)") % {"n": m[1]},
    ),
    (
        re.compile(r"^ijekavian word forms \((\d+)\)$"),
        lambda m: _("ijekavian word forms, as in Croatian “mlijeko” (%(n)s)") % {"n": m[1]},
    ),
    (
        re.compile(r"^words only the Croatian dictionary has \((\d+)\)$"),
        lambda m: _("words only the Croatian dictionary has (%(n)s)") % {"n": m[1]},
    ),
    (
        re.compile(r"^words only the Serbian dictionary has \((\d+)\)$"),
        lambda m: _("words only the Serbian dictionary has (%(n)s)") % {"n": m[1]},
    ),
    (re.compile(r"^Lingua reads it Bosnian$"), lambda m: _("the language detector reads it as Bosnian")),
    (re.compile(r"^Lingua reads it Croatian$"), lambda m: _("the language detector reads it as Croatian")),
]


def _evidence(text: str | None) -> str:
    """The evidence list of a Serbian-or-Croatian verdict, each item in words."""
    said = []
    for item in re.findall(r"[^,“]*“[^”]*”|[^,]+", text or ""):
        item = item.strip()
        if not item:
            continue
        match = next(((m, say) for p, say in _EVIDENCE if (m := p.match(item))), None)
        said.append(str(match[1](match[0])) if match else readable(item))
    return ", ".join(said)


# (pattern of a signal as the triage cores write it, what it says in words); groups fill the sentence.
_SIGNALS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(rf"^detector: ([\w-]+) {_SCORE}$"),
        lambda m: (
            _("the language detector read %(language)s (%(percent)s)")
            % {"language": language_label(m[1]), "percent": percent(m[2])}
        ),
    ),
    (re.compile(r"^mixed Cyrillic and Latin script$"), lambda m: _("Cyrillic and Latin letters are mixed")),
    (re.compile(r"^Macedonian letters"), lambda m: _("letters only Macedonian uses")),
    (re.compile(r"^Macedonian words: (.+)$"), lambda m: _("Macedonian words: %(words)s") % {"words": m[1]}),
    (re.compile(r"^Bulgarian letter ъ or words$"), lambda m: _("the Bulgarian letter ъ or Bulgarian words")),
    (re.compile(r"^Serbian words: (.+)$"), lambda m: _("Serbian words: %(words)s") % {"words": m[1]}),
    (
        re.compile(r"^Serbian letters ђ ћ or words: ?(.*)$"),
        lambda m: (
            _("letters only Serbian uses (ђ, ћ) or Serbian words: %(words)s") % {"words": m[1]}
            if m[1]
            else _("letters only Serbian uses (ђ, ћ)")
        ),
    ),
    (
        re.compile(r"^too short to tell \((\d+) letters\)$"),
        lambda m: (
            ngettext("too short to tell: %(n)s letter", "too short to tell: %(n)s letters", int(m[1])) % {"n": m[1]}
        ),
    ),
    (re.compile(r"^no served language fits$"), lambda m: _("none of the languages we answer in fits")),
    # triage.language.serbian_or_croatian, with the evidence of triage.south_slavic.judge
    (
        re.compile(r"^(Serbian|Croatian) (\d+)%(?:: (.+))?$"),
        lambda m: (
            _("%(language)s (%(percent)s): %(evidence)s")
            % {"language": _SR_HR[m[1]], "percent": percent(int(m[2]) / 100), "evidence": _evidence(m[3])}
            if m[3]
            else _("%(language)s (%(percent)s)") % {"language": _SR_HR[m[1]], "percent": percent(int(m[2]) / 100)}
        ),
    ),
    (
        re.compile(r"^Serbian or Croatian: the text cannot tell \((\d+)% Serbian\)$"),
        lambda m: (
            _("the text cannot tell Serbian from Croatian (%(percent)s Serbian)")
            % {"percent": percent(int(m[1]) / 100)}
        ),
    ),
    (
        re.compile(r"^(Serbian|Croatian), as the customer's earlier cases$"),
        lambda m: _("%(language)s, as in the customer's earlier cases") % {"language": _SR_HR[m[1]]},
    ),
    (
        re.compile(r"^(Serbian|Croatian), as the company$"),
        lambda m: _("%(language)s, the company's language") % {"language": _SR_HR[m[1]]},
    ),
    (re.compile(r"^leaning (Serbian|Croatian)$"), lambda m: _("leaning to %(language)s") % {"language": _SR_HR[m[1]]}),
    (re.compile(r"^Serbian in Cyrillic script$"), lambda m: _("Serbian written in Cyrillic")),
    (re.compile(r"^Serbian marker: (.+)$"), lambda m: _("a Serbian form: %(word)s") % {"word": m[1]}),
    (re.compile(r"^Croatian marker: (.+)$"), lambda m: _("a Croatian form: %(word)s") % {"word": m[1]}),
    (
        re.compile(r"^no Serbian or Croatian marker; the company's locale is (\w+)$"),
        lambda m: _("nothing tells Serbian from Croatian; the company's language decided"),
    ),
    (re.compile(r"^no Serbian or Croatian marker"), lambda m: _("nothing tells Serbian from Croatian")),
    (
        re.compile(r"^([\w-]+) is not served$"),
        lambda m: _("%(language)s is not a language we answer in") % {"language": language_label(m[1])},
    ),
    (
        re.compile(r"^none of the common words of ([\w-]+)$"),
        lambda m: _("none of the common words of %(language)s") % {"language": language_label(m[1])},
    ),
    (re.compile(r"^near tie; ([\w-]+) stated$"), lambda m: _("almost a tie; the customer's stated language decided")),
    (
        re.compile(rf"^close to ([\w-]+) {_SCORE}$"),
        lambda m: (
            _("close to %(language)s (%(percent)s)") % {"language": language_label(m[1]), "percent": percent(m[2])}
        ),
    ),
    (re.compile(r"^uncertain$"), lambda m: _("not sure")),
    (
        re.compile(rf"^then ([\w-]+) {_SCORE}$"),
        lambda m: (
            _("next most likely: %(category)s (%(percent)s)")
            % {"category": category_label(m[1]), "percent": percent(m[2])}
        ),
    ),
    (re.compile(r"^no model$"), lambda m: _("no category model is trained yet")),
    (re.compile(r"^no words to classify$"), lambda m: _("there are no words to classify")),
    (
        re.compile(r"^health or safety hazard: (.+)$"),
        lambda m: _("a health or safety hazard: %(words)s") % {"words": m[1]},
    ),
    (
        re.compile(r"^legal threat or regulator: (.+)$"),
        lambda m: _("a legal threat or a regulator: %(words)s") % {"words": m[1]},
    ),
    (re.compile(r"^money lost: order value (.+)$"), lambda m: _("money lost: an order of %(value)s") % {"value": m[1]}),
    (re.compile(r"^order value (.+)$"), lambda m: _("an order of %(value)s") % {"value": m[1]}),
    (
        re.compile(r"^repeated contact about the problem: (\d+) earlier case\(s\)$"),
        lambda m: (
            ngettext(
                "the customer wrote before: %(n)s earlier case",
                "the customer wrote before: %(n)s earlier cases",
                int(m[1]),
            )
            % {"n": m[1]}
        ),
    ),
    (
        re.compile(r"^repeated contact about the problem: (.+)$"),
        lambda m: _("the customer wrote before: %(words)s") % {"words": m[1]},
    ),
    (re.compile(r"^vulnerable customer: (.+)$"), lambda m: _("a vulnerable customer: %(words)s") % {"words": m[1]}),
    (re.compile(r"^high-value customer"), lambda m: _("a high-value customer")),
    (re.compile(r"^no aggravating signal$"), lambda m: _("nothing makes it worse")),
    (
        re.compile(r"^(\d+) exclamation marks$"),
        lambda m: ngettext("%(n)s exclamation mark", "%(n)s exclamation marks", int(m[1])) % {"n": m[1]},
    ),
    (re.compile(r"^written in capitals$"), lambda m: _("written in capitals")),
    (re.compile(r"^public thread$"), lambda m: _("written in a public thread")),
    (
        re.compile(r"^(\d+) followers$"),
        lambda m: ngettext("%(n)s follower", "%(n)s followers", int(m[1])) % {"n": m[1]},
    ),
    (re.compile(r"^press: (.+)$"), lambda m: _("the press or the media: %(words)s") % {"words": m[1]}),
    (
        re.compile(r"^affected: (\d+) customers in one cluster$"),
        lambda m: ngettext("%(n)s customer affected", "%(n)s customers affected", int(m[1])) % {"n": m[1]},
    ),
    (
        re.compile(r"^affected: (\d+)$"),
        lambda m: ngettext("%(n)s customer affected", "%(n)s customers affected", int(m[1])) % {"n": m[1]},
    ),
]
# A cue word from a lexicon or a learnt feature: letters (any script), spaces, apostrophes and hyphens.
_CUE = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$")


def signal_text(signal: object) -> str:
    """One signal of a triage part, as a phrase. A bare word is a cue found in the complaint; anything else a
    core writes is matched against the known sentences, and an unknown one is shown readably."""
    text = str(signal).strip()
    for pattern, say in _SIGNALS:
        match = pattern.match(text)
        if match:
            return str(say(match))
    if _CUE.match(text):
        return _("“%(word)s”") % {"word": text}
    return readable(text)


def signals_text(signals: Iterable[object] | None) -> list[str]:
    """The signals of a part as phrases, cue words gathered into one phrase."""
    words: list[str] = []
    phrases: list[str] = []
    for signal in signals or []:
        text = str(signal).strip()
        if not text:
            continue
        if _CUE.match(text) and not any(p.match(text) for p, _say in _SIGNALS):
            words.append(text)
        else:
            phrases.append(signal_text(text))
    if words:
        phrases.insert(0, _("words in the complaint: %(words)s") % {"words": ", ".join(words)})
    return phrases


_MODEL_VERSION = re.compile(r"^\w+-(\d{4})(\d{2})(\d{2})-")


def model_label(version: object) -> str:
    """The category model's version as when it was trained, the only part of it a person can use."""
    match = _MODEL_VERSION.match(str(version or ""))
    if not match:
        return _("starter model") if str(version or "") in ("", "none", "starter") else _("custom model")
    trained = date(*(int(part) for part in match.groups()))
    return _("trained on %(date)s") % {"date": date_format(trained, "DATE_FORMAT")}


# ---------------------------------------------------------------- coach findings

# The coach's pure core writes its findings in English; the agent reads them here, in their language.
COACH_TEXT = frozenset(
    (
        gettext_noop('A conditional apology ("if you feel…") doubts the customer instead of owning the mistake.'),
        gettext_noop("Say plainly that we are sorry and what we got wrong."),
        gettext_noop("The reply does not apologise."),
        gettext_noop("Start by saying we are sorry for what happened."),
        gettext_noop("The apology does not admit the error."),
        gettext_noop('Name the mistake as ours, e.g. "this was our mistake".'),
        gettext_noop("The reply offers neither a remedy nor a concrete next step."),
        gettext_noop("Say what we will do for the customer and when."),
        gettext_noop("The next step has no time."),
        gettext_noop("Say by when it will happen (today, within 24 hours)."),
        gettext_noop("One remedy is offered without a choice."),
        gettext_noop("Offer two or three options so the customer regains control."),
        gettext_noop("The reply does not thank the customer."),
        gettext_noop("Thank them for telling us and for their trust."),
        gettext_noop("The customer is not addressed by name."),
        gettext_noop("The reply blames the customer."),
        gettext_noop("Leave out what the customer should have done."),
        gettext_noop("The reply argues or proves the company right."),
        gettext_noop("Do not defend the company; fix the problem."),
        gettext_noop("The reply asks the customer for proof or justification."),
        gettext_noop("Do not make them prove it; take their word and act."),
        gettext_noop("The tone is angry, sarcastic or dismissive."),
        gettext_noop("Keep calm and kind, whatever the customer wrote."),
        gettext_noop("Policy or jargon stands in for help."),
        gettext_noop("Say in plain words what we will do."),
        gettext_noop("Capitals or repeated !/? read as shouting."),
        gettext_noop("Write in sentence case, one mark."),
        gettext_noop("Offer within your limit, or ask a manager to approve first."),
        gettext_noop("The reply talks to or about onlookers in a public thread."),
        gettext_noop("Answer the customer only; never debate with others."),
        gettext_noop("In a public thread, offer to continue privately."),
        gettext_noop("Add a short invitation to a private message or e-mail."),
        gettext_noop("A public answer should be short."),
        gettext_noop("The reply addresses someone other than the customer in a public thread."),
        gettext_noop(
            "The reply shows private details in public (an order number, an e-mail address or a phone number)."
        ),
        gettext_noop("Leave them out; ask the customer to continue privately, where they are safe."),
        gettext_noop("Apologise briefly, move the details to a private conversation."),
        gettext_noop("The reply is empty."),
        gettext_noop("Write to the customer before sending."),
        gettext_noop("The reply holds only the signature or quoted text."),
        gettext_noop("Write to the customer above the signature."),
        gettext_noop("The reply promises a full refund; only a partial one was offered."),
    )
)
# What a reply promises, as replies.coach_offers.KIND_WORDS names it in a finding.
PROMISE = {
    "a full refund": gettext_lazy("a full refund"),
    "a refund": gettext_lazy("a refund"),
    "a discount": gettext_lazy("a discount"),
    "store credit": gettext_lazy("store credit"),
    "a replacement": gettext_lazy("a replacement"),
    "a free service period": gettext_lazy("a free service period"),
    "a gift": gettext_lazy("a gift"),
    "an upgrade": gettext_lazy("an upgrade"),
    "an appointment": gettext_lazy("an appointment"),
}


def _promise(words: str) -> str:
    label = PROMISE.get(words)
    return str(label) if label is not None else words


def _offered(listing: str) -> str:
    """The options the case offers, as the coach lists them (already in words), or "none"."""
    return pgettext("remedy", "none") if listing == "none" else listing


_COACH_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^Address them as (.+)\.$"), lambda m: _("Address them as %(name)s.") % {"name": m[1]}),
    (
        re.compile(r"^The reply promises (.+?) \(worth (\S+)\), above your authority of (\S+)\.$"),
        lambda m: (
            _("The reply promises %(what)s (worth %(value)s), above your authority of %(limit)s.")
            % {"what": _promise(m[1]), "value": m[2], "limit": m[3]}
        ),
    ),
    (
        re.compile(r"^The reply promises (.+), which was not offered on this case\.$"),
        lambda m: _("The reply promises %(what)s, which was not offered on this case.") % {"what": _promise(m[1])},
    ),
    (
        re.compile(r"^Promise only what was offered \((.*)\), or add the option first\.$"),
        lambda m: (
            _("Promise only what was offered (%(offered)s), or add the option first.") % {"offered": _offered(m[1])}
        ),
    ),
    (
        re.compile(r"^Promise what was offered \((.*)\), or ask a manager first\.$"),
        lambda m: _("Promise what was offered (%(offered)s), or ask a manager first.") % {"offered": _offered(m[1])},
    ),
    (
        re.compile(r"^The reply promises (\S+) %, more than the (\S+) % offered\.$"),
        lambda m: (
            _("The reply promises %(value)s %%, more than the %(offered)s %% offered.")
            % {"value": m[1], "offered": m[2]}
        ),
    ),
    (
        re.compile(r"^The reply promises (\S+), more than the (\S+) offered\.$"),
        lambda m: (
            _("The reply promises %(value)s, more than the %(offered)s offered.") % {"value": m[1], "offered": m[2]}
        ),
    ),
    (
        re.compile(r"^The reply promises (\S+), above your authority of (\S+)\.$"),
        lambda m: (
            _("The reply promises %(value)s, above your authority of %(limit)s.") % {"value": m[1], "limit": m[2]}
        ),
    ),
    (
        re.compile(r"^Replies in '?([\w-]+)'? are not coached yet\.$"),
        lambda m: _("Replies in %(language)s are not coached yet.") % {"language": language_label(m[1])},
    ),
    (
        re.compile(r"^Coached languages: (.+)\.$"),
        lambda m: (
            _("Coached languages: %(languages)s.")
            % {"languages": ", ".join(language_label(code.strip()) for code in m[1].split(","))}
        ),
    ),
]


def coach_text(text: object) -> str:
    """A coach finding's message or suggestion in the reader's language; one the catalogue lacks as written."""
    raw = str(text or "")
    if raw in COACH_TEXT:
        return _(raw)
    for pattern, say in _COACH_PATTERNS:
        match = pattern.match(raw)
        if match:
            return str(say(match))
    return raw
