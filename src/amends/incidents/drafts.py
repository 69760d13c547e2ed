"""The text for each rung of the ladder, drafted in each of the company's languages from templates and coached.

The templates are sentences of the message catalogue, so each language's draft reads as its own language (the
translators wrote them), and the manager edits the result before publishing. The incident's own title and
summary are the manager's words, in the language they wrote them: the draft quotes them as they are.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from amends.core import languages
from amends.remedies.models import KIND_CHOICES
from amends.replies.coach import BLOCKING, WEIGHTS, Coaching, Finding, Span, coach

from .blame import blamed
from .ladder import Level
from .models import Incident


def company_languages() -> list[str]:
    """The languages the company speaks to customers in: its default first, then the others amends offers."""
    codes = languages.supported_codes()
    return sorted(codes, key=lambda code: code != settings.LANGUAGE_CODE)


def remedy_words(incident: Incident) -> str:
    """What every affected customer gets, in the active language ("a discount code of 20 %"), or ""."""
    if not incident.remedy_kind:
        return ""
    kind = str(dict(KIND_CHOICES).get(incident.remedy_kind, incident.remedy_kind)).lower()
    value = incident.remedy_value
    if value is None:
        return kind
    if incident.remedy_kind == "discount_code":
        return _("%(kind)s of %(value)s %%") % {"kind": kind, "value": _number(value)}
    return _("%(kind)s worth %(value)s %(currency)s") % {
        "kind": kind,
        "value": _number(value),
        "currency": settings.CURRENCY,
    }


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def public_url(incident: Incident) -> str:
    return f"{settings.BASE_URL}/incidents/{incident.slug}"


def _progress(incident: Incident) -> str:
    if incident.state == Incident.State.RESOLVED:
        return _("It is fixed now, and we are making sure it does not happen again.")
    return _("We are working on it now and will post the next update here within the hour.")


def _remedy_line(incident: Incident) -> str:
    remedy = remedy_words(incident)
    if not remedy:
        return _("We will write to everyone affected today.")
    return _("Everyone affected gets this from us: %(remedy)s. We will write to you today.") % {"remedy": remedy}


def draft(incident: Incident, level: Level, language: str) -> tuple[str, str]:
    """The title and body of the statement for `level` in `language`, from the templates."""
    with translation.override(language):
        values = {
            "title": incident.title,
            "summary": incident.summary.strip(),
            "progress": _progress(incident),
            "remedy": _remedy_line(incident),
            "link": public_url(incident),
            "brand": incident.brand.sender_name,
        }
        if level == Level.PUBLIC_APOLOGY:
            title = _("We apologise: %(title)s") % values
            body = (
                _(
                    "We apologise to everyone affected. %(summary)s\n\nThis was our failure and nobody else's, and we "
                    "are sorry. %(progress)s\n\n%(remedy)s\n\nThank you for your patience and for telling us. We will "
                    "keep you informed here: %(link)s\n\n%(brand)s"
                )
                % values
            )
        elif level == Level.BLOG_POST:
            title = _("What happened: %(title)s") % values
            body = (
                _(
                    "We are sorry. %(summary)s\n\nThis was our mistake. %(progress)s\n\nWhat you get: %(remedy)s\n\n"
                    "Thank you for your patience. We will keep you informed here: %(link)s\n\n%(brand)s"
                )
                % values
            )
        elif level == Level.COMPANY_PAGE_POST:
            title = _("We are sorry: %(title)s") % values
            body = (
                _(
                    "We are sorry. %(summary)s This was our mistake. %(progress)s %(remedy)s Thank you for your "
                    "patience: %(link)s\n\n%(brand)s"
                )
                % values
            )
        else:
            title = _("Answer each customer in private")
            body = _(
                "Nothing is published at this level: agents answer each complaint of the incident with the "
                "incident apology template and the incident's remedy."
            )
    return title, body


@dataclass
class Draft:
    language: str
    title: str
    body: str
    edited: bool  # a manager's text, not the template's
    coaching: Coaching | None = None
    blocking: bool = False
    findings: list[Finding] = field(default_factory=list)


def statement_coach(*, incident: Incident, body: str, language: str) -> Coaching:
    """The reply coach's reading of a statement, plus the incident's own rule: no blaming someone else."""
    own = [incident.brand.sender_name, *incident.brand.signature.splitlines(), public_url(incident)]
    # The brand's name and signature and the page's own address are the company's words, not coached.
    coaching = coach(body, language=language, own=own)
    masked = body
    for text in own:
        if text.strip():
            masked = masked.replace(text, " " * len(text))
    found = blamed(masked, language=language)
    if found is not None and not any(f.rule == "blame" for f in coaching.findings):
        # In the reader's language, like the coach's own findings on the page.
        coaching.findings.insert(
            0,
            Finding(
                "blame",
                BLOCKING,
                _("The statement puts the failure on someone else (a supplier, a partner, the customers)."),
                _("Own the error: the customers trusted us, not our supplier."),
                Span(found.start, found.end, found.text),
            ),
        )
        coaching.blocking = True
        coaching.score = max(0, coaching.score - WEIGHTS[BLOCKING])
    return coaching
