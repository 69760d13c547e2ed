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


def test_word_pairs_mark_each_standard_with_the_word_as_evidence():
    croatian = south_slavic.features("Tisuće putnika čekale su vlak tijekom cijelog tjedna.")
    serbian = south_slavic.features("Hiljade putnika čekale su voz tokom cele nedelje.")
    assert {"m:hr word", "p:hr tisuć/hiljad", "p:hr vlak/voz", "p:hr tijekom/tokom"} <= croatian
    assert "m:sr word" not in croatian
    assert {"m:sr word", "p:sr tisuć/hiljad", "p:sr vlak/voz", "p:sr tijekom/tokom"} <= serbian
    assert "m:hr word" not in serbian
    # A prefix matches the inflected forms; a pair word inside another word does not count.
    assert "p:hr tisuć/hiljad" in south_slavic.features("dvije tisuće eura")
    assert "m:hr word" not in south_slavic.features("razvlakniti")


def test_serbian_sa_before_any_word_and_croatian_s():
    assert "m:sa+word" in south_slavic.features("skinuli su novac sa kartice")
    assert "m:s+word" in south_slavic.features("skinuli su novac s kartice")
    # Both standards write "sa" before s, z, š, ž.
    assert "m:sa+word" not in south_slavic.features("razgovarao sam sa šefom")


def test_foreign_spelling_and_verb_suffixes_are_features_but_roman_numerals_are_not():
    assert "m:foreign spelling" in south_slavic.features("sastanak u Washingtonu")
    assert "m:foreign spelling" not in south_slavic.features("u XVI veku")
    assert "m:-irati" in south_slavic.features("moramo organizirati sastanak")
    assert "m:-isati" in south_slavic.features("moramo definisati uslove")
    assert "m:-isati" not in south_slavic.features("morate potpisati ugovor")


def test_the_evidence_names_the_words_a_pair_was_found_in():
    verdict = south_slavic.judge("Tisuće putnika čekale su vlak tijekom cijelog tjedna.")
    assert verdict.serbian < 0.5
    assert any(e.startswith(("word “", "words “")) for e in verdict.evidence), verdict
    assert not any(e.startswith(("p:", "m:")) or "tisuć/hiljad" in e for e in verdict.evidence), verdict
