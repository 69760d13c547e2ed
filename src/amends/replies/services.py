"""Coaching a reply in the context of its case."""

from django.conf import settings

from amends.cases.models import Case, Channel
from amends.core import languages
from amends.triage.language import detect

from .coach import Coaching, coach


def reply_language(*, text: str, stated: str = "", case: Case | None = None) -> str:
    """The language to coach in: as stated, else the reply's own words, else the case's language."""
    if stated:
        return stated
    fallback = case.language if case else settings.LANGUAGE_CODE
    guess = detect(text, served=tuple(settings.TRIAGE_LANGUAGES), stated=fallback, company_language=fallback)
    return guess.code if not guess.uncertain else (languages.normalize(fallback) or fallback)


def reply_coach(*, text: str, language: str = "", case: Case | None = None) -> Coaching:
    return coach(
        text,
        language=reply_language(text=text, stated=language, case=case),
        customer_name=case.customer.name if case else "",
        public_thread=bool(case and case.channel == Channel.PUBLIC_THREAD),
    )
