"""The campaign's message as each language's customers will get it, coached by the reply coach before sending."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from amends.remedies import catalogue, codes
from amends.replies.coach import Coaching, coach
from amends.replies.coach_offers import OfferedRemedy
from amends.replies.services import greeting_name

from . import letters
from .models import Campaign
from .selectors import affected_languages, affected_sample
from .services import campaign_remedy


@dataclass(frozen=True)
class Preview:
    language: str
    recipient: str
    letter: letters.Letter
    coaching: Coaching


def campaign_previews(campaign: Campaign) -> list[Preview]:
    """One preview per language among the affected customers, each for a real customer of that language, with a
    sample code (each customer's own is issued when sending starts). Once started, the frozen templates show."""
    incident = campaign.incident
    templates = campaign.templates or letters.templates_now()
    remedy = campaign_remedy(campaign)
    own = [incident.brand.sender_name, *incident.brand.signature.splitlines()]
    previews = []
    for language in affected_languages(incident):
        sample = affected_sample(incident, language)
        name = (sample.name or sample.customer.name) if sample else ""
        lang = letters.language_of(language, templates)
        mail = letters.letter(
            public_id=uuid.uuid4(),
            recipient=(sample.customer.email or "") if sample else "",
            name=name,
            language=lang,
            order_reference=sample.order_reference if sample else "",
            code=codes.new_code(),
            incident=incident,
            brand=incident.brand,
            remedy=remedy,
            templates=templates,
        )
        offered = [
            OfferedRemedy(
                kind=remedy.kind,
                amount=remedy.amount,
                percent=remedy.percent,
                text=catalogue.describe(remedy.terms(), lang),
            )
        ]
        # The footer (what happened, the links) is the company's own text, like a signature: not coached.
        body = mail.body.split("\n\n--\n")[0]
        coaching = coach(body, language=lang, customer_name=greeting_name(name), offered=offered, own=own)
        previews.append(Preview(language=lang, recipient=mail.recipient, letter=mail, coaching=coaching))
    return previews
