"""The language a complaint is answered in, through the intake as the customer meets it (company language English,
the default AMENDS_LANGUAGE): a South Slavic complaint is never answered in English."""

import pytest

from amends.conftest import open_case
from amends.intake.tests.helpers import mail, receive

pytestmark = pytest.mark.django_db

SERBIAN_LATIN = (
    "Poštovani, naručio sam patike pre dve nedelje preko vašeg sajta i još uvek nisu stigle. Niko ne odgovara "
    "na mejlove. Molim vas da mi javite šta se dešava i da mi vratite novac što pre."
)
CROATIAN = (
    "Poštovani, naručila sam tenisice prije dva tjedna i još nisu stigle. Nitko ne odgovara na e-poštu, a "
    "novac mi je skinut s računa. Molim vas da mi što prije javite gdje je pošiljka."
)


def test_a_serbian_latin_complaint_is_answered_in_serbian_latin(settings):
    assert settings.LANGUAGE_CODE == "en"
    case = open_case(email="marko@example.rs", name="Marko", language="", description=SERBIAN_LATIN).case
    assert case.triage.language == "sr-Latn"
    assert case.language == "sr-latn"


def test_a_serbian_latin_email_is_answered_in_serbian_latin():
    raw = mail(SERBIAN_LATIN, subject="Porudžbina nije stigla", sender="Marko <marko@example.rs>")
    case = receive(raw, mail_from="marko@example.rs")
    assert case.language == "sr-latn"


def test_a_croatian_complaint_is_answered_in_serbian_latin_not_english():
    case = open_case(email="ana@example.hr", name="Ana", language="", description=CROATIAN).case
    assert case.triage.language == "hr"
    assert case.language == "sr-latn"


def test_text_that_cannot_tell_is_answered_in_the_variant_of_the_customers_earlier_case():
    first = open_case(email="ivo@example.com", name="Ivo", language="", description=SERBIAN_LATIN).case
    assert first.language == "sr-latn"
    later = open_case(email="ivo@example.com", name="Ivo", language="", description="Paket nije stigao.").case
    assert later.triage.language == "sr-Latn"
    assert later.language == "sr-latn"
