from decimal import Decimal

import pytest

from amends.replies.coach import MAX_TEXT, coach, coached_languages

GOOD = {
    "en": "Dear Olga, thank you for telling us. We are sorry, this was our mistake. We will send the right size "
    "today by courier, or refund you within 24 hours, whichever you prefer.",
    "ru": "Ольга, спасибо, что написали нам. Простите, это наша ошибка. Сегодня отправим правильную пару или "
    "вернём деньги в течение дня, как вам удобнее.",
    "bg": "Здравейте, Олга, благодарим ви, че ни писахте. Съжаляваме, грешката е наша. Днес ще изпратим "
    "правилния чифт или ще възстановим сумата до утре, по избор.",
    "sr": "Поштована Олга, хвала што сте нам писали. Извините, наша грешка. Послаћемо прави пар данас или "
    "вратити новац у року од два дана, по избору.",
    "sk": "Dobrý deň, Olga, ďakujeme, že ste nám napísali. Ospravedlňujeme sa, je to naša chyba. Dnes pošleme "
    "správny pár alebo vrátime peniaze do zajtra, ako vám vyhovuje.",
}


def test_the_five_seed_languages_are_coached():
    assert {"en", "ru", "bg", "sr", "sk"} <= set(coached_languages())


@pytest.mark.parametrize("language", GOOD)
def test_a_good_apology_scores_full_marks(language):
    result = coach(GOOD[language], language=language, customer_name="Olga Ivanova")
    assert result.score == 100 and not result.findings, result.findings


def test_serbian_latin_drafts_meet_the_same_rules():
    text = (
        "Poštovana Olga, hvala što ste nam pisali. Izvinite, naša greška. Poslaćemo pravi par danas ili vratiti "
        "novac u roku od dva dana, po izboru."
    )
    assert coach(text, language="sr-Latn", customer_name="Olga").score == 100


def test_the_wedding_salon_answer_breaks_the_rules_and_says_where():
    text = "Actually you should have waited inside. Please prove that we asked you to wait outside!!!"
    result = coach(text, language="en", customer_name="Maria")
    rules = {f.rule: f for f in result.findings}
    # "Actually" alone is no longer arguing ("we actually had your size in stock" is a good reply); the answer still
    # blames and demands proof, and both block.
    assert result.blocking and set(rules) == {"blame", "proof", "apology", "next_step", "thanks", "name", "shouting"}
    assert rules["blame"].span.text == "you should have" and text[rules["proof"].span.start :].startswith("prove")


def test_a_conditional_apology_is_not_ownership():
    result = coach("Мы сожалеем, что вы так считаете.", language="ru")
    assert "ownership" in {f.rule for f in result.findings}


def test_a_single_remedy_asks_for_alternatives():
    result = coach(
        "Olga, thank you. Sorry, our mistake. We will refund you today.", language="en", customer_name="Olga"
    )
    assert [f.rule for f in result.findings] == ["alternatives"]


def test_a_promise_above_authority_is_blocking():
    result = coach(
        "Thank you, sorry, our mistake: we will refund 200 EUR today or send a new pair.",
        language="en",
        max_remedy_value=Decimal("50"),
    )
    assert any(f.rule == "authority" and f.severity == "blocking" for f in result.findings)


def test_a_public_thread_wants_privacy_and_no_onlookers():
    result = coach(
        "Thank you, sorry, our mistake. @anna as the other commenter said, it was fine.",
        language="en",
        public_thread=True,
    )
    rules = {f.rule for f in result.findings}
    assert {"onlookers", "public_private"} <= rules


def test_a_language_without_rules_says_so():
    result = coach("Entschuldigung, unser Fehler.", language="de")
    assert not result.coached and result.findings[0].rule == "language"


def test_an_empty_draft_blocks_and_a_huge_one_is_read_up_to_the_limit():
    empty = coach("   ", language="en")
    assert empty.blocking and [f.rule for f in empty.findings] == ["empty"]
    good = "Olga, thank you. Sorry, our mistake. We will refund you today or resend. "
    huge = good * (MAX_TEXT // len(good) + 1)
    blame = "You should have read the chart. "
    assert _rules(huge + blame, customer_name="Olga") == []  # past the limit: not read
    assert _rules(blame + huge, customer_name="Olga") == ["blame"]


def test_markup_in_a_draft_is_read_as_text_and_every_span_points_into_the_draft():
    # The coach neither runs nor strips markup: it reads the words between the tags, and each span is a slice of
    # the draft as typed, so the page can show it (escaped) where the agent wrote it.
    text = "<p>Olga, thank you. <b>Sorry</b>, but <i>you should have</i> read the chart.</p><script>alert(1)</script>"
    result = coach(text, language="en", customer_name="Olga")
    assert {f.rule for f in result.findings} == {"blame", "next_step"}
    spans = [f.span for f in result.findings if f.span]
    assert [s.text for s in spans] == ["you should have"] and all(text[s.start : s.end] == s.text for s in spans)


def _rules(text, language="en", **kwargs):
    return [f.rule for f in coach(text, language=language, **kwargs).findings]


def test_or_inside_a_word_is_no_choice():
    # "order" and "original" once satisfied the alternatives rule through the phrase " or ".
    assert _rules(
        "Olga, thank you. Sorry, our mistake. We will refund your original order today.", customer_name="Olga"
    ) == ["alternatives"]


def test_a_choice_far_from_the_remedy_is_no_choice():
    text = (
        "Olga, thank you. Sorry, our mistake. We will refund you today. The refund goes to the card you paid with "
        "and our bank needs a little time to show it on your statement, usually a day. Should you have any "
        "questions or worries about it, our team is here every day."
    )
    assert _rules(text, customer_name="Olga") == ["alternatives"]


def test_a_refund_already_made_needs_no_choice():
    text = "Olga, thank you. Sorry, our mistake. We have refunded the second payment today."
    assert _rules(text, customer_name="Olga") == []


def test_ownership_may_be_split_by_other_words():
    assert (
        _rules("Olga, thank you. Sorry, the booking error was ours. We will call you today.", customer_name="Olga")
        == []
    )
    text = "София, спасибо. Простите, ошибка в бронировании полностью наша. Сегодня перезвоним."
    assert _rules(text, "ru", customer_name="София") == []
    # The gap stops at the end of a sentence: the error and "ours" of another sentence are not ownership.
    assert "ownership" in _rules("Olga, thank you. Sorry for the error. Ours is a small team. We will call today.")


def test_blame_is_not_also_reported_as_missing_ownership():
    rules = _rules(
        "Olga, thanks. Sorry, but you should have checked the size chart. We will refund you today or exchange it."
    )
    assert "blame" in rules and "ownership" not in rules


@pytest.mark.parametrize(
    ("text", "shouts"),
    [
        ("Tim, thank you. We are SO SORRY, THIS WAS OUR MISTAKE. We will refund you today or resend.", True),
        ("Тодор, благодарим. ИЗВИНЕТЕ, ТОВА Е НАША ГРЕШКА. Днес ще върнем парите или ще заменим.", True),
        (
            "Tim, thank you. Sorry, our mistake: the DHL and UPS labels were swapped. We will refund today or resend.",
            False,
        ),
    ],
)
def test_a_run_of_capitals_shouts_and_an_acronym_does_not(text, shouts):
    language = "bg" if "Тодор" in text else "en"
    assert ("shouting" in _rules(text, language)) is shouts


@pytest.mark.parametrize(
    ("name", "text"), [("Petar", "Petre, hvala."), ("Ivan", "Ivane, hvala."), ("Пётр", "Пётр, спасибо.")]
)
def test_the_name_is_found_in_its_vocative(name, text):
    language = "sr" if "hvala" in text else "ru"
    assert "name" not in _rules(text, language, customer_name=name)
    assert "name" in _rules(text, language, customer_name="Zoran")  # and another customer's name is not theirs


def test_a_future_apology_for_what_we_should_have_done_is_not_blame():
    # Serbian "trebalo je da" blames with "you" (proverite) and owns with "we" (vas obavestimo).
    assert "blame" not in _rules("Izvinite, trebalo je da vas obavestimo.", "sr")
    assert "blame" in _rules("Izvinite, ali trebalo je da proverite tabelu.", "sr")


def test_a_public_answer_is_judged_short_by_words_not_characters():
    base = (
        "Thank you and sorry, Eva, our mistake. Please send us a direct message and we will refund you today or resend."
    )
    long = base + " We have fixed the settings, added monitoring and we are checking every failed order today." * 3
    assert "public_short" not in _rules(base, public_thread=True, customer_name="Eva")
    assert "public_short" in _rules(long, public_thread=True, customer_name="Eva")
