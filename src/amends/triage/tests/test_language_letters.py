"""General mechanisms of the language rules: alphabets, scripts, dictionary word forms."""

from amends.triage import south_slavic
from amends.triage.language import detect

SERVED = ("en", "ru", "bg", "sr", "sk", "uk", "cs", "pl", "de", "hr", "mk")


def test_a_letter_an_alphabet_lacks_rules_that_language_out():
    # і and є are Ukrainian: neither Macedonian nor Bulgarian writes them.
    assert detect("або біомімікрія це", served=SERVED).code == "uk"
    assert detect("дає нам образ", served=SERVED).code == "uk"


def test_short_cyrillic_text_is_not_answered_in_the_latin_fallback():
    guess = detect("и он как", served=SERVED, company_language="en")
    assert guess.uncertain
    assert guess.code in ("ru", "bg", "uk", "sr-Cyrl", "mk")
    # Short Latin text still falls back to the company's language.
    assert detect("ok ok", served=SERVED, company_language="en").code == "en"


def test_dictionary_forms_count_ekavian_and_negated_words():
    counts = south_slavic.dictionary_counts("Stigla mi je belu majicu posle nedelju dana")
    assert counts["ekavian"] >= 2
    assert south_slavic.dictionary_counts("mlijeko i poslije")["ijekavian"] >= 2
    # hunspell-sr writes negated forms as ne- + the word: they are not Croatian-only.
    assert south_slavic.dictionary_counts("neljubazan neispravan")["croatian"] == 0
