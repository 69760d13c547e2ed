"""The ladder's drafts in every company language, held to the coach; a statement blaming others is flagged."""

import pytest

from amends.incidents.blame import blamed
from amends.incidents.drafts import company_languages, draft, statement_coach
from amends.incidents.ladder import Level

from .factories import declared

pytestmark = pytest.mark.django_db


def test_every_draft_in_every_language_passes_the_coach_and_names_the_remedy(manager):
    incident = declared(manager, remedy_kind="discount_code", remedy_value="20")
    titles = set()
    for language in company_languages():
        for level in (Level.COMPANY_PAGE_POST, Level.BLOG_POST, Level.PUBLIC_APOLOGY):
            title, body = draft(incident, level, language)
            coaching = statement_coach(incident=incident, body=body, language=language)
            assert not coaching.blocking and coaching.score >= 80, (language, level, coaching.findings)
            assert "20 %" in body and "/incidents/checkout-down" in body
            titles.add(title)
    assert len(titles) == 3 * len(company_languages())  # each language its own words, never English by default


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We are sorry. Our payment provider had an outage, so this was not our fault."),
        ("ru", "Нам очень жаль. Сбой произошёл у нашего поставщика платежей."),
        ("sr-latn", "Žao nam je. Greška je bila kod našeg dobavljača."),
        ("sk", "Mrzí nás to. Chyba bola na strane nášho dodávateľa."),
    ],
)
def test_a_statement_blaming_a_supplier_is_blocked(manager, language, text):
    incident = declared(manager)
    coaching = statement_coach(incident=incident, body=text, language=language)
    assert coaching.blocking and any(f.rule == "blame" for f in coaching.findings)


def test_blame_points_at_the_words_and_owning_it_is_not_blame():
    found = blamed("Sorry: the courier lost it.", language="en")
    assert found is not None and found.text == "courier"
    assert blamed("Это наша ошибка, и нам очень жаль.", language="ru") is None
