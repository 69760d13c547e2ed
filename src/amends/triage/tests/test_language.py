import pytest

from amends.triage.language import detect, serbian_or_croatian

SERVED = ("en", "ru", "bg", "sr", "sk", "uk", "cs", "pl", "de", "hr", "mk")

SENTENCES = [
    ("en", "I ordered size 43 and received a 41, and nobody answers the phone."),
    ("ru", "Заказывал кроссовки 42 размера, а пришли 40, и никто не отвечает."),
    ("bg", "Поръчах маратонки номер 44, а получих 42, и никой не вдига телефона."),
    ("sr-Cyrl", "Наручио сам патике број 43, а стигле су 41, и нико се не јавља."),
    ("sr-Latn", "Naručila sam patike broj 38, a stigle su 40. Šta sada da radim?"),
    ("hr", "Naručila sam tenisice broj 38, a stigle su 40. Tjedan dana čekam odgovor."),
    ("sk", "Objednal som si topánky veľkosti 43 a prišli mi 41, nikto nedvíha telefón."),
    ("cs", "Objednal jsem si boty velikosti 43 a přišly mi 41, nikdo nebere telefon."),
    ("uk", "Замовив кросівки 42 розміру, а прийшли 40, ніхто не відповідає."),
    ("pl", "Zamówiłem buty w rozmiarze 43, a przyszły 41, nikt nie odbiera telefonu."),
    ("de", "Ich habe Schuhe in Größe 43 bestellt und 41 bekommen, niemand geht ans Telefon."),
    ("mk", "Нарачав патики број 43, а добив 41, никој не се јавува, ќе ги вратам."),
]


@pytest.mark.parametrize(("expected", "text"), SENTENCES)
def test_each_served_language_is_recognised(expected, text):
    guess = detect(text, served=SERVED)
    assert guess.code == expected and not guess.uncertain, guess


def test_serbian_latin_without_markers_follows_a_serbian_company():
    text = "Kurir je bacio paket preko ograde i izvređao me."
    assert detect(text, served=SERVED, company_language="sr").code == "sr-Latn"


def test_the_shared_word_sto_is_no_marker():
    _code, signals = serbian_or_croatian("Što je ovo, paket je oštećen", company_language="")
    assert not any("što" in s for s in signals)


@pytest.mark.parametrize("text", ["ok", "👍👍👍", "12345 678", "", "AM-2026"])
def test_too_little_text_is_uncertain_and_falls_back(text):
    guess = detect(text, served=SERVED, stated="sk", company_language="en")
    assert guess.uncertain and guess.code == "sk"


def test_mixed_scripts_are_uncertain():
    guess = detect("Hello there my friend, Здравствуйте мой друг как дела", served=SERVED, company_language="en")
    assert guess.uncertain


def test_an_unsupported_language_is_uncertain_rather_than_guessed():
    guess = detect(
        "Tilasin kengät koossa 43 mutta sain koon 41, eikä kukaan vastaa puhelimeen koko viikkoon.",
        served=("en", "ru", "sk"),
        company_language="en",
    )
    assert guess.uncertain
