"""Template filters that print a stored code as words: `{{ case.status|status_label }}`, `{{ event|event_text }}`.

They are the only way templates and e-mails show a code (see `amends.core.display`)."""

from django import template

from amends.core import display

register = template.Library()

for _name in (
    "status_label",
    "priority_label",
    "channel_label",
    "language_label",
    "sentiment_label",
    "severity_label",
    "ladder_label",
    "risk_label",
    "percent",
    "category_label",
    "category_description",
    "entity_label",
    "coach_rule_label",
    "outbox_state_label",
    "coach_text",
    "event_text",
    "signal_text",
    "signals_text",
    "model_label",
    "incident_event_label",
    "platform_label",
    "followers_text",
    "public_reply_delivery",
):
    register.filter(_name, getattr(display, _name))
