import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from babel import Locale

from amends.remedies.catalogue import (
    CATALOGUE,
    FORMULAS,
    Fulfilment,
    Kind,
    Need,
    Period,
    Terms,
    describe,
    language_code,
    languages,
    texts,
)
from amends.remedies.money import Money

CUSTOMER_LANGUAGES = ("en", "ru", "bg", "sr", "sr-latn", "sk")
LOCALES = {"en": "en", "ru": "ru", "bg": "bg", "sr": "sr", "sr-latn": "sr_Latn", "sk": "sk"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_the_catalogue_speaks_every_customer_language():
    assert set(languages()) == set(CUSTOMER_LANGUAGES)


@pytest.mark.parametrize("language", CUSTOMER_LANGUAGES)
def test_every_language_has_every_text_with_the_same_placeholders(language):
    english, other = texts()["en"], texts()[language]
    assert set(other) == set(english)
    for key, text in english.items():
        if isinstance(text, str):
            assert set(PLACEHOLDER.findall(str(other[key]))) == set(PLACEHOLDER.findall(text)), key


@pytest.mark.parametrize("language", CUSTOMER_LANGUAGES)
def test_every_plural_form_the_language_needs_is_written(language):
    tags = Locale.parse(LOCALES[language]).plural_form.tags | {"other"}
    for key in ("period_day", "period_month"):
        forms = texts()[language][key]
        assert isinstance(forms, dict) and tags <= set(forms), (language, key)


def test_every_kind_has_its_rules_and_a_sentence():
    assert set(CATALOGUE) == set(Kind)
    for kind, rules in CATALOGUE.items():
        assert rules.formulas <= set(FORMULAS)
        assert bool(rules.formulas) == (rules.value is not Need.NONE), kind
        assert describe(Terms(kind, item={"en": "a mug"}, period=Period(1, "month")), "en")


def test_codes_are_the_fulfilment_of_discounts_and_store_credit():
    assert {k for k, r in CATALOGUE.items() if r.code} == {Kind.DISCOUNT_CODE, Kind.STORE_CREDIT}
    assert all(CATALOGUE[k].fulfilment is Fulfilment.CODE for k in (Kind.DISCOUNT_CODE, Kind.STORE_CREDIT))
    assert CATALOGUE[Kind.APPOINTMENT].fulfilment is Fulfilment.CALENDAR
    assert CATALOGUE[Kind.REFUND].needs_order and CATALOGUE[Kind.REFUND].within_order


def test_amounts_read_right_in_slovak_and_english():
    terms = Terms(Kind.DISCOUNT_CODE, Money.of("10", "EUR"), valid_until=date(2026, 6, 30))
    assert describe(terms, "sk") == "Kód na zľavu 10,00\u00a0€ z vašej ďalšej objednávky, platí do 30. júna 2026."
    assert describe(terms, "en") == "A code for €10.00 off your next order, valid until June 30, 2026."


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "A full refund of €89.90, paid back the way you paid."),
        ("ru", "Полный возврат 89,90\u00a0€ тем же способом, которым вы платили."),
        ("bg", "Пълно възстановяване на 89,90\u00a0€ по начина, по който сте платили."),
        ("sr", "Потпуни повраћај новца од 89,90\u00a0€, на исти начин на који сте платили."),
        ("sr-latn", "Potpuni povraćaj novca od 89,90\u00a0€, na isti način na koji ste platili."),
        ("sk", "Vrátenie celej sumy 89,90\u00a0€ rovnakým spôsobom, akým ste platili."),
    ],
)
def test_a_full_refund_in_every_language(language, sentence):
    assert describe(Terms(Kind.REFUND, Money.of("89.90", "EUR"), full=True), language) == sentence


def test_a_replacement_says_what_comes_and_that_the_customer_pays_nothing():
    terms = Terms(Kind.REPLACEMENT, item={"*": "a pair in size 42"})
    assert describe(terms, "en") == (
        "A free replacement: a pair in size 42. We send you the new one and collect the one you have at our cost, "
        "so you pay nothing."
    )
    assert "размер" not in describe(Terms(Kind.REPLACEMENT), "ru") and "ничего не платите" in describe(
        Terms(Kind.REPLACEMENT), "ru"
    )


@pytest.mark.parametrize(
    ("language", "count", "words"),
    [
        ("en", 1, "1 month of our service free of charge."),
        ("ru", 1, "1 месяц бесплатного пользования нашим сервисом."),
        ("ru", 3, "3 месяца бесплатного пользования нашим сервисом."),
        ("ru", 5, "5 месяцев бесплатного пользования нашим сервисом."),
        ("sk", 2, "2 mesiace používania našej služby zadarmo."),
        ("sk", 5, "5 mesiacov používania našej služby zadarmo."),
        ("sr", 2, "2 месеца бесплатног коришћења наше услуге."),
        ("sr-latn", 5, "5 meseci besplatnog korišćenja naše usluge."),
        ("bg", 2, "2 месеца безплатно ползване на нашата услуга."),
    ],
)
def test_a_free_period_is_counted_in_the_languages_plural(language, count, words):
    assert describe(Terms(Kind.SERVICE_PERIOD, period=Period(count, "month")), language) == words


def test_a_date_ending_in_a_dot_does_not_end_the_sentence_twice():
    terms = Terms(Kind.STORE_CREDIT, Money.of("10", "EUR"), valid_until=date(2026, 6, 30))
    for language in CUSTOMER_LANGUAGES:
        assert not describe(terms, language).endswith(".."), language
    assert describe(terms, "ru").endswith("до 30 июня 2026\u202fг.")
    assert describe(terms, "sr").endswith("важи до 30. 6. 2026.")


def test_an_appointment_lists_the_offered_times_in_the_customers_zone():
    slots = [datetime(2026, 3, 31, 12, 30, tzinfo=UTC), datetime(2026, 4, 1, 7, 0, tzinfo=UTC)]
    sentence = describe(Terms(Kind.APPOINTMENT, slots=2), "sk", slots=slots, tz=timezone(timedelta(hours=2)))
    assert "14:30" in sentence and "9:00" in sentence and " alebo " in sentence
    assert "we will send you times" in describe(Terms(Kind.APPOINTMENT, slots=3), "en")


def test_a_percentage_discount_with_a_minimum_order():
    terms = Terms(
        Kind.DISCOUNT_CODE,
        percent=Decimal("12.5"),
        minimum_order=Money.of("30", "EUR"),
        valid_until=date(2026, 6, 30),
    )
    assert describe(terms, "en") == "A code for 12.5% off your next order of €30.00 or more, valid until June 30, 2026."


def test_an_item_is_read_in_the_customers_language_else_english():
    terms = Terms(Kind.GIFT, item={"en": "a mug with our logo", "sk": "hrnček s naším logom"})
    assert describe(terms, "sk") == "Darček od nás: hrnček s naším logom."
    assert describe(terms, "bg") == "Подарък от нас: a mug with our logo."


@pytest.mark.parametrize("spelling", ["sr-Latn", "sr_Latn", "SR-LATN", "sr-Latn-RS"])
def test_serbian_latin_however_it_is_spelled(spelling):
    assert language_code(spelling) == "sr-latn"
    assert describe(Terms(Kind.APOLOGY), spelling).startswith("Naše iskreno izvinjenje")


def test_a_language_the_catalogue_does_not_speak_gets_english():
    assert describe(Terms(Kind.APOLOGY), "de") == describe(Terms(Kind.APOLOGY), "en")
    assert describe(Terms(Kind.APOLOGY), "sr-Cyrl") == describe(Terms(Kind.APOLOGY), "sr")
