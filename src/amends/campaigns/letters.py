"""One customer's apology as it is sent: the incident apology template in their language, their name, what
happened, the remedy in plain words with their own code, their status link, and the unsubscribe headers.

Rendered when the message is sent, not when it is queued: a million rendered bodies would cost a minute and a
gigabyte to write, where the template (frozen on the campaign when sending starts) and a few values a row are
enough. The same function renders the manager's preview, so the preview is what customers get.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.utils import formataddr

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from amends.brands.models import BrandIdentity
from amends.core import languages
from amends.incidents.models import Incident
from amends.portal.apology_links import apology_link
from amends.remedies import catalogue, codes
from amends.remedies.money import Money
from amends.replies.defaults import DEFAULTS
from amends.replies.models import ReplyTemplate
from amends.replies.services import greeting_name, neutral_greeting
from amends.replies.templating import render_for

PURPOSE = "incident_apology"


def signature(public_id: uuid.UUID) -> str:
    """The per-recipient signature of the message's links: only amends can make one for a message id."""
    mac = hmac.new(settings.SECRET_KEY.encode(), b"amends.campaigns:" + public_id.bytes, hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")


def signature_valid(public_id: uuid.UUID, given: str) -> bool:
    return hmac.compare_digest(signature(public_id), given or "")


def status_url(public_id: uuid.UUID) -> str:
    """The customer's own status link: their case's status page if they complained about the incident, else a
    page of their own with the incident's updates and their code (the portal's; signed for this message alone)."""
    return apology_link(public_id)


def unsubscribe_url(public_id: uuid.UUID) -> str:
    return settings.BASE_URL + reverse(
        "apology:unsubscribe", kwargs={"public_id": public_id, "sig": signature(public_id)}
    )


def unsubscribe_mailto(public_id: uuid.UUID, brand: BrandIdentity) -> str:
    domain = brand.sender_email.rpartition("@")[2] or "amends.localhost"
    return f"mailto:unsubscribe+{public_id.hex}.{signature(public_id)}@{domain}?subject=unsubscribe"


def message_id(public_id: uuid.UUID, brand: BrandIdentity) -> str:
    domain = brand.sender_email.rpartition("@")[2] or "amends.localhost"
    return f"<{public_id}@{domain}>"


def templates_now() -> dict[str, list[str]]:
    """The incident apology's subject and body per language: the company's own template where it wrote one,
    else the default."""
    found = {
        language: [subject, body]
        for language, purposes in DEFAULTS.items()
        for p, (subject, body) in purposes.items()
        if p == PURPOSE
    }
    for template in ReplyTemplate.objects.filter(purpose=PURPOSE, category__isnull=True):
        found[template.language] = [template.subject, template.body]
    return found


@dataclass(frozen=True)
class Remedy:
    kind: str  # discount_code or store_credit
    percent: Decimal | None
    amount: Decimal | None
    currency: str
    valid_until: date

    def terms(self) -> catalogue.Terms:
        value = Money.of(self.amount, self.currency) if self.amount is not None else None
        return catalogue.Terms(
            kind=catalogue.Kind(self.kind), value=value, percent=self.percent, valid_until=self.valid_until
        )


@dataclass(frozen=True)
class Letter:
    sender: str
    recipient: str
    subject: str
    body: str
    headers: dict[str, str]


def language_of(language: str, templates: dict[str, list[str]]) -> str:
    code = languages.normalize(language or "") or settings.LANGUAGE_CODE
    return code if code in templates else ("en" if "en" in templates else next(iter(templates)))


def letter(
    *,
    public_id: uuid.UUID,
    recipient: str,
    name: str,
    language: str,
    order_reference: str,
    code: str,
    incident: Incident,
    brand: BrandIdentity,
    remedy: Remedy,
    templates: dict[str, list[str]],
) -> Letter:
    lang = language_of(language, templates)
    subject, body = templates[lang]
    status, unsubscribe = status_url(public_id), unsubscribe_url(public_id)
    with translation.override(lang):
        offer = catalogue.describe(remedy.terms(), lang)
        options = f"- {offer}\n  " + _("Your personal code: %(code)s (it works once).") % {"code": codes.group(code)}
        values = {
            "customer_name": greeting_name(name),
            "case_reference": "",
            "status_link": status,
            "remedy_options": options,
            "order_reference": order_reference,
            "brand_name": brand.sender_name,
        }
        text = render_for(body, values, greeting=neutral_greeting(lang))
        what = _("What happened: %(title)s") % {"title": incident.title}
        follow = _("How we are putting it right, as it happens: %(link)s") % {"link": status}
        leave = _("You get this e-mail because the incident touched your order. Stop e-mails like this: %(link)s") % {
            "link": unsubscribe
        }
        rendered_subject = render_for(subject, values, greeting=neutral_greeting(lang))
    headers = {
        "Message-ID": message_id(public_id, brand),
        # RFC 8058: a mail provider's "unsubscribe" button posts to the https link without a person clicking
        # through a page; the mailto is for the rest. Both are signed for this recipient alone.
        "List-Unsubscribe": f"<{unsubscribe_mailto(public_id, brand)}>, <{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
    }
    return Letter(
        sender=formataddr((brand.sender_name, brand.sender_email)),
        recipient=recipient,
        subject=" ".join(rendered_subject.split())[:300],
        body=f"{text}\n\n{what}\n{follow}\n\n--\n{leave}\n",
        headers=headers,
    )
