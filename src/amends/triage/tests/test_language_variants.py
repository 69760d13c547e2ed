"""Serbian against Croatian, Macedonian against Serbian, confident detections, Unicode look-alikes, and the
language a South Slavic complaint is answered in. Pure Python: no database."""

import pytest

from amends.triage.language import MACEDONIAN_WORDS, _common_words, detect, normalise, reply_language

SERVED = ("en", "ru", "bg", "sr", "sk", "uk", "cs", "pl", "de", "hr", "mk")
OFFERED = ("en", "ru", "bg", "sr", "sr-latn", "sk")  # the languages amends writes (settings.LANGUAGES)

# The complaint of issue 10, written out: Serbian in Latin script that triage used to call Croatian.
ISSUE_COMPLAINT = (
    "Poštovani, naručio sam patike pre dve nedelje preko vašeg sajta i još uvek nisu stigle. Niko ne odgovara "
    "na mejlove. Molim vas da mi javite šta se dešava i da mi vratite novac što pre."
)
# Sentences both standards write the same way: nothing in them tells Serbian from Croatian.
AMBIGUOUS = ("Paket nije stigao.", "Roba je oštećena.")


def test_the_serbian_latin_complaint_of_the_issue_is_serbian_and_answered_in_serbian():
    guess = detect(ISSUE_COMPLAINT, served=SERVED, company_language="en")
    assert guess.code == "sr-Latn" and not guess.uncertain, guess
    assert reply_language(guess.code, offered=OFFERED, company_language="en") == "sr-latn"


def test_croatian_with_ijekavian_forms_is_croatian():
    text = "Pošiljka je trebala stići prije tjedan dana, a u trgovini nitko ne zna gdje je. Tko će mi vratiti novac?"
    assert detect(text, served=SERVED, company_language="en").code == "hr"


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_text_that_cannot_tell_follows_the_serbian_company(text):
    guess = detect(text, served=SERVED, company_language="sr-latn")
    assert guess.code == "sr-Latn", guess


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_text_that_cannot_tell_follows_the_customers_earlier_cases(text):
    assert detect(text, served=SERVED, company_language="sr", previous="hr").code == "hr"
    assert detect(text, served=SERVED, company_language="en", previous="sr-Latn").code == "sr-Latn"


@pytest.mark.parametrize("code", ["hr", "bs", "sr-Latn"])
def test_a_south_slavic_complaint_in_latin_script_is_never_answered_in_english(code):
    assert reply_language(code, offered=OFFERED, company_language="en") == "sr-latn"


def test_croatian_is_answered_in_the_variant_of_the_customers_earlier_cases():
    assert reply_language("hr", offered=OFFERED, company_language="en", previous="sr-Cyrl") == "sr"


def test_macedonian_is_answered_in_bulgarian_by_a_bulgarian_company_else_in_serbian_cyrillic():
    assert reply_language("mk", offered=OFFERED, company_language="bg") == "bg"
    assert reply_language("mk", offered=OFFERED, company_language="en") == "sr"


def test_a_language_amends_writes_is_answered_in_itself_and_others_are_left_to_the_caller():
    assert reply_language("ru", offered=OFFERED, company_language="en") == "ru"
    assert reply_language("sr-Cyrl", offered=OFFERED, company_language="en") == "sr"
    assert reply_language("de", offered=OFFERED, company_language="en") == ""


@pytest.mark.parametrize(
    "text",
    [
        # ј, љ, њ and none of the Macedonian function words or letters ѓ ќ ѕ: the letters are Macedonian too.
        "Пакетот стигна оштетен, кутијата беше скршена и телефонот воопшто не работи.",
        "Мојата пратка ја нема веќе десет дена, а никој не одговара на моите пораки.",
        "Не сум задоволна од услугата: на касата ми наплатија двојно и не сакаа да го поправат тоа.",
    ],
)
def test_macedonian_with_the_letters_it_shares_with_serbian_stays_macedonian(text):
    guess = detect(text, served=SERVED, company_language="en")
    assert guess.code == "mk" and not guess.uncertain, guess


def test_serbian_cyrillic_stays_serbian():
    text = "Наручио сам фрижидер пре две недеље и још није испоручен, а нико се не јавља на телефон."
    assert detect(text, served=SERVED, company_language="en").code == "sr-Cyrl"


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("ru", "Компания Apple выпустила новый iPhone, но мой заказ в магазине Technopark так и не доставили."),
        # Ten words and more, none of them among the twenty-odd common words the old lists held
        ("ru", "Курьер опоздал почти сутки, посылка пришла помятая, коробка порвана, телефон сильно поцарапан."),
        ("de", "Die Lieferung meiner Waschmaschine wurde dreimal verschoben, der Kundendienst ruft nicht zurück."),
        ("de", "Gestern wartete meine Familie stundenlang vergeblich vor verschlossenen Türen, obwohl es feststand."),
    ],
)
def test_a_confident_detection_is_not_made_uncertain_by_a_word_list(expected, text):
    guess = detect(text, served=SERVED, company_language="en")
    assert guess.code == expected and not guess.uncertain, guess


def test_a_latin_look_alike_in_a_cyrillic_word_is_put_back_into_cyrillic():
    latin_e_grave = "с" + "\u00e8"  # "сè" typed with a Latin è, as the old Macedonian word list had it
    assert normalise(latin_e_grave) == "сѐ"
    assert normalise("се\u0300") == "сѐ"  # decomposed е + combining grave: NFC
    assert normalise("Пaкетот") == "Пакетот"  # a Latin a in a Cyrillic word
    assert normalise("Dobar dаn") == "Dobar dan"  # a Cyrillic а in a Latin word


def test_every_word_list_is_normalised():
    assert "сѐ" in MACEDONIAN_WORDS and "с\u00e8" not in MACEDONIAN_WORDS
    for words in _common_words().values():
        assert all(normalise(w) == w for w in words)
