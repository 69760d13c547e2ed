"""The coach's rules for a reply in a public thread (seed 002): talk to the customer only, show nothing private,
keep it short, offer to continue privately. In every coached language."""

import pytest

from amends.replies.coach import BLOCKING, coach
from amends.replies.coach_public import onlooker_mention, private_data, sentence_count


def _blocking(text: str, language: str = "en", **kwargs) -> set[str]:  # type: ignore[no-untyped-def]
    result = coach(text, language=language, public_thread=True, **kwargs)
    return {f.rule for f in result.findings if f.severity == BLOCKING}


def test_mentioning_the_customer_is_fine_and_anyone_else_is_an_onlooker():
    assert onlooker_mention("@Lena_B sorry!", customer_handle="lena_b") is None
    assert onlooker_mention("@lena_b and @tom_k, sorry", customer_handle="lena_b") == (12, 18)
    assert onlooker_mention("write to care@shop.example", customer_handle="lena_b") is None


def test_private_details_are_found_but_the_brands_address_is_public():
    assert private_data("Your order AB-99120 is late", private=["AB-99120"]) is not None
    assert private_data("Call 0611 234 567 today") is not None
    assert private_data("Write to care@shop.example", public_addresses=["care@shop.example"]) is None
    assert private_data("We will call you within 24 hours, 2 options") is None
    assert private_data("Order #556712 left late") is not None


def test_sentences_are_counted_by_their_ends():
    assert sentence_count("Sorry. Our fault! Write to us privately?") == 3
    assert sentence_count("Sorry, our fault") == 1


GOOD = {
    "en": "@lena_b Lena, we are sorry: that was our mistake. Thank you for telling us. Please message us privately.",
    "ru": "@lena_b Лена, простите нас, это наша ошибка. Спасибо, что написали. Напишите нам в личные сообщения.",
    "bg": "@lena_b Лена, съжаляваме, грешката е наша. Благодарим, че ни писахте. Пишете ни в лично съобщение.",
    "sr": "@lena_b Лена, извините, грешка је наша. Хвала што сте писали. Пишите нам у приватној поруци.",
    "sr-Latn": "@lena_b Lena, izvinite, greška je naša. Hvala što ste pisali. Pišite nam u privatnoj poruci.",
    "sk": "@lena_b Lena, prepáčte, chyba je naša. Ďakujeme, že ste napísali. Napíšte nám v súkromnej správe.",
}


@pytest.mark.parametrize("language", GOOD)
def test_a_good_public_reply_is_not_blocked(language):
    assert _blocking(GOOD[language], language, customer_handle="lena_b", private=["AB-99120"]) == set()


@pytest.mark.parametrize("language", GOOD)
def test_adding_an_onlooker_or_a_private_detail_blocks_it(language):
    assert "onlookers" in _blocking(GOOD[language] + " @tom_k", language, customer_handle="lena_b")
    leaked = GOOD[language] + " AB-99120"
    assert "private_data" in _blocking(leaked, language, customer_handle="lena_b", private=["AB-99120"])
    assert "private_data" in _blocking(GOOD[language] + " lena@mail.example", language, customer_handle="lena_b")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Sorry, Lena. To everyone commenting: the shop was open."),
        ("ru", "Лена, простите. Всем комментирующим: магазин работал."),
        ("bg", "Лена, съжаляваме. На коментиращите: магазинът работеше."),
        ("sr-Latn", "Lena, izvinite. Svima koji komentarišu: radnja je radila."),
        ("sk", "Lena, prepáčte. Všetkým, ktorí komentujú: obchod bol otvorený."),
    ],
)
def test_speaking_to_the_commenters_is_talking_to_onlookers(language, text):
    assert "onlookers" in _blocking(text, language)


def test_a_long_public_reply_is_told_to_be_short_and_private_details_are_not_checked_elsewhere():
    long = GOOD["en"] + " We checked. We called the shop. We fixed the rota. We trained the team."
    result = coach(long, language="en", public_thread=True, customer_handle="lena_b")
    assert "public_short" in {f.rule for f in result.findings}
    private = coach("Sorry, our fault. Your order AB-99120 ships today.", language="en", private=["AB-99120"])
    assert "private_data" not in {f.rule for f in private.findings}  # a private e-mail reply may name the order
