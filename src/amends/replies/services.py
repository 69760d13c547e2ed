"""Coaching a reply in the context of its case."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from amends.accounts.models import User
from amends.accounts.selectors import authority_limit
from amends.cases.models import Case, Channel
from amends.core import languages
from amends.core.text import single_line
from amends.remedies.lifecycle import State
from amends.remedies.models import Remedy
from amends.remedies.presenting import remedy_text
from amends.triage.language import detect

from .coach import Coaching, coach, rules_language
from .coach_offers import OfferedRemedy
from .coach_own import mask
from .models import ReplyTemplate
from .templating import TemplateError, placeholders, render_for, validate


def reply_language(*, text: str, stated: str = "", case: Case | None = None) -> str:
    """The language to coach in: the reply's own words when they clearly say it (a Russian reply sent with "en" by
    mistake is coached with the Russian rules, not the English ones), else as stated, else the case's language.
    The company's own text (signature, quoted customer) does not count: a quote is in the customer's language."""
    fallback = stated or (case.language if case else settings.LANGUAGE_CODE)
    guess = detect(mask(text), served=tuple(settings.TRIAGE_LANGUAGES), stated=fallback, company_language=fallback)
    if stated and (guess.uncertain or rules_language(guess.code) == rules_language(stated)):
        return stated
    return guess.code if not guess.uncertain else (languages.normalize(fallback) or fallback)


# Options no longer standing: a reply promising one of these promises something the case does not offer.
_GONE = (State.REJECTED, State.FAILED, State.DECLINED, State.EXPIRED, State.WITHDRAWN)


def offered_remedies(*, case: Case) -> list[OfferedRemedy]:
    """The remedy options standing on the case (proposed to the agent, offered, chosen or granted), as the coach
    holds a reply's promises against them."""
    remedies = Remedy.objects.filter(case=case).exclude(state__in=[s.value for s in _GONE])
    return [
        OfferedRemedy(
            kind=remedy.kind,
            amount=remedy.amount,
            percent=remedy.percent,
            full=bool((remedy.details or {}).get("full")),
            text=remedy_text(remedy, case.language),
        )
        for remedy in remedies
    ]


def reply_coach(
    *,
    text: str,
    language: str = "",
    case: Case | None = None,
    author: User | None = None,
    max_remedy_value: Decimal | None = None,
) -> Coaching:
    """Coach a draft; a promise above the author's authority (or the limit given), or beyond the options offered on
    the case, is a blocking finding. The brand's name and signature are the company's own and not coached."""
    if max_remedy_value is None and author is not None:
        max_remedy_value = authority_limit(author)
    own: list[str] = []
    handle, private = "", []
    if case is not None:
        own = [case.brand.sender_name, *case.brand.signature.splitlines()]
        thread = getattr(case, "public_thread", None) if case.channel == Channel.PUBLIC_THREAD else None
        handle = thread.handle if thread is not None else ""
        customer = case.customer
        private = [case.order_reference, customer.email or "", customer.external_id or ""]
    return coach(
        text,
        language=reply_language(text=text, stated=language, case=case),
        customer_name=greeting_name(case.customer.name) if case else "",
        public_thread=bool(case and case.channel == Channel.PUBLIC_THREAD),
        max_remedy_value=max_remedy_value,
        # A case with no options yet (the policy has not run) has nothing to hold promises against.
        offered=(offered_remedies(case=case) or None) if case is not None else None,
        order_value=case.order_value if case is not None else None,
        own=own,
        customer_handle=handle,
        private=private,
        public_addresses=[case.brand.sender_email] if case is not None else [],
    )


def _best_fit[T](candidates: list[T], case: Case, key: Callable[[T], tuple[str, int | None]]) -> T | None:
    """Of templates known by (language, category id): the case's language before English, the case's category's
    own before the general one; another category's template never fits."""
    category_id = getattr(getattr(case, "triage", None), "category_id", None)
    fitting = [c for c in candidates if key(c)[0] in (case.language, "en") and key(c)[1] in (None, category_id)]
    return min(fitting, key=lambda c: (key(c)[0] != case.language, key(c)[1] is None), default=None)


def template_for(*, purpose: str, case: Case) -> ReplyTemplate | None:
    """The template for this purpose in the case's language: the category's own first, then the general one."""
    candidates = list(ReplyTemplate.objects.filter(purpose=purpose, language__in=[case.language, "en"]))
    return _best_fit(candidates, case, lambda t: (t.language, t.category_id))


def greeting_name(name: str) -> str:
    """The name to greet a customer by, or "" when we do not know it. An e-mail address (a mail program's display
    name, a form's name field typed with one) is not a name: nobody wants to be greeted "Dear a," or "Dear a@b.c,"."""
    name = " ".join(name.split())
    return "" if "@" in name else name


def neutral_greeting(language: str) -> str:
    """How a reply greets a customer whose name we do not know, in the reply's language ("Hello," "Здравствуйте!")."""
    with translation.override(language):
        return gettext("Hello,")


def template_values(*, case: Case, remedy_options: list[str] | None = None, status_link: str = "") -> dict[str, str]:
    return {
        "customer_name": greeting_name(case.customer.name),
        "case_reference": case.reference,
        "status_link": status_link or settings.BASE_URL + "/status/",
        "remedy_options": "\n".join(f"- {option}" for option in (remedy_options or [])),
        "order_reference": case.order_reference,
        "brand_name": case.brand.sender_name,
    }


def offered_options_block(*, case: Case) -> str:
    """The remedy options open to the customer on this case, in the case's language, each with the customer's
    link that chooses it (the same block the offer e-mail carries); empty when none is offered."""
    # Imported here: remedies' services import the case notifications, which import this module.
    from amends.remedies.links import choice_url
    from amends.remedies.models import Remedy
    from amends.remedies.presenting import remedy_text

    now = timezone.now()
    offered = Remedy.objects.filter(case=case, state="offered", expires_at__gt=now).order_by("position", "id")
    lines = [{"text": remedy_text(r, case.language), "url": choice_url(r)} for r in offered]
    if not lines:
        return ""
    with translation.override(case.language):
        return render_to_string("remedies/email/_options.txt", {"options": lines}).strip("\n")


@dataclass(frozen=True)
class CaseTemplate:
    """A template filled for a case; `missing_options` when it lists the remedy options and none are offered,
    which the agent must be told instead of being handed a reply with an empty list."""

    subject: str
    body: str
    missing_options: bool


def template_for_case(*, template: ReplyTemplate, case: Case) -> CaseTemplate:
    values = template_values(case=case)
    needs_options = "remedy_options" in placeholders(template.subject + template.body)
    if needs_options:
        values["remedy_options"] = offered_options_block(case=case)
    subject, body = template_render(template=template, values=values)
    return CaseTemplate(subject, body, missing_options=needs_options and not values["remedy_options"])


# Every intake mails an acknowledgement: read those templates at most once a minute, not once per complaint.
_ACK_KEY, _ACK_SECONDS = "replies:acknowledgements", 60


def acknowledgement_compose(
    *, case: Case, status_url: str, remedy_options: list[str] | None = None
) -> tuple[str, str] | None:
    """The acknowledgement as the company wrote it (Console → Templates): the case's category's own, else the
    general one, in the case's language, else in English; None when there is none and the built-in text goes."""
    templates = cache.get(_ACK_KEY)
    if templates is None:
        templates = list(
            ReplyTemplate.objects.filter(purpose=ReplyTemplate.Purpose.ACKNOWLEDGEMENT).values_list(
                "language", "category_id", "subject", "body"
            )
        )
        cache.set(_ACK_KEY, templates, _ACK_SECONDS)
    best = _best_fit(templates, case, lambda t: (t[0], t[1]))
    if best is None:
        return None
    language, _category, subject, body = best
    values = template_values(case=case, status_link=status_url, remedy_options=remedy_options)
    greeting = neutral_greeting(language)
    return render_for(subject, values, greeting=greeting), render_for(body, values, greeting=greeting)


def template_render(*, template: ReplyTemplate, values: dict[str, str]) -> tuple[str, str]:
    greeting = neutral_greeting(template.language)
    return render_for(template.subject, values, greeting=greeting), render_for(template.body, values, greeting=greeting)


def template_save(*, template: ReplyTemplate, subject: str, body: str, actor: User) -> ReplyTemplate:
    """Save a manager's edit; a template naming a variable amends does not know is refused, whole."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            validate(text)
        except TemplateError as exc:
            errors[field] = str(exc)
    if not body.strip():
        errors["body"] = "A template needs a body."
    if errors:
        raise ValidationError(errors)
    template.subject, template.body = single_line(subject)[:200], body
    template.updated_at, template.updated_by = timezone.now(), actor
    template.save(update_fields=["subject", "body", "updated_at", "updated_by"])
    if template.purpose == ReplyTemplate.Purpose.ACKNOWLEDGEMENT:
        cache.delete(_ACK_KEY)
    return template
