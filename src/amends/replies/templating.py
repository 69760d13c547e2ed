"""Reply templates with named variables, e.g. "Dear {customer_name}". Pure Python: no Django import.

Only plain names are allowed between braces (no attributes, indexes or format specs), so a template can
never reach into an object; an unknown name is refused when the template is saved, not when it is sent.
"""

import re
from string import Formatter

VARIABLES = {
    "customer_name": "the customer's name, or a polite greeting when we do not know it",
    "case_reference": "the case reference, e.g. AM-2026-000123",
    "status_link": "the link to the customer's status page",
    "remedy_options": "the remedies offered to the customer, one per line",
    "order_reference": "the order number the customer gave",
    "brand_name": "the name of the brand the reply goes out under",
}


class TemplateError(ValueError):
    pass


def placeholders(text: str) -> list[str]:
    """The variable names a template uses; refuses formats and conversions ({name!r}, {name:>10})."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"unbalanced braces: {exc}") from None
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise TemplateError(f"{{{name}}} may not carry a format or conversion")
        names.append(name)
    return names


def validate(text: str) -> None:
    for name in placeholders(text):
        if not name:
            raise TemplateError("empty braces {} name no variable; write {{ and }} for literal braces")
        if name not in VARIABLES:
            raise TemplateError(f"unknown variable {{{name}}}; known: {', '.join('{' + v + '}' for v in VARIABLES)}")


def render(text: str, values: dict[str, str]) -> str:
    validate(text)
    return text.format_map({name: str(values.get(name, "")) for name in VARIABLES})


# A line that greets by name holds, besides the name, a greeting word or two and punctuation ("Dear {customer_name},",
# "Здравствуйте, {customer_name}!", "Поштовани/а {customer_name},"). More words than this and it is a sentence.
_GREETING_WORDS = 3
_NAME = "{customer_name}"
_ORPHAN_PUNCTUATION = re.compile(r"\s+([,!.?;:])|([,;:])\s*(?=[,!.?;:])")


def render_for(text: str, values: dict[str, str], *, greeting: str) -> str:
    """Render for a customer whose name we may not know. Without a name, a line that greets by name becomes
    `greeting` (the neutral greeting of the reply's language) instead of greeting an e-mail address or nobody
    ("Dear a,", "Dear ,"), and the name is left out of any other sentence."""
    if values.get("customer_name", "").strip():
        return render(text, values)
    validate(text)
    lines = []
    for line in text.split("\n"):
        if _NAME in line:
            rest = line.replace(_NAME, "")
            if len(placeholders(rest)) == 0 and len(rest.split()) <= _GREETING_WORDS:
                lines.append(greeting)
                continue
            line = _ORPHAN_PUNCTUATION.sub(lambda m: m.group(1) or "", rest)
        lines.append(line)
    return render("\n".join(lines), values)
