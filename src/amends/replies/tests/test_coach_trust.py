"""A coach agents can trust on text it never saw: the company's own words are not coached, the learned detector
catches blame and arguing in any wording, and a reply is coached with the rules of the language it is in."""

import json
from pathlib import Path

import pytest

from amends.replies.coach import coach, sentence_rules
from amends.replies.coach_own import mask

TEMPLATES = json.loads((Path(__file__).parents[1] / "data" / "templates.json").read_text(encoding="utf-8"))
NAMES = {"en": "Olga", "ru": "Ольга", "bg": "Олга", "sr": "Олга", "sk": "Olga"}


def _blocking(result):
    return {f.rule for f in result.findings if f.severity == "blocking"}


@pytest.mark.parametrize("language", sorted(TEMPLATES))
@pytest.mark.parametrize("purpose", ["acknowledgement", "apology", "resolution", "follow_up", "incident_apology"])
def test_the_shipped_templates_are_not_blocked_by_the_brand_signature(language, purpose):
    body = TEMPLATES[language][purpose]["body"].format(
        customer_name=NAMES[language],
        case_reference="AM-2026-000123",
        status_link="https://example.com/status/x",
        remedy_options="- 10 %",
        order_reference="SO-1",
        brand_name="Customer care · Angry Birds Shop",
    )
    result = coach(body, language=language, customer_name=NAMES[language], own=["Customer care · Angry Birds Shop"])
    assert not _blocking(result), result.findings


@pytest.mark.parametrize(
    "text",
    [
        "С уважением,\nСлужба заботы о клиентах",
        "-- \nCustomer care\nAngry Birds Shop",
        "> Это просто смешно, вы бесполезны!\n> Верните деньги.",
    ],
)
def test_a_reply_that_is_only_the_signature_or_a_quote_is_refused(text):
    result = coach(text, language="ru", own=["Angry Birds Shop"])
    assert [f.rule for f in result.findings] == ["empty"] and result.blocking


QUOTING = {
    "en": 'Olga, thank you. You wrote "this is ridiculous, nobody here cares", and we are sorry: it was our '
    "mistake. We will send the right size today or refund you, whichever you prefer.",
    "ru": "Ольга, спасибо. Вы написали «это просто смешно, всем наплевать», и нам очень жаль: это наша ошибка. "
    "Сегодня отправим нужный размер или вернём деньги, как вам удобнее.",
}


@pytest.mark.parametrize("language", QUOTING)
def test_the_customers_words_quoted_back_are_not_our_anger(language):
    result = coach(QUOTING[language], language=language, customer_name="Olga")
    assert not _blocking(result), result.findings


def test_an_email_thread_below_the_reply_is_not_coached():
    text = (
        "Olga, thank you, and sorry: the wrong size was our mistake. We will send the right pair today or refund "
        "you, whichever you prefer.\n\nOn 3 May 2026, Olga wrote:\nThis is ridiculous. Calm down? You calm down!\n"
        "> You should have checked, you said. Prove it, you said."
    )
    assert not _blocking(coach(text, language="en", customer_name="Olga"))


def test_masking_keeps_every_offset():
    text = "Sorry!\n> quoted words here\nBest regards,\nAnna"
    masked = mask(text)
    assert len(masked) == len(text) and masked.startswith("Sorry!\n") and "quoted" not in masked
    assert "Anna" not in masked and masked.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("sentence", "language", "rule"),
    [
        ("Вы сами ошиблись, когда оформляли заказ.", "ru", "blame"),
        ("Сами погрешили сте адресу.", "sr", "blame"),
        ("Сами сте погрешили приликом наручивања.", "sr", "blame"),
        ("Согласно нашей политике, деньги за вскрытый товар не возвращаются.", "ru", "arguing"),
        ("You should have read the size guide before ordering.", "en", "blame"),
        ("Pošlite nám doklad o kúpe, inak reklamáciu nemôžeme prijať.", "sk", "proof"),
    ],
)
def test_the_learned_detector_catches_what_no_phrase_lists(sentence, language, rule):
    assert rule in sentence_rules(sentence, language=language)


@pytest.mark.parametrize(
    "sentence",
    [
        "We cannot exchange the shoes, but we will refund you today.",
        "Thank you for letting us know.",
        "Our courier will bring the new pair tomorrow.",
    ],
)
def test_ordinary_sentences_break_no_rule(sentence):
    assert not sentence_rules(sentence, language="en") - {"ownership"}


# One template, five languages: the same flaws must be found in each.
PARALLEL = [
    {
        "en": "Olga, thank you for writing. You should have checked the size chart. We can send another pair.",
        "ru": "Ольга, спасибо, что написали. Вам следовало проверить таблицу размеров. Можем отправить другую пару.",
        "bg": "Олга, благодарим, че писахте. Трябваше да проверите таблицата с размерите. Можем да изпратим друг чифт.",
        "sr": "Olga, hvala što ste pisali. Trebalo je da proverite tabelu veličina. Možemo poslati drugi par.",
        "sk": "Olga, ďakujeme, že ste napísali. Mali ste si pozrieť tabuľku veľkostí. Môžeme poslať iný pár.",
    },
    {
        "en": "Olga, thank you. According to our policy, opened items cannot be returned.",
        "ru": "Ольга, спасибо. Согласно нашей политике, вскрытый товар возврату не подлежит.",
        "bg": "Олга, благодарим. Съгласно нашата политика отворени продукти не се връщат.",
        "sr": "Olga, hvala. Prema našoj politici, otvoreni proizvodi se ne vraćaju.",
        "sk": "Olga, ďakujeme. Podľa našich pravidiel sa otvorený tovar nevracia.",
    },
]


@pytest.mark.parametrize("template", range(len(PARALLEL)))
def test_one_template_is_judged_alike_in_every_language(template):
    blocking = {
        language: _blocking(coach(text, language=language, customer_name="Olga"))
        for language, text in PARALLEL[template].items()
    }
    assert len({frozenset(rules) for rules in blocking.values()}) == 1 and blocking["en"], blocking


@pytest.mark.django_db
def test_a_reply_coached_with_another_languages_rules_by_mistake_uses_its_own():
    from amends.conftest import open_case
    from amends.replies.services import reply_coach

    case = open_case().case
    result = reply_coach(text="Ольга, спасибо. Вы сами ошиблись при оформлении заказа.", language="en", case=case)
    assert result.language == "ru" and "blame" in _blocking(result)
    # A stated language the text agrees with stays as stated.
    assert reply_coach(text="Olga, thank you. We are sorry.", language="en", case=case).language == "en"


@pytest.mark.django_db
def test_the_brand_signature_is_not_coached_through_the_service():
    from amends.conftest import open_case
    from amends.replies.services import reply_coach

    case = open_case().case
    case.brand.sender_name = "Customer care — Ridiculous Prices Ltd"
    case.brand.save(update_fields=["sender_name"])
    body = TEMPLATES["ru"]["apology"]["body"].format(
        customer_name="Ольга", remedy_options="- скидка 10 %", brand_name=case.brand.sender_name
    )
    assert not _blocking(reply_coach(text=body, case=case))
